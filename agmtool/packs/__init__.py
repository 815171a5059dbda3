"""Packs: print-ready PDFs (the AGM pack, speaker and interpreter cards, the report-back).

``pdf.py`` turns a Jinja template and a dict of approved content into PDF bytes;
``worker.py`` runs those renders in warm worker processes with time and memory limits
and caches the results by input hash. The package is not registered by itself: the
application factory calls ``init_app``.
"""

from __future__ import annotations

from flask import Flask

# Defaults an instance's config.py may override (see worker.py for what each one does).
DEFAULTS = {
    "PDF_WORKERS": 1,
    "PDF_TIME_LIMIT": 60.0,
    "PDF_MEMORY_LIMIT_MIB": 1024,
    "PDF_MAX_CONCURRENT": 2,
    "PDF_WAIT_SECONDS": 1.0,
    "PDF_CACHE_SECONDS": 7 * 24 * 3600,
}


def init_app(app: Flask) -> None:
    """Set the PDF settings' defaults, register the pages (the staff's PDFs and builds, the
    report-back from the status page) and stop the render workers when the process exits.

    Side effects: fills missing ``PDF_*`` keys in ``app.config``; registers an atexit hook.
    The workers themselves start on the first render (``worker.pool_for(config)``).
    """
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    from agmtool import generations  # noqa: F401 - its flush event raises the generation
    from agmtool.concerns import status
    from agmtool.packs import public, staff, worker

    app.register_blueprint(staff.bp)
    app.register_blueprint(public.bp)
    status.add_section(app, "report", public.SECTION)
    # The meeting's running order lists its builds, superseded ones marked.
    app.jinja_env.globals["meeting_builds"] = staff.meeting_builds
    worker.register_shutdown()
