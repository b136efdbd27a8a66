"""Message bodies are customer-supplied HTML: they reach the page only through nh3 (Ammonia's
allow-list sanitiser), never through a hand-written filter. Teammates' own text is escaped."""

from __future__ import annotations

import html
from functools import partial

import nh3
from markupsafe import Markup

_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "img", "li",
    "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"}, "td": {"colspan"}}

_clean = partial(
    nh3.clean,
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    set_tag_attribute_values={"a": {"target": "_blank"}},
)


def safe_html(body: str | None) -> Markup:
    """The body with only allowed tags, attributes and URL schemes left, ready for a template."""
    return Markup(_clean(body or ""))


def text_to_html(text: str) -> str:
    """A teammate's typed text as the HTML body Intercom stores: escaped, one paragraph per blank-line block."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>" for block in blocks if block)
