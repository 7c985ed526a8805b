"""Stance scores, their aggregation and labels: from the target-stance model's class probabilities (columns in
:data:`LABELS` order, as :meth:`stance.targets.StanceClassifier.predict_proba` gives them) to what the pipeline
reports.

Scores and aggregation: :func:`mention_scores` turns class probabilities into ``p_pos - p_neg``;
:func:`aggregate` averages mention scores (weighted by confidence, never summed) into a paragraph/article
score with a confidence that falls when mentions disagree or are few; :func:`label_for` maps a score to a
label with thresholds tuned on PerSenT dev (tuning half; see ``scripts/evaluate_stance.py``).
:func:`combine` (one actor) and :func:`combine_many` (many at once, vectorised) join an actor's mentions into the
``(score, label, confidence)`` the pipeline reports.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from .errors import InvalidInputError

LABELS = ("negative", "neutral", "positive")

# Score thresholds for label_for (aggregated scores), tuned for macro-F1 on PerSenT dev paragraphs and
# documents of a tuning half of the documents; see scripts/evaluate_stance.py ("thresholds" in
# reports/stance_eval.json). Asymmetric because the NewsMTSC-trained model leans negative on general news.
NEGATIVE_THRESHOLD = -0.60
POSITIVE_THRESHOLD = 0.10


def mention_scores(probs: np.ndarray) -> np.ndarray:
    """Per-mention score ``p_positive - p_negative`` in [-1, 1] (columns in LABELS order)."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] != 3:
        raise InvalidInputError(f"probs must have shape (n, 3) in {LABELS} order; got {probs.shape}")
    return np.clip(probs[:, 2] - probs[:, 0], -1.0, 1.0)


def mention_confidences(probs: np.ndarray) -> np.ndarray:
    """Per-mention confidence in [0, 1]: 1 - normalised entropy of the class distribution."""
    probs = np.clip(np.asarray(probs, dtype=np.float64), 1e-12, 1.0)
    if probs.ndim != 2 or probs.shape[1] != 3:
        raise InvalidInputError(f"probs must have shape (n, 3) in {LABELS} order; got {probs.shape}")
    entropy = -(probs * np.log(probs)).sum(axis=1) / np.log(3)
    return np.clip(1.0 - entropy, 0.0, 1.0)


def aggregate(scores: np.ndarray, confidences: np.ndarray, prior_strength: float = 1.0) -> tuple[float, float]:
    """Confidence-weighted average of mention scores → ``(score, confidence)``.

    ``score`` is a weighted mean, so it never leaves the range of the mention scores (repeating a mention
    does not push it towards ±1). ``confidence`` = agreement × support, where agreement = 1 − the weighted
    standard deviation of the scores (scores disagreeing → lower) and support = W / (W + prior_strength)
    with W the sum of mention confidences (few or unsure mentions → lower). No mentions → (0.0, 0.0).
    """
    scores = np.asarray(scores, dtype=np.float64).ravel()
    confidences = np.asarray(confidences, dtype=np.float64).ravel()
    if len(scores) != len(confidences):
        raise InvalidInputError(f"got {len(scores)} scores but {len(confidences)} confidences; pass one per mention")
    if len(scores) == 0:
        return 0.0, 0.0
    if not (np.all(np.isfinite(scores)) and np.all(np.isfinite(confidences))):
        raise InvalidInputError("scores and confidences must be finite numbers")
    scores = np.clip(scores, -1.0, 1.0)
    w = np.clip(confidences, 0.0, 1.0)
    total = float(w.sum())
    if total <= 1e-12:
        return float(scores.mean()), 0.0
    mean = float((w * scores).sum() / total)
    spread = math.sqrt(max(0.0, float((w * (scores - mean) ** 2).sum() / total)))
    agreement = max(0.0, 1.0 - spread)
    support = total / (total + prior_strength)
    return float(np.clip(mean, -1.0, 1.0)), float(np.clip(agreement * support, 0.0, 1.0))


