"""The interactive API reference served at /docs."""
