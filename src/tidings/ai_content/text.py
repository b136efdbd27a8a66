"""From a page's HTML to passages: clean text, structured by its headings, in retrieval-sized pieces.

Scripts, styles, navigation and other page chrome are dropped; headings start sections; block
elements (paragraphs, list items, code blocks, table rows) become the units a passage is built from,
so a passage never ends mid-paragraph unless the paragraph alone is too long, and never crosses a
heading. Each passage knows the heading path it sits under, which the index uses as context.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements whose content is never part of the answer text.
_DROPPED = frozenset(
    {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button", "svg", "iframe"}
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "li",
        "dt",
        "dd",
        "pre",
        "blockquote",
        "tr",
        "table",
        "ul",
        "ol",
        "dl",
        "section",
        "article",
        "main",
        "br",
        "hr",
        "figcaption",
        "summary",
        "details",
        "body",
        "html",
    }
)
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"})
_SPACES = re.compile(r"\s+")

# Passage size in words: long enough to carry an answer with its context, short enough to be precise.
TARGET_WORDS = 120
MAX_WORDS = 180


@dataclass(slots=True)
class Section:
    headings: list[str]
    blocks: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PassageText:
    position: int
    heading: str | None
    text: str

    def digest(self, title: str) -> str:
        """Identifies this passage version: its embedding is computed once per digest."""
        return hashlib.sha256(f"{title}\x1f{self.heading or ''}\x1f{self.text}".encode()).hexdigest()


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = [Section(headings=[])]
        self._stack: list[str] = []
        self._dropped_depth = 0
        self._buffer: list[str] = []
        self._heading_level: int | None = None
        self._in_pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hidden = any(name == "hidden" or (name == "aria-hidden" and value == "true") for name, value in attrs)
        if tag in _DROPPED or hidden:
            if tag not in _VOID:
                self._dropped_depth += 1
                self._stack.append(f"!{tag}")
            return
        if self._dropped_depth:
            if tag not in _VOID:
                self._stack.append(tag)
            return
        if tag in _HEADINGS:
            self._flush()
            self._heading_level = _HEADINGS[tag]
        elif tag in _BLOCKS:
            self._flush()
        if tag == "pre":
            self._in_pre += 1
        if tag in ("td", "th"):
            self._buffer.append(" ")
        if tag not in _VOID:
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in {t.lstrip("!") for t in self._stack}:
            return
        while self._stack:
            open_tag = self._stack.pop()
            if open_tag.startswith("!"):
                self._dropped_depth -= 1
            if open_tag.lstrip("!") == tag:
                break
        if self._dropped_depth:
            return
        if tag in _HEADINGS:
            self._close_heading()
        elif tag in _BLOCKS:
            self._flush()
        if tag == "pre":
            self._in_pre = max(0, self._in_pre - 1)

    def handle_data(self, data: str) -> None:
        if not self._dropped_depth:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        if self._heading_level is not None:
            self._close_heading()
        self._flush()

    def _take(self) -> str:
        text = _SPACES.sub(" ", "".join(self._buffer)).strip()
        self._buffer.clear()
        return text

    def _flush(self) -> None:
        if self._heading_level is not None:
            return  # a block inside a heading stays part of the heading
        text = self._take()
        if text:
            self.sections[-1].blocks.append(text)

    def _close_heading(self) -> None:
        level = self._heading_level or 1
        self._heading_level = None
        text = self._take()
        if not text:
            return
        parent = self.sections[-1].headings[: level - 1]
        self.sections.append(Section(headings=[*parent, text]))


def html_sections(html: str) -> list[Section]:
    """The page's text as sections (heading path + text blocks), page chrome dropped."""
    extractor = _Extractor()
    extractor.feed(html or "")
    extractor.close()
    return [s for s in extractor.sections if s.blocks]


def clean_text(html: str) -> str:
    """Plain text of the page: headings and blocks on their own lines."""
    lines: list[str] = []
    for section in html_sections(html):
        if section.headings:
            lines.append(section.headings[-1])
        lines.extend(section.blocks)
    return "\n".join(lines)


def _split_long(block: str) -> list[str]:
    """A block longer than a passage, cut at sentence ends where possible."""
    words = block.split(" ")
    if len(words) <= MAX_WORDS:
        return [block]
    sentences = re.split(r"(?<=[.!?])\s+", block)
    pieces: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        sentence_words = sentence.split(" ")
        if current and len(current) + len(sentence_words) > TARGET_WORDS:
            pieces.append(" ".join(current))
            current = []
        current.extend(sentence_words)
        while len(current) > MAX_WORDS:
            pieces.append(" ".join(current[:TARGET_WORDS]))
            current = current[TARGET_WORDS:]
    if current:
        pieces.append(" ".join(current))
    return pieces


def passages(html: str) -> list[PassageText]:
    """The page split into passages of about TARGET_WORDS words, each under its section's headings."""
    result: list[PassageText] = []
    for section in html_sections(html):
        heading = " › ".join(section.headings) or None
        current: list[str] = []
        count = 0
        for block in (piece for b in section.blocks for piece in _split_long(b)):
            size = block.count(" ") + 1
            if current and count + size > MAX_WORDS:
                result.append(PassageText(len(result), heading, " ".join(current)))
                current, count = [], 0
            current.append(block)
            count += size
            if count >= TARGET_WORDS:
                result.append(PassageText(len(result), heading, " ".join(current)))
                current, count = [], 0
        if current:
            result.append(PassageText(len(result), heading, " ".join(current)))
    return result


def markdown_to_html(markdown: str) -> str:
    """Enough Markdown for importing documentation: ATX headings, paragraphs, lists and code fences."""
    out: list[str] = []
    paragraph: list[str] = []
    in_code = False

    def close_paragraph() -> None:
        if paragraph:
            out.append("<p>" + _escape(" ".join(paragraph)) + "</p>")
            paragraph.clear()

    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            close_paragraph()
            out.append("</pre>" if in_code else "<pre>")
            in_code = not in_code
            continue
        if in_code:
            out.append(_escape(line))
            continue
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        item = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$", line)
        if heading:
            close_paragraph()
            level = len(heading.group(1))
            out.append(f"<h{level}>{_escape(heading.group(2))}</h{level}>")
        elif item:
            close_paragraph()
            out.append("<li>" + _escape(item.group(1)) + "</li>")
        elif not line.strip():
            close_paragraph()
        else:
            paragraph.append(line.strip())
    close_paragraph()
    if in_code:
        out.append("</pre>")
    return "\n".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
