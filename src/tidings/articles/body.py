"""Article bodies as Intercom keeps them: paragraphs carry `class="no-margin"`, bare text becomes a
paragraph, and nothing that runs (scripts, event handlers, `javascript:` links) is kept."""

from __future__ import annotations

import html
import re

_UNSAFE_BLOCKS = re.compile(r"<(script|style|iframe|object|embed)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_UNSAFE_TAGS = re.compile(r"</?(script|style|iframe|object|embed)\b[^>]*>", re.IGNORECASE)
_HANDLERS = re.compile(r"\s+on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_JS_URLS = re.compile(r"(href|src)\s*=\s*([\"']?)\s*javascript:[^\"'>\s]*\2", re.IGNORECASE)
_PARAGRAPH = re.compile(r"<p(?=[\s>])([^>]*)>", re.IGNORECASE)
_HAS_TAG = re.compile(r"<[a-zA-Z][^>]*>")


def _classed(match: re.Match[str]) -> str:
    attributes = match.group(1)
    if re.search(r"\bclass\s*=", attributes, re.IGNORECASE):
        return match.group(0)
    return f'<p class="no-margin"{attributes}>'


def normalise_body(body: str) -> str:
    if not body.strip():
        return ""
    cleaned = _UNSAFE_TAGS.sub("", _UNSAFE_BLOCKS.sub("", body))
    cleaned = _JS_URLS.sub(r"\1=\2#\2", _HANDLERS.sub("", cleaned))
    if not _HAS_TAG.search(cleaned):
        return f'<p class="no-margin">{html.escape(cleaned.strip(), quote=False)}</p>'
    return _PARAGRAPH.sub(_classed, cleaned.strip())
