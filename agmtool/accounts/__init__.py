"""Accounts: logging in with a second factor, sessions, roles, and their administration."""
