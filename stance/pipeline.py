"""One article through the whole pass: paragraphs → boilerplate → genre; actors → stance → aggregation."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from .actors import ActorList
from .errors import InvalidInputError
from .results import ActorStance, ArticleResult, Evidence, FailedItem, ParagraphActor, ParagraphResult
from .text import cut_long_sentences, split_paragraphs, split_sentences

if TYPE_CHECKING:
    from .model import Model

EVIDENCE_PER_ACTOR = 3


def check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError(
            f"expected the article text as str, got {type(text).__name__}"
            + ("; decode bytes first, e.g. data.decode('utf-8')" if isinstance(text, (bytes, bytearray)) else ""))
    if not text.strip():
        raise InvalidInputError("the text is empty (or only whitespace); there is nothing to classify", reason="empty")
    if not text.isascii():
        try:  # lone surrogates ("\\ud800" escapes in JSON) are no Unicode text: no UTF-8 output could hold them
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidInputError(f"the text holds a lone surrogate (U+{ord(text[exc.start]):04X}) at character "
                                    f"{exc.start}, which is not valid Unicode text", reason="encoding") from exc
    return text


def _gazetteer():
    from .actors import Gazetteer

    return Gazetteer.default()


def _stance_examples(text: str, paragraph_start: int, paragraph_end: int, mentions: Sequence[Any]):
    """One example per (sentence, actor): the sentence text and the actor's spans inside it."""
    if not mentions:  # no actor in this paragraph: nothing to judge, no need to split its sentences
        return []
    paragraph_text = text[paragraph_start:paragraph_end]
    keep = [(m.start - paragraph_start, m.end - paragraph_start) for m in mentions]  # mentions come sorted
    starts = [k[0] for k in keep]
    examples = []
    for s_start, s_end in cut_long_sentences(paragraph_text, split_sentences(paragraph_text), keep):
        a, b = paragraph_start + s_start, paragraph_start + s_end
        spans_by_actor: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i in range(bisect_left(starts, s_start), bisect_left(starts, s_end)):
            m = mentions[i]
            if m.end <= b:
                spans_by_actor[m.actor].append((m.start - a, m.end - a))
        for actor, spans in spans_by_actor.items():
            examples.append((actor, text[a:b], spans))
    return examples


class _Prepared:
    """One article up to (not including) the stance model: genre done, stance examples collected."""

    __slots__ = ("id", "paragraphs", "genre", "genre_scores", "mixed", "genre_mix", "paragraph_scores",
                 "by_paragraph", "kinds", "aliases", "rows", "texts", "spans")


def _paragraphs(text: Any) -> tuple[str, list[Any], list[Any]]:
    """The checked text, its paragraphs and its content (non-boilerplate) paragraphs."""
    text = check_text(text)
    paragraphs = split_paragraphs(text)
    content = [p for p in paragraphs if not p.boilerplate]
    if not content:
        raise InvalidInputError(
            f"the text ({len(paragraphs)} line{'s' if len(paragraphs) != 1 else ''}) looks like web chrome only "
            "(dates, links, labels, a lone word); there is no article text to classify",
            reason="no_content")
    return text, paragraphs, content


