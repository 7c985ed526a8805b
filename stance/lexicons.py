"""Sentiment and opinion word lists shipped inside the package (see data/lexicons/LICENSES.md)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


def _read_lines(name: str) -> list[str]:
    text = (resources.files("stance") / "data" / "lexicons" / name).read_text(encoding="utf-8", errors="replace")
    return text.splitlines()


@lru_cache(maxsize=None)
def vader() -> dict[str, float]:
    """VADER's word → valence map (about -4 … +4)."""
    lexicon: dict[str, float] = {}
    for line in _read_lines("vader_lexicon.txt"):
        parts = line.split("\t")
        if len(parts) >= 2:
            try:
                lexicon[parts[0]] = float(parts[1])
            except ValueError:
                continue
    return lexicon


def _opinion_words(name: str) -> frozenset[str]:
    # The Hu & Liu files open with a ';'-commented preamble.
    return frozenset(w.strip() for w in _read_lines(name) if w.strip() and not w.startswith(";"))


@lru_cache(maxsize=None)
def positive_words() -> frozenset[str]:
    """Hu & Liu opinion lexicon, positive side (~2,000 words)."""
    return _opinion_words("positive-words.txt")


@lru_cache(maxsize=None)
def negative_words() -> frozenset[str]:
    """Hu & Liu opinion lexicon, negative side (~4,800 words)."""
    return _opinion_words("negative-words.txt")
