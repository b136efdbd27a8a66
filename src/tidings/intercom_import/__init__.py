"""`tidings import intercom`: copy a workspace from an Intercom-compatible server through the official SDK."""
