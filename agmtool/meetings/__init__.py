"""Meetings: companies, their AGMs, the public pages and the calendar feeds."""
