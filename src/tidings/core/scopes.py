"""Access token scopes, as Intercom's OAuth scopes: `read_<area>` and `write_<area>` per API area.

A read (GET, and the POST searches and lists that change nothing) needs the area's read scope, a
write its write scope; one does not imply the other (the Fin Agent API key has only
`write_conversations`, which covers /fin/start and /fin/reply). `all`, what a token created
without scopes gets, allows everything. Missing a scope is a 403 `forbidden` naming it, the
message of the spec's example. Unknown scope names are refused when a token is created.
"""

from __future__ import annotations

from collections.abc import Iterable

from tidings.core.errors import FORBIDDEN, invalid

ALL = "all"

# The first segment of an Intercom path -> the area whose scopes it needs.
AREA_OF_SEGMENT = {
    "contacts": "contacts",
    "visitors": "contacts",
    "segments": "contacts",
    "subscription_types": "contacts",
    "notes": "contacts",
    "companies": "companies",
    "conversations": "conversations",
    "messages": "conversations",
    "fin": "conversations",
    "custom_channel_events": "conversations",
    "tickets": "tickets",
    "ticket_types": "tickets",
    "ticket_states": "tickets",
    "jobs": "tickets",
    "tags": "tags",
    "admins": "admins",
    "teams": "admins",
    "me": "admins",
    "data_attributes": "data_attributes",
    "ai": "ai_content",
    "custom_object_instances": "custom_objects",
    # Macros need read_conversations (the spec's GET /macros 403); calls belong to their conversations.
    "macros": "conversations",
    "calls": "conversations",
    "fin_voice": "conversations",
    "phone_call_redirects": "conversations",
    "away_status_reasons": "admins",
    "brands": "admins",
    "emails": "admins",
    # Areas Intercom documents no scope name for: one area each, named after the path.
    "articles": "articles",
    "help_center": "articles",
    "internal_articles": "articles",
    # Intercom names the snippets' scopes `read_content_snippets` / `read_write_content_snippets`.
    "content_snippets": "content_snippets",
    "folders": "articles",
    "news": "news",
    "events": "events",
    "data_connectors": "data_connectors",
    "export": "exports",
    "download": "exports",
}
AREAS = frozenset(AREA_OF_SEGMENT.values())
# POSTs that only read.
READING_POSTS = ("/search", "/list")
# Intercom's combined AI content scope.
ALIASES = {"read_write_ai_content": frozenset({"read_ai_content", "write_ai_content"})}
KNOWN = frozenset({ALL, *ALIASES, *(f"{kind}_{area}" for area in AREAS for kind in ("read", "write"))})


def validate(scopes: object) -> list[str] | None:
    """The scopes a token is created with (None or empty: full access), or a 400 naming `scopes`."""
    if scopes is None:
        return None
    if not isinstance(scopes, list):
        raise invalid("scopes must be an array of scope names", "scopes")
    unknown = [scope for scope in scopes if not isinstance(scope, str) or scope not in KNOWN]
    if unknown:
        shown = ", ".join(repr(scope)[:60] for scope in unknown[:5])
        raise invalid(f"Unknown scopes: {shown}; known scopes: {', '.join(sorted(KNOWN))}", "scopes")
    return list(dict.fromkeys(scopes)) or None


def granted(scopes: Iterable[str] | None) -> frozenset[str] | None:
    """What a token's stored scopes allow, expanded; None: everything."""
    if scopes is None:
        return None
    expanded: set[str] = set()
    for scope in scopes:
        if scope == ALL:
            return None
        expanded |= ALIASES.get(scope, {scope})
    return frozenset(expanded)


def required(method: str, path: str) -> str | None:
    """The scope a request needs, or None for a path outside every area."""
    segment = path.lstrip("/").split("/", 1)[0]
    area = AREA_OF_SEGMENT.get(segment)
    if area is None:
        return None
    reads = method in ("GET", "HEAD") or (method == "POST" and path.rstrip("/").endswith(READING_POSTS))
    return f"{'read' if reads else 'write'}_{area}"


def check(allowed: frozenset[str] | None, method: str, path: str) -> None:
    if allowed is None:
        return
    scope = required(method, path)
    if scope is None:
        # A path no area claims (none is served today): only a full-access token reaches it.
        scope = ALL
    if scope not in allowed:
        raise FORBIDDEN(f"You do not have the required scope ({scope}) to access this resource")
