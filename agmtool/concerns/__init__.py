"""Concerns: the public form, receipts and status page, the staff inbox and triage."""


def init_app(app) -> None:
    """The public form and status page, the inbox (with `flask concerns purge-contacts`),
    and the history labels of concerns and their English translation."""
    from agmtool import history
    from agmtool.concerns import domain as concerns
    from agmtool.concerns import public, staff
    from agmtool.models import Concern, Translation

    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
    history.register(app, Concern, concerns.HISTORY)
    history.register(app, Translation, concerns.TRANSLATION_HISTORY)
