"""Questions: drafted from concerns for a meeting, translated, signed off by the
communities, asked at the AGM, and the company's answer brought back."""


def init_app(app) -> None:
    """The staff pages (and attendance's, with the attendee's own), the questions on the
    community's status page, the kinds of text that are translated, the history labels;
    and letting go of a withdrawn concern."""
    from agmtool import history
    from agmtool.concerns import domain as concerns
    from agmtool.concerns import status
    from agmtool.models import Attendee, Community, Question, Shareholder
    from agmtool.questions import answers, attendance, attendees, briefing, public, signoffs, staff
    from agmtool.questions import domain as questions
    from agmtool.translation import domain as translation

    app.register_blueprint(staff.bp)
    app.register_blueprint(attendance.bp)
    status.add_section(app, "questions", public.SECTION)
    for kinds in (questions.TRANSLATION_KINDS, signoffs.TRANSLATION_KINDS,
                  answers.TRANSLATION_KINDS, briefing.TRANSLATION_KINDS):
        for source_type, kind in kinds.items():
            translation.register_kind(app, source_type, kind)
    history.register(app, Question, questions.HISTORY)
    history.register(app, Community, briefing.HISTORY)
    history.register(app, Shareholder, attendees.HISTORY)
    history.register(app, Attendee, attendees.ATTENDEE_HISTORY)
    concerns.withdrawn.connect(questions.concern_withdrawn)
