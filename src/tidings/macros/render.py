"""A macro's two renderings of its template: HTML with `<attribute/>` placeholders, and plain text.

Written `{{user.name | fallback: 'there'}}` becomes `<attribute key="user.name" default="there"/>`
in `body` and `{{user.name|fallback:"there"}}` in `body_text`; blank lines separate paragraphs.
"""

from __future__ import annotations

import html
import re

PLACEHOLDER = re.compile(
    r"\{\{\s*(?P<key>[A-Za-z0-9_.\-]+)\s*(?:\|\s*fallback\s*:\s*(?P<q>['\"])(?P<default>.*?)(?P=q)\s*)?\}\}"
)


def _attribute(match: re.Match[str]) -> str:
    key = html.escape(match["key"], quote=True)
    if match["default"] is None:
        return f'<attribute key="{key}"/>'
    return f'<attribute key="{key}" default="{html.escape(match["default"], quote=True)}"/>'


def _html_line(text: str) -> str:
    """Escape the text between placeholders, render the placeholders."""
    out, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        out.append(html.escape(text[last : match.start()], quote=False))
        out.append(_attribute(match))
        last = match.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def body_html(template: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", template.strip()) if p.strip()]
    return "".join(f"<p>{'<br>'.join(_html_line(line) for line in p.splitlines())}</p>" for p in paragraphs)


def _text_placeholder(match: re.Match[str]) -> str:
    if match["default"] is None:
        return "{{" + match["key"] + "}}"
    return "{{" + match["key"] + '|fallback:"' + match["default"] + '"}}'


def body_text(template: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", template.strip()) if p.strip()]
    return "\n\n".join(PLACEHOLDER.sub(_text_placeholder, p) for p in paragraphs)
