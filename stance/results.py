"""Result objects. ``to_dict()`` here is the one place the JSON contract is produced (see README)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


def _round(value: float) -> float:
    return round(float(value), 4)


def _scores(scores: dict[str, float] | None) -> dict[str, float] | None:
    return None if scores is None else {k: round(float(v), 4) for k, v in scores.items()}


@dataclass(frozen=True)
class Evidence:
    """A sentence that moved an actor's score: its paragraph index and its own mention score."""

    paragraph: int
    sentence: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"paragraph": self.paragraph, "sentence": self.sentence, "score": _round(self.score)}


@dataclass(frozen=True)
class ActorStance:
    """The text's stance toward one actor: score in [-1, 1], label, confidence in [0, 1], evidence."""

    name: str
    kind: str
    aliases: list[str]
    mentions: int
    score: float
    label: str
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "aliases": list(self.aliases),
            "mentions": self.mentions,
            "score": _round(self.score),
            "label": self.label,
            "confidence": _round(self.confidence),
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class ParagraphActor:
    """Stance toward one actor within one paragraph."""

    name: str
    score: float
    label: str
    mentions: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": round(float(self.score), 4), "label": self.label, "mentions": self.mentions}


@dataclass(frozen=True)
class ParagraphResult:
    """One paragraph: ``source_text[start:end] == text``. Boilerplate paragraphs have no genre and no actors."""

    index: int
    start: int
    end: int
    text: str
    boilerplate: bool
    genre: str | None
    genre_scores: dict[str, float] | None
    actors: list[ParagraphActor] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "boilerplate": self.boilerplate,
            "genre": self.genre,
            "genre_scores": _scores(self.genre_scores),
            "actors": [a.to_dict() for a in self.actors],
        }


@dataclass(frozen=True)
class ArticleResult:
    """Everything stance says about one article."""

    id: str | None
    genre: str
    genre_scores: dict[str, float]
    mixed: bool
    genre_mix: dict[str, float]
    paragraphs: list[ParagraphResult]
    actors: list[ActorStance]
    model: dict[str, str]

    def actor(self, name: str) -> ActorStance | None:
        """The actor with this canonical name or alias, if the article mentions it."""
        for actor in self.actors:
            if actor.name == name or name in actor.aliases:
                return actor
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "genre": self.genre,
            "genre_scores": _scores(self.genre_scores),
            "mixed": self.mixed,
            "genre_mix": _scores(self.genre_mix),
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "actors": [a.to_dict() for a in self.actors],
            "model": dict(self.model),
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)


@dataclass(frozen=True)
class FailedItem:
    """An input that could not be scored: batch runs record it and go on."""

    id: str | None
    error_type: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "error": {"type": self.error_type, "message": self.message}}

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)
