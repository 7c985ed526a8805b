"""Paragraphs with character offsets, sentences, and boilerplate (web chrome) detection."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the input: ``source[start:end] == text``."""

    index: int
    start: int
    end: int
    text: str
    boilerplate: bool = False


def split_paragraphs(text: str) -> list[Paragraph]:
    """Split on blank lines and on single newlines; surrounding whitespace is trimmed from each span."""
    paragraphs: list[Paragraph] = []
    for match in _LINE.finditer(text):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        end = start + len(stripped)
        paragraphs.append(Paragraph(len(paragraphs), start, end, stripped))
    return paragraphs


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text`` (placeholder rule; replaced by trained Punkt)."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    if start < len(text.rstrip()):
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if text[s:e].strip()]