def _prepare(model: "Model", text: str, actors: Mapping[str, Sequence[str]] | None, id: str | None,
             *, split: tuple[str, list[Any], list[Any]] | None = None, probs: np.ndarray | None = None) -> _Prepared:
    """``split``/``probs``: what ``_paragraphs(text)`` and the genre model gave for this text already
    (classify_batch computes them for the whole batch at once)."""
    from .genre import article_genre

    if id is not None and not isinstance(id, str):
        raise TypeError(f"id must be a str or None, got {type(id).__name__}; e.g. id=str(n)")
    text, paragraphs, content = split if split is not None else _paragraphs(text)
    labels = list(model.genres)
    if probs is None:
        probs = model.genre.predict_proba([p.text for p in content])
    genre, genre_scores, mixed, genre_mix = article_genre(probs, [len(p.text) for p in content], labels)
    # rows as Python floats in one tolist() (float(x) of each numpy scalar gives the same numbers, slower)
    prob_rows = np.asarray(probs, dtype=np.float64).tolist()
    paragraph_scores = {p.index: dict(zip(labels, row)) for p, row in zip(content, prob_rows)}

    # Mentions are found over the whole text so that "Choe" later joins "Choe Son-hui" earlier;
    # mentions inside boilerplate (related-headline lists) are dropped: chrome is not the article's voice.
    if isinstance(actors, ActorList):
        mentions = _gazetteer().find(text, actors=actors.actors, replace=actors.replace)
    else:
        mentions = _gazetteer().find(text, actors=actors)
    kinds: dict[str, str] = {}
    aliases: dict[str, dict[str, None]] = defaultdict(dict)
    by_paragraph: dict[int, list[Any]] = defaultdict(list)
    starts = [p.start for p in content]
    ordered = all(a.end <= b.start for a, b in zip(content, content[1:]))
    for m in mentions:
        if ordered:  # paragraphs in text order, not overlapping: only the last one starting before can hold m
            i = bisect_right(starts, m.start) - 1
            holder = content[i] if i >= 0 and m.end <= content[i].end else None
        else:
            holder = next((p for p in content if p.start <= m.start and m.end <= p.end), None)
        if holder is not None:
            by_paragraph[holder.index].append(m)
            kinds.setdefault(m.actor, m.kind)
            aliases[m.actor][m.surface] = None

    rows: list[tuple[int, str, str]] = []  # (paragraph, actor, sentence)
    texts: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    for p in content:
        for actor, sentence, actor_spans in _stance_examples(text, p.start, p.end, by_paragraph.get(p.index, ())):
            rows.append((p.index, actor, sentence))
            texts.append(sentence)
            spans.append(actor_spans)

    prep = _Prepared()
    prep.id, prep.paragraphs = id, paragraphs
    prep.genre, prep.genre_scores, prep.mixed, prep.genre_mix = genre, genre_scores, mixed, genre_mix
    prep.paragraph_scores, prep.by_paragraph, prep.kinds, prep.aliases = paragraph_scores, by_paragraph, kinds, aliases
    prep.rows, prep.texts, prep.spans = rows, texts, spans
    return prep


STANCE_CHUNK = 2048  # mentions featurised at a time: memory stays flat on a text with tens of thousands


def _stance_probs(model: "Model", texts: list[str], spans: list[list[tuple[int, int]]]) -> np.ndarray:
    if not texts:
        return np.zeros((0, 3))
    bounds, count = [0], 0  # chunks of whole examples holding about STANCE_CHUNK mentions each
    for i, s in enumerate(spans):
        count += len(s)
        if count >= STANCE_CHUNK and i + 1 < len(spans):
            bounds.append(i + 1)
            count = 0
    if len(bounds) == 1:
        return model.stance.predict_proba(texts, spans)
    bounds.append(len(texts))
    return np.vstack([model.stance.predict_proba(texts[a:b], spans[a:b]) for a, b in zip(bounds, bounds[1:])])


def _strongest(rows: Sequence[int], scores: Sequence[float], confidences: Sequence[float]) -> list[int]:
    """The evidence: the rows whose scores are strongest and surest."""
    return sorted(rows, key=lambda i: -abs(scores[i]) * confidences[i])[:EVIDENCE_PER_ACTOR]


