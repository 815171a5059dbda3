"""Accounts: logging in with a second factor, sessions, roles, and their administration."""


def init_app(app) -> None:
    """Load the user of every request; the login and account pages; `flask users`; the
    history labels of accounts."""
    from agmtool import history
    from agmtool.accounts import admin, auth
    from agmtool.accounts import domain as accounts
    from agmtool.models import User

    auth.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin.settings_bp)
    app.cli.add_command(admin.users_cli)
    history.register(app, User, accounts.HISTORY)