def combine(probs: np.ndarray) -> tuple[float, str, float]:
    """Several mentions of one actor → ``(score, label, confidence)``, as the pipeline reports them.

    Mentions are weighted by :func:`mention_confidences`; the label is the argmax of the weighted mean class
    probabilities, so one mention gets exactly the classifier's own decision, and the score
    (``p_pos - p_neg`` of that mean) equals the weighted mean of the mention scores from :func:`aggregate`.
    One group of :func:`combine_many`, so a single actor and a whole article are combined by the same code.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] != len(LABELS) or len(probs) == 0:
        raise InvalidInputError(f"combine expects an (n >= 1, {len(LABELS)}) array of class probabilities; got {probs.shape}")
    return combine_many(probs, [range(len(probs))])[0]


def label_for(score: float, negative_threshold: float | None = None, positive_threshold: float | None = None) -> str:
    """``"negative"`` below the negative threshold, ``"positive"`` above the positive one, else ``"neutral"``."""
    lo = NEGATIVE_THRESHOLD if negative_threshold is None else negative_threshold
    hi = POSITIVE_THRESHOLD if positive_threshold is None else positive_threshold
    score = float(score)
    if not math.isfinite(score):
        raise InvalidInputError(f"score must be a finite number; got {score}")
    if score < lo:
        return "negative"
    if score > hi:
        return "positive"
    return "neutral"


def combine_many(probs: np.ndarray, groups: Sequence[Sequence[int]], return_probs: bool = False):
    """:func:`combine` for many groups of rows of one probability matrix at once (vectorised in numpy).

    ``groups`` lists row indices (each non-empty); returns one ``(score, label, confidence)`` per group, as
    :func:`aggregate` and the argmax of the weighted mean probabilities give them (up to floating-point
    rounding: the sums are taken in a different order). With ``return_probs``, also the ``(len(groups), 3)``
    weighted mean probabilities the labels come from.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] != len(LABELS):
        raise InvalidInputError(f"combine_many expects an (n, {len(LABELS)}) array of class probabilities; got {probs.shape}")
    groups = [list(g) for g in groups]
    if not groups:
        return ([], np.zeros((0, len(LABELS)))) if return_probs else []
    if any(len(g) == 0 for g in groups):
        raise InvalidInputError("combine_many: every group needs at least one row")
    rows = np.fromiter((i for g in groups for i in g), dtype=np.int64)
    sizes = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
    owner = np.repeat(np.arange(len(groups)), sizes)
    k = len(groups)
    p = probs[rows]
    w = mention_confidences(p)
    s = mention_scores(p)
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(w))):
        raise InvalidInputError("scores and confidences must be finite numbers")
    total = np.bincount(owner, weights=w, minlength=k)
    plain = total <= 1e-12
    safe = np.where(plain, 1.0, total)
    mean_s = np.where(plain, np.bincount(owner, weights=s, minlength=k) / sizes,
                      np.bincount(owner, weights=w * s, minlength=k) / safe)
    spread = np.sqrt(np.maximum(0.0, np.bincount(owner, weights=w * (s - mean_s[owner]) ** 2, minlength=k) / safe))
    agreement = np.maximum(0.0, 1.0 - spread)
    confidence = np.where(plain, 0.0, np.clip(agreement * (total / (total + 1.0)), 0.0, 1.0))
    mean_p = np.column_stack([np.bincount(owner, weights=w * p[:, c], minlength=k) for c in range(len(LABELS))])
    mean_p = np.where(plain[:, None],
                      np.column_stack([np.bincount(owner, weights=p[:, c], minlength=k) for c in range(len(LABELS))])
                      / sizes[:, None], mean_p / safe[:, None])
    labels = mean_p.argmax(axis=1)
    score = np.clip(mean_s, -1.0, 1.0)
    # tolist(): Python numbers in one call (the same values as float()/int() of each numpy scalar)
    combined = list(zip(score.tolist(), map(LABELS.__getitem__, labels.tolist()), confidence.tolist()))
    return (combined, mean_p) if return_probs else combined
