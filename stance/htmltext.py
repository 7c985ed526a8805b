"""Visible text of an HTML page, with the standard library's ``html.parser`` only.

* ``script``, ``style``, ``noscript``, ``template`` (and ``head`` metadata such as ``title``, and inline
  ``svg``/``math`` drawings) are dropped, and so are elements hidden by the ``hidden`` attribute or an inline
  ``display: none`` / ``visibility: hidden`` style;
* block elements (``p``, ``div``, ``h1``–``h6``, ``li``, ``tr``, ``article``, ``section``, ``blockquote``, …)
  become separate paragraphs (separated by a blank line), ``<br>`` becomes a line break and two ``<br>`` in
  a row (a blank line on screen) end the paragraph;
* inside a paragraph, runs of whitespace collapse to one space (``<pre>`` keeps its lines);
* character references (``&amp;``, ``&#8217;``, ``&nbsp;`` …) are unescaped; no-break spaces become spaces.

The result is plain text that :func:`stance.text.split_paragraphs` splits into the same paragraphs
the page shows.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text", "BLOCK_TAGS", "DROP_TAGS"]

# Elements whose content is never visible text.
DROP_TAGS = frozenset({"script", "style", "noscript", "template", "title", "svg", "math", "iframe", "object",
                       "select", "textarea", "head"})
# Elements that start and end a paragraph.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frameset", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre",
    "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
})
# Void elements never get an end tag, so they must not open a dropped region.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
_SPACE = re.compile(r"[ \t\n\r\f\v\u00a0\u200b]+")
_NOT_SHOWN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _hidden(attrs) -> bool:
    """An element the page does not show: the ``hidden`` attribute, or an inline ``display: none`` style."""
    return any(name == "hidden" or (name == "style" and value and _NOT_SHOWN.search(value)) for name, value in attrs)
_BLANKS = re.compile(r"\n{3,}")


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []   # finished paragraphs
        self.line: list[str] = []     # text of the paragraph being built
        self.drop: list[str] = []     # stack of open dropped elements
        self.pre = 0

    # -- paragraph building --------------------------------------------------------------------
    def _flush(self) -> None:
        if not self.line:
            return
        raw = "".join(self.line)
        self.line = []
        if self.pre:
            lines = [ln.rstrip() for ln in raw.replace("\u00a0", " ").split("\n")]
            text = "\n".join(ln for ln in lines if ln.strip())
            if text.strip():
                self.blocks.append(text)
            return
        # one <br> breaks the line; two in a row (a blank line on screen) end the paragraph, as pages that
        # lay out an article with <br><br> instead of <p> elements mean it
        kept: list[str] = []
        for part in raw.split("\x00"):
            part = _SPACE.sub(" ", part).strip()
            if part:
                kept.append(part)
            elif kept:
                self.blocks.append("\n".join(kept))
                kept = []
        if kept:
            self.blocks.append("\n".join(kept))

    # -- parser callbacks --------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "body" and self.drop and "head" in self.drop:  # a <head> left open: <body> closes it
            self.drop = []
        if self.drop:
            if tag in DROP_TAGS and tag not in _VOID:
                self.drop.append(tag)
            return
        if tag in DROP_TAGS or (tag not in _VOID and _hidden(attrs)):
            self.drop.append(tag)
            return
        if tag == "br":
            self.line.append("\n" if self.pre else "\x00")  # \x00 marks a hard line break until _flush
        elif tag in BLOCK_TAGS:
            self._flush()
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th"):
            self.line.append(" ")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag in DROP_TAGS and tag not in _VOID:  # <svg/>: opens nothing
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.drop:
            if tag in self.drop:  # close up to the matching open element (forgives unclosed children)
                while self.drop and self.drop.pop() != tag:
                    pass
            return
        if tag in BLOCK_TAGS:
            self._flush()
            if tag == "pre" and self.pre:
                self.pre -= 1
        elif tag == "br":  # </br> is treated as <br> by browsers
            self.line.append("\x00")

    def handle_data(self, data: str) -> None:
        if not self.drop:
            self.line.append(data.replace("\x00", ""))

    def close_text(self) -> str:
        self.close()
        self._flush()
        return "\n\n".join(self.blocks)


def html_to_text(html: str) -> str:
    """The visible text of ``html``: one paragraph per block element, separated by blank lines."""
    parser = _Extractor()
    parser.feed(html)
    return parser.close_text()
