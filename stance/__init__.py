"""stance: genre and actor stance for news text.

>>> import stance
>>> result = stance.classify("Ukraine condemned Russia's brutal attack on Kharkiv.")
>>> result.genre, [(a.name, a.label) for a in result.actors]
"""

from __future__ import annotations

__version__ = "0.1.0"

import os
from typing import Any, Iterable, Mapping, Sequence, Union

from .errors import (
    CorruptModelError,
    IncompatibleModelError,
    InvalidInputError,
    ModelError,
    StanceError,
    TrainingDataError,
)
from .model import Model, load_model
from .results import ActorStance, ArticleResult, Evidence, FailedItem, ParagraphActor, ParagraphResult

GENRES: tuple[str, ...] = ("reporting", "opinion", "satire", "interview")

__all__ = [
    "GENRES", "classify", "classify_many", "stance_toward", "load_model", "Model",
    "ArticleResult", "ParagraphResult", "ParagraphActor", "ActorStance", "Evidence", "FailedItem",
    "StanceError", "InvalidInputError", "ModelError", "CorruptModelError", "IncompatibleModelError",
    "TrainingDataError", "train", "evaluate", "__version__",
]


# a caller's actors: canonical name → its aliases, or → {"aliases": [...], "kind": "person"}
ActorSpec = Mapping[str, Union[Sequence[str], Mapping[str, Any]]]
# a model: a loaded Model, the path of a model folder, or None for the shipped model
ModelArg = Union[Model, str, "os.PathLike[str]", None]


def _model(model: ModelArg) -> Model:
    """The shipped model (None), a loaded :class:`Model`, or the model folder at a path."""
    if model is None:
        return load_model()
    if isinstance(model, (str, os.PathLike)):
        return load_model(model)
    if not isinstance(model, Model):
        raise TypeError(f"model must be a stance Model, a model folder path or None; got {type(model).__name__}")
    return model


def classify(text: str, *, actors: ActorSpec | None = None, replace_actors: bool = False,
             model: ModelArg = None, id: str | None = None) -> ArticleResult:
    """Genre of the article and of each paragraph, and the stance toward each actor it mentions.

    ``actors`` adds your own actors to the default gazetteer: ``{"Kim Jong Un": ["Kim", "North Korean leader"]}``
    (a value may also be ``{"aliases": [...], "kind": "person"}``); with ``replace_actors=True`` only your
    actors are found (no default gazetteer, no guessed personal names). ``model``: a loaded model, a model
    folder (loaded at each call: load it once with :func:`load_model` for many calls), or None for the shipped one.
    """
    return _model(model).classify(text, actors=actors, replace_actors=replace_actors, id=id)


def classify_many(texts: Iterable[str], *, n_jobs: int = 1, batch_size: int = 32,
                  model: ModelArg = None, actors: ActorSpec | None = None,
                  replace_actors: bool = False, on_error: str = "raise") -> list[ArticleResult | FailedItem]:
    """:func:`classify` for many texts, results in input order; ``n_jobs=-1`` uses every core.

    With ``on_error="record"`` a text that cannot be classified yields a :class:`FailedItem` in its place.
    """
    return _model(model).classify_many(texts, n_jobs=n_jobs, batch_size=batch_size, actors=actors,
                                       replace_actors=replace_actors, on_error=on_error)


def stance_toward(text: str, actor: str, span: tuple[int, int] | None = None, *,
                  model: ModelArg = None) -> ActorStance:
    """Stance of ``text`` toward one actor you name (every whole-word occurrence of it, matched with its case as
    given, or only ``span``)."""
    return _model(model).stance_toward(text, actor, span)


def train(data, *, output=None, base: Model | None = None, include_default_data=None, seed: int = 0, **kwargs) -> Model:
    """Train a model on your own labelled files or folders (see README "Training on your own data").

    Rows with ``text`` + ``genre`` train the genre part; rows with ``text`` + ``actor`` + ``stance`` train the
    stance part; a part your data lacks is taken from ``base`` (default: the shipped model).
    """
    from .training import train as _train

    return _train(data, output=output, base=base, include_default_data=include_default_data, seed=seed, **kwargs)


def evaluate(data, model: ModelArg = None) -> dict:
    """Per-class precision/recall/F1, confusion matrix and calibration of ``model`` on labelled data."""
    from .training import evaluate as _evaluate

    return _evaluate(data, _model(model))