def _finish(model: "Model", prep: _Prepared, stance_probs: np.ndarray) -> ArticleResult:
    from .scoring import combine_many, mention_confidences, mention_scores

    rows, by_paragraph = prep.rows, prep.by_paragraph
    # as Python floats: the evidence sort and records then do plain float arithmetic (the same IEEE results)
    # instead of making a numpy scalar per row
    scores, confidences = mention_scores(stance_probs).tolist(), mention_confidences(stance_probs).tolist()

    rows_by_actor: dict[str, list[int]] = defaultdict(list)
    rows_by_paragraph_actor: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, (paragraph, actor, _) in enumerate(rows):
        rows_by_actor[actor].append(i)
        rows_by_paragraph_actor[(paragraph, actor)].append(i)

    # combine is a pure function of the rows it gets; an actor named in one paragraph only has the same
    # rows for the paragraph and for the article, so each distinct set of rows is combined once, all in one call
    groups = {tuple(idx): None for idx in rows_by_paragraph_actor.values()}
    groups.update((tuple(idx), None) for idx in rows_by_actor.values())
    combined = dict(zip(groups, combine_many(stance_probs, list(groups))))

    paragraph_results = []
    paragraph_scores = prep.paragraph_scores
    for p in prep.paragraphs:
        paragraph_actors = []
        p_mentions = by_paragraph.get(p.index)
        if p_mentions:
            mention_counts: dict[str, int] = {}
            for m in p_mentions:
                mention_counts[m.actor] = mention_counts.get(m.actor, 0) + 1
            for actor, count in mention_counts.items():
                idx = rows_by_paragraph_actor.get((p.index, actor))
                if not idx:  # a mention the sentence splitter left outside every sentence
                    continue
                score, label, _ = combined[tuple(idx)]
                paragraph_actors.append(ParagraphActor(actor, score, label, count))
        if p.boilerplate:
            genre = p_scores = None
        else:
            p_scores = paragraph_scores[p.index]
            genre = max(p_scores, key=p_scores.get)
        paragraph_results.append(ParagraphResult(p.index, p.start, p.end, p.text, p.boilerplate, genre, p_scores,
                                                 paragraph_actors))

    mention_totals: dict[str, int] = defaultdict(int)
    for p_mentions in by_paragraph.values():
        for m in p_mentions:
            mention_totals[m.actor] += 1
    actor_results = []
    for actor, idx in rows_by_actor.items():
        score, label, confidence = combined[tuple(idx)]
        evidence = [Evidence(rows[i][0], rows[i][2], scores[i]) for i in _strongest(idx, scores, confidences)]
        actor_results.append(ActorStance(
            name=actor, kind=prep.kinds[actor], aliases=list(prep.aliases[actor]), mentions=mention_totals[actor],
            score=score, label=label, confidence=confidence, evidence=evidence))
    actor_results.sort(key=lambda a: (-a.mentions, a.name))

    return ArticleResult(
        id=prep.id, genre=prep.genre, genre_scores=prep.genre_scores, mixed=prep.mixed, genre_mix=prep.genre_mix,
        paragraphs=paragraph_results, actors=actor_results, model=model.info())


def classify(model: "Model", text: str, *, actors: Mapping[str, Sequence[str]] | None = None,
             id: str | None = None) -> ArticleResult:
    prep = _prepare(model, text, actors, id)
    return _finish(model, prep, _stance_probs(model, prep.texts, prep.spans))


def _find_target(text: str, actor: str) -> list[tuple[int, int]]:
    pattern = re.compile(r"(?<!\w)" + re.escape(actor) + r"(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def target_sentences(text: str, targets: list[tuple[int, int]]) -> tuple[list[str], list[list[tuple[int, int]]], list[int]]:
    """The sentences of ``text`` that hold target spans → (sentences, spans inside each, sentence starts): the
    units the stance model scores, one per sentence, before :func:`~stance.scoring.combine` joins them."""
    texts, spans, sentence_starts = [], [], []
    targets = sorted(targets)
    starts = [a for a, _ in targets]
    for s_start, s_end in cut_long_sentences(text, split_sentences(text), targets) or [(0, len(text))]:
        inside = [(a - s_start, b - s_start) for a, b in targets[bisect_left(starts, s_start):bisect_left(starts, s_end)]
                  if b <= s_end]
        if inside:
            texts.append(text[s_start:s_end])
            spans.append(inside)
            sentence_starts.append(s_start)
    if not texts:  # a span that straddles a sentence boundary: judge it in the whole text
        texts, spans, sentence_starts = [text], [list(targets)], [targets[0][0]]
    return texts, spans, sentence_starts


def stance_toward(model: "Model", text: str, actor: str, span: tuple[int, int] | None = None) -> ActorStance:
    """Stance of ``text`` toward one given actor (every whole-word occurrence, or just ``span``: then ``actor``
    only names the result, so the span may hold an alias such as "the Kremlin" for "Russia")."""
    from .scoring import combine, mention_confidences, mention_scores

    text = check_text(text)
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidInputError("actor must be a non-empty string naming the target, e.g. 'Russia'")
    if span is not None:
        try:
            if isinstance(span, (str, bytes)) or any(isinstance(v, bool) or int(v) != v for v in span):
                raise TypeError
            start, end = (int(v) for v in span)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"span must be a (start, end) pair of character offsets, got {span!r}") from exc
        if not 0 <= start < end <= len(text):
            raise InvalidInputError(f"span {span!r} is outside the text (length {len(text)})")
        targets = [(start, end)]
    else:
        targets = _find_target(text, actor)
        if not targets:
            raise InvalidInputError(f"{actor!r} does not occur in the text; pass span=(start, end) to point at the target")

    texts, spans, sentence_starts = target_sentences(text, targets)
    probs = model.stance.predict_proba(texts, spans)
    scores, confidences = mention_scores(probs), mention_confidences(probs)
    score, label, confidence = combine(probs)
    order = _strongest(range(len(texts)), scores, confidences)
    paragraph_starts = [p.start for p in split_paragraphs(text)]
    return ActorStance(
        name=actor, kind=_kind_of(actor), aliases=[actor], mentions=len(targets), score=score, label=label,
        confidence=confidence,
        evidence=[Evidence(max(0, bisect_right(paragraph_starts, sentence_starts[i]) - 1), texts[i], float(scores[i]))
                  for i in order])


