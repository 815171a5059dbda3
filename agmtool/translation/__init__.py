"""Translation: every text a reader meets in another language, its translations, the
translator's queue and the side-by-side editor."""


def init_app(app) -> None:
    """The queue and editor, the history labels of translations, and the following of
    meetings' public notes."""
    from agmtool import history
    from agmtool.models import Translation
    from agmtool.translation import domain as translation
    from agmtool.translation import notes, staff

    app.register_blueprint(staff.bp)
    history.register(app, Translation, translation.HISTORY)
    translation.register_kind(app, notes.SOURCE_TYPE, translation.Kind(notes.LABEL))
    notes.listen()
