"""Macros (saved replies): set up in the management API (Intercom: Inbox macros), read in the API."""
