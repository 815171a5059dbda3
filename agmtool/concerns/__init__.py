"""Concerns: the public form, receipts and status page, the staff inbox and triage."""
