"""tidings: a self-hosted server implementing Intercom's REST API (version Unstable)."""

__version__ = "0.1.0"
