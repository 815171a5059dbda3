"""Meetings: companies, their AGMs, the public pages and the calendar feeds."""


def init_app(app) -> None:
    """The public meeting pages and feeds, the staff pages, `flask agms import`, and the
    history labels of meetings and companies."""
    from agmtool import history
    from agmtool.meetings import agms, companies, csv_import, public, staff
    from agmtool.models import AGM, Company

    public.init_app(app)
    app.register_blueprint(staff.bp)
    app.cli.add_command(csv_import.agms_cli)
    history.register(app, AGM, agms.HISTORY)
    history.register(app, Company, companies.HISTORY)