def _kind_of(actor: str) -> str:
    """The gazetteer's kind for a name it knows as a whole ("Russia" → country), else "other"."""
    found = _gazetteer().find(actor.strip())
    return found[0].kind if len(found) == 1 and found[0].end - found[0].start == len(actor.strip()) else "other"


# -- many articles ---------------------------------------------------------------------------------

def _failed(exc: Exception, id: str | None) -> FailedItem:
    if isinstance(exc, InvalidInputError):
        return FailedItem(id, exc.reason, str(exc))
    if isinstance(exc, TypeError):
        return FailedItem(id, "wrong_type", str(exc))
    # one bad article must not end a batch of thousands; the record says what happened
    return FailedItem(id, "internal_error", f"{type(exc).__name__}: {exc}")


def classify_or_fail(model: "Model", text: Any, *, id: str | None = None,
                     actors: Mapping[str, Sequence[str]] | None = None) -> ArticleResult | FailedItem:
    """Like classify, but bad input becomes a FailedItem instead of an exception."""
    try:
        return classify(model, text, actors=actors, id=id)
    except Exception as exc:
        return _failed(exc, id)


def classify_batch(model: "Model", items: Sequence[tuple[str | None, Any]],
                   actors: Mapping[str, Sequence[str]] | None = None) -> list[ArticleResult | FailedItem]:
    """``classify_or_fail`` for each (id, text), with one stance-model call for all articles together.

    The stance model scores each (sentence, actor) row on its own, so the rows of many articles give the
    same probabilities in one call as in one call per article; only the per-call overhead is saved.
    Genre stage 1 likewise runs once for the batch; its second stage reads each article as a whole."""
    results: list[ArticleResult | FailedItem | None] = [None] * len(items)
    prepared: list[tuple[int, _Prepared]] = []
    splits: list[tuple[int, tuple[str, list[Any], list[Any]]]] = []
    for k, (item_id, text) in enumerate(items):
        try:
            splits.append((k, _paragraphs(text)))
        except Exception as exc:
            results[k] = _failed(exc, item_id)
    # genre stage 1 for every paragraph of the batch in one call (its rows are independent; stage 2 still
    # reads each article on its own); if that fails, each article goes on its own and fails alone
    genre_probs: list[Any] = [None] * len(splits)
    many = getattr(model.genre, "predict_proba_articles", None)
    if many is not None and splits:
        try:
            genre_probs = many([[p.text for p in content] for _, (_, _, content) in splits])
        except Exception:
            pass
    for (k, split), probs in zip(splits, genre_probs):
        item_id, text = items[k]
        try:
            prepared.append((k, _prepare(model, text, actors, item_id, split=split, probs=probs)))
        except Exception as exc:
            results[k] = _failed(exc, item_id)
    texts = [t for _, prep in prepared for t in prep.texts]
    spans = [s for _, prep in prepared for s in prep.spans]
    try:
        all_probs = _stance_probs(model, texts, spans)
    except Exception:  # find out which article fails: each one on its own
        all_probs = None
    offset = 0
    for k, prep in prepared:
        n = len(prep.texts)
        try:
            probs = all_probs[offset:offset + n] if all_probs is not None else _stance_probs(model, prep.texts, prep.spans)
            results[k] = _finish(model, prep, probs)
        except Exception as exc:
            results[k] = _failed(exc, prep.id)
        offset += n
    return results  # type: ignore[return-value]


