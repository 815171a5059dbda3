"""Translation: every text a reader meets in another language, its translations, the
translator's queue and the side-by-side editor."""


def init_app(app) -> None:
    """The queue and editor, the history labels of translations, and the following of
    meetings' public notes."""
    from agmtool import history
    from agmtool.models import GlossaryTerm, Translation
    from agmtool.translation import domain as translation
    from agmtool.translation import glossary, notes, staff

    app.register_blueprint(staff.bp)
    app.cli.add_command(staff.translations_cli)
    history.register(app, Translation, translation.HISTORY)
    history.register(app, GlossaryTerm, glossary.HISTORY)
    translation.register_kind(app, notes.SOURCE_TYPE, translation.Kind(
        notes.LABEL, endpoint="agm_admin.agm_edit", values=notes.meeting_page))
    translation.shown_changed.connect(notes.shown_changed)
    notes.listen()
