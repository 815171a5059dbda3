"""agmtool: carries mining-affected communities' concerns to London AGMs and the answers back."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from agmtool.config import ROOT


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    from agmtool.links import RowId

    app.url_map.converters["int"] = RowId  # before any route is added
    app.config.from_object("agmtool.config")
    app.config.update(
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(app.instance_path) / 'agmtool.sqlite'}",
    )
    if test_config is None:
        # An absolute path: from_pyfile resolves relative names against the package folder.
        app.config.from_pyfile(str(Path(app.instance_path) / "config.py"), silent=True)
        _from_environment(app)
    else:
        app.config.update(test_config)

    _cache_settings(app)
    from agmtool import logs, security

    logs.init_app(app)
    security.configure(app)

    from agmtool import (
        accounts,
        cli,
        concerns,
        database,
        errors,
        history,
        i18n,
        meetings,
        packs,
        questions,
        seasons,
        settings,
        site,
        translation,
    )
    from agmtool.extensions import babel, cache, csrf, limiter

    database.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    i18n.init_app(app)
    history.init_app(app)
    settings.init_app(app)
    seasons.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    # The features, in the order of their chain (see docs/architecture.md), then the edges.
    accounts.init_app(app)
    meetings.init_app(app)
    translation.init_app(app)
    concerns.init_app(app)
    questions.init_app(app)
    packs.init_app(app)
    site.init_app(app)
    cli.init_app(app)
    if app.config["BENCH_ENDPOINTS"]:
        from agmtool.bench import server as bench_server

        bench_server.init_app(app)

    database.refuse_stale_schema_when_serving(app)
    return app


def _from_environment(app: Flask) -> None:
    for name, key in app.config["ENVIRONMENT_SETTINGS"].items():
        value = os.environ.get(f"AGMTOOL_{name}")
        if value is None:
            continue
        if key in ("LANGUAGES", "TOTP_REQUIRED_ROLES"):
            value = [code.strip() for code in value.split(",") if code.strip()]
        elif key == "LOCAL_DEVELOPMENT":
            value = value.lower() in {"1", "true", "yes"}
        app.config[key] = value


def _cache_settings(app: Flask) -> None:
    url = app.config["CACHE_URL"]
    if url and url.startswith(("redis://", "rediss://")):
        app.config.setdefault("CACHE_TYPE", "RedisCache")
        app.config.setdefault("CACHE_REDIS_URL", url)
    else:
        app.config.setdefault("CACHE_TYPE", "SimpleCache")