_WORKER_MODELS: dict[str, "Model"] = {}


def _worker_batch(model_ref: Any, items: list[tuple[str | None, Any]],
                  actors: Mapping[str, Sequence[str]] | None, render: Callable[[Any], Any] | None = None) -> list[Any]:
    # Workers receive a model path rather than the model itself, and load it once each.
    if isinstance(model_ref, str):
        from .model import load_model

        if model_ref not in _WORKER_MODELS:
            _WORKER_MODELS[model_ref] = load_model(model_ref)
        model_ref = _WORKER_MODELS[model_ref]
    results = classify_batch(model_ref, items, actors)
    return results if render is None else [render(r) for r in results]


def _batches(items: Iterable[tuple[str | None, Any]], size: int) -> Iterator[list[tuple[str | None, Any]]]:
    batch: list[tuple[str | None, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_classify(model: "Model", items: Iterable[tuple[str | None, Any]], *, n_jobs: int = 1, batch_size: int = 32,
                  actors: Mapping[str, Sequence[str]] | None = None,
                  render: Callable[[ArticleResult | FailedItem], Any] | None = None) -> Iterator[Any]:
    """Stream (id, text) pairs through the model, in input order; failures come back as FailedItem.

    ``render`` (picklable) is applied to each result where it is made: in a parallel run the workers then send
    back what it returns (say, a JSON line) instead of the whole result objects, and the parent has less to do.
    """
    if batch_size < 1:
        raise InvalidInputError(f"batch_size must be at least 1, got {batch_size}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise InvalidInputError(f"n_jobs must be a non-zero whole number (1: this process, -1: all cores), got {n_jobs!r}")
    if n_jobs == 1:
        for batch in _batches(items, batch_size):
            yield from _worker_batch(model, batch, actors, render)
        return
    from joblib import Parallel, delayed

    model_ref: Any = str(model.path) if model.path is not None else model
    parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    for results in parallel(delayed(_worker_batch)(model_ref, batch, actors, render) for batch in _batches(items, batch_size)):
        yield from results


def classify_many(model: "Model", texts: Iterable[str], *, n_jobs: int = 1, batch_size: int = 32,
                  actors: Mapping[str, Sequence[str]] | None = None,
                  on_error: str = "raise") -> list[ArticleResult | FailedItem]:
    """Classify many texts, results in input order.

    ``on_error="raise"`` (default) raises on the first bad text, naming its index;
    ``on_error="record"`` puts a :class:`FailedItem` in that text's place and goes on.
    """
    if on_error not in ("raise", "record"):
        raise InvalidInputError(f"on_error must be 'raise' or 'record', got {on_error!r}")
    if isinstance(texts, str):
        raise TypeError("classify_many expects an iterable of texts, not a single string; use classify(text)")
    results = []
    for index, result in enumerate(iter_classify(model, ((None, t) for t in texts), n_jobs=n_jobs,
                                                 batch_size=batch_size, actors=actors)):
        if on_error == "raise" and isinstance(result, FailedItem):  # stop here: the rest is not scored
            if result.error_type == "wrong_type":
                raise TypeError(f"text {index}: {result.message}")
            if result.error_type == "internal_error":  # a fault of stance's, not of the text: do not blame the input
                raise RuntimeError(f"text {index}: stance failed on it ({result.message}); please report this")
            raise InvalidInputError(f"text {index}: {result.message}", reason=result.error_type)
        results.append(result)
    return results
