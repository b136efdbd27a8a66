"""Away status reasons: why a teammate is away, set up in the management API (Intercom: Settings > Inbox)."""
