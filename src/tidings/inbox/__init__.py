"""The inbox: a server-rendered web app where teammates answer what Fin hands over (see docs/inbox.md)."""
