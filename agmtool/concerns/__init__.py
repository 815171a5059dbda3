"""Concerns: the public form, receipts and status page, the staff inbox and triage."""


def init_app(app) -> None:
    """The public form and status page, the inbox (with `flask concerns purge-contacts`),
    the history labels of concerns, and the kinds of their texts that are translated."""
    from agmtool import history
    from agmtool.concerns import domain as concerns
    from agmtool.concerns import public, staff
    from agmtool.models import Concern
    from agmtool.translation import domain as translation

    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
    history.register(app, Concern, concerns.HISTORY)
    for source_type, kind in concerns.TRANSLATION_KINDS.items():
        translation.register_kind(app, source_type, kind)
    translation.saved.connect(concerns.translation_saved)
