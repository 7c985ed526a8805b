"""Genre of articles and of each paragraph in context: reporting, opinion, satire, interview.

Two linear stages, both stored as plain JSON + numeric numpy arrays:

* **Stage 1** (paragraph model): ``LinearTextClassifier`` on the paragraph's own word 1–2-grams plus
  hand-made, journalist-nameable style features (:data:`DENSE_NAMES`: pronouns, modal verbs, attribution
  verbs and quotes, numbers and dates, questions, speaker labels / Q-A turns, exclamations, superlatives,
  Hu & Liu evaluative words, VADER intensity, a word subjectivity score learnt from the Pang & Lee
  subjectivity sentences at train time).
* **Stage 2** (context model): a multinomial logistic regression over the paragraph's stage-1
  log-probabilities, its neighbours' stage-1 probabilities (±1 and a distance-weighted ±3 window), the
  article's character-weighted mean stage-1 probabilities, the article mean and local window mean of the
  style features, and position/length.  It is trained on *out-of-fold* stage-1 predictions, on the real
  training articles plus synthetic mixed pages (blocks of different-genre articles glued together), so it
  learns when to follow the article and when a block of neighbours overrides it.  A short neutral
  sentence inside a satirical piece becomes satire; a Q&A block after a report stays interview.
  With ``segment_penalty`` (on by default) it also sees the mean stage-1 log-probabilities of
  the paragraph's *run*: the page is cut into runs by :func:`segment_runs` (the genre sequence that best
  explains the stage-1 evidence, paying a fixed cost per change of genre), so each block of a mixed page is
  judged by all of its own paragraphs rather than by the page average.  With ``run_model`` and
  ``run_style`` (on by default) each run is also read as one text by two more linear models trained on whole
  articles: one on stage 1's n-grams counted over the run, its style features averaged over the run and the
  run's length; one on the run's style words alone (closed-class words and word shapes, :func:`style_tokens`,
  so no topic or outlet vocabulary).  A whole text carries more evidence of its genre than the mean of its
  paragraphs' readings.  They tell reporting, opinion and satire apart, not interview (the training
  interviews are all long transcripts of one layout, and a model of whole texts learns to demand that), and
  stage 2 is then two steps: interview or not, from everything but their readings, then which other genre.

Short texts: with ``short_pages`` (on in the default model) stage 2 also trains on short pages of 1–3
paragraphs, and a lone paragraph's missing neighbours are given as the uniform distribution, so a
one-paragraph text's own stage-1 evidence is not counted again as its context.  ``rate_prior`` (off in the
default model: it cost seed-page accuracy, reports/genre_short_texts.md) smooths the per-word style rates
(count / (words + k)) so that a text of one to five words cannot get an extreme rate.

:func:`article_genre` turns paragraph probabilities into the article label, genre scores, ``mixed`` and
the per-genre share of characters.  ``mixed`` is true when at least two genres each hold at least
:data:`MIXED_SHARE` (20 %) of the content characters (by the paragraphs' argmax genre).
"""

from __future__ import annotations

import json
import math
import re
import string
import zipfile
from collections import Counter
from itertools import chain, count, repeat
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .lexicons import negative_words, positive_words, vader
from .linear import TOKEN_PATTERN, LinearTextClassifier, fit_logistic, fit_temperature, softmax

GENRES = ("reporting", "opinion", "satire", "interview")
MIXED_SHARE = 0.20
STATE_FORMAT = "stance.genre/1"

# ----------------------------------------------------------------------------------------------------
# Hand-made features
# ----------------------------------------------------------------------------------------------------
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_FP1 = frozenset("i me my mine myself i'm i've i'd i'll".split())
_FP2 = frozenset("we us our ours ourselves we're we've we'd we'll let's".split())
_SP = frozenset("you your yours yourself yourselves you're you've you'd you'll y'all ya".split())
_MODALS = frozenset("should must ought would could might may shall need needs cannot can't shouldn't "
                    "wouldn't couldn't mustn't".split())
_REPORT = frozenset("said says told according announced reported stated added confirmed noted explained "
                    "spokesman spokeswoman spokesperson statement officials official claimed warned "
                    "insisted declined comment asked "
                    # more speech-act verbs a reporter attributes with
                    "saying tells telling announces announcing reports confirms confirming explains explaining "
                    "claims claiming warns warning insists insisting adds adding "
                    "affirmed affirms affirming asserted asserts asserting emphasized emphasised emphasizing "
                    "emphasising stressed stressing indicated indicating expressed expressing reiterated "
                    "reiterating urged urging vowed vowing pledged acknowledged admitted denied denies denying "
                    "accused accusing described describing elaborated revealed disclosed estimated estimates "
                    "replied responded remarked commented testified quoted cited citing briefed "
                    "spokesmen spokeswomen".split())
_MONTHS = frozenset("january february march april may june july august september october november december "
                    "monday tuesday wednesday thursday friday saturday sunday jan feb mar apr jun jul aug "
                    "sep sept oct nov dec".split())
_HEDGE = frozenset("perhaps arguably seems seem seemingly clearly surely certainly indeed obviously "
                   "undeniably crucial vital must simply merely rather yet however nonetheless "
                   "nevertheless instead".split())
_INTENS = frozenset("very really totally absolutely completely utterly so incredibly extremely literally "
                    "truly entirely ever".split())
_SATIRE = frozenset("apparently reportedly allegedly folks sources local area man woman nation "
                    "announced unveiled".split())
_CONVERS = frozenset("well yes no yeah okay ok oh look listen thank thanks sir president".split())
_TITLE_ABBR = frozenset("mr mrs ms dr rep sen gov gen st lt col sgt prof rev jr sr vs no u.s u.k".split())
# Speaker labels: "**Interviewer:**", "Q:", "Q.", "A.", "The President.", "O'Donnell.", "MR. SMITH:".
_SPEAKER_MD = re.compile(r"^\*\*[^*\n]{1,60}?:?\*\*:?\s")
_TIMESTAMP = re.compile(r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?\s+")  # "[00:01:12] Priya: ..." in a transcript
_SPEAKER_QA = re.compile(r"^(?:Q|A|Question|Answer)\s*[.:]\s", re.I)
_SPEAKER_NAME = re.compile(r"^((?:[A-Z][\w'’\-]*\.?\s){0,3}[A-Z][\w'’\-]*)\s?[.:]\s+(?=[\"“A-Z0-9])")
_QUOTE = re.compile(r"[\"“”]")
_DIGIT = re.compile(r"\d[\d,.]*")
# = r"\b(?:19|20)\d\d\b": the word-boundary test comes after the first character (a pattern that starts with
# an assertion is tried at every position; one that starts with a character uses the engine's fast scan)
_YEAR = re.compile(r"(?:1(?<!\w1)9|2(?<!\w2)0)\d\d\b")
_CAPWORD = re.compile(r"\b[A-Z][a-z]+")
_SENT_END = re.compile(r"[.!?]+(?:\s|$)")

DENSE_NAMES = (
    "log_chars", "words_per_sentence", "first_person_sg", "first_person_pl", "second_person",
    "modal_verbs", "attribution_verbs", "quote_marks", "quoted_share", "numbers", "dates_years",
    "question_marks", "ends_with_question", "exclamations", "speaker_label", "qa_label",
    "markdown_speaker", "conversational_words", "superlatives", "intensifiers", "hedges_evaluative",
    "satire_cues", "allcaps_words", "capitalised_words", "positive_words", "negative_words",
    "vader_intensity", "subjectivity", "short_paragraph", "heading_like",
)


_MOJIBAKE = re.compile(r"â\S{0,2}|Ã\S?|Â")
_TRANS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": " - ", "–": " - ", "\u00a0": " "})
_TRANS_PAIRS = tuple((chr(k), v) for k, v in _TRANS.items())
_SENT_START = re.compile(r"(^|[.!?:;\"(]\s+|\n)$")
# = r"\b[A-Z][a-z]*(?:'[A-Z][a-z]+)?(?:-[A-Z][a-z]+)*\b", the leading \b tested after the capital (see _YEAR)
_CAP_TOKEN = re.compile(r"[A-Z](?<!\w.)[a-z]*(?:'[A-Z][a-z]+)?(?:-[A-Z][a-z]+)*\b")
_KEEP_CAPS = frozenset("I Mr Mrs Ms Dr Q A President Senator Governor Secretary Minister Prime Congressman "
                       "Congresswoman Sir Madam Interviewer Question Answer".split())
_ABBR_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|St|Prof|Rev|Lt|Col)\.\s+$")


_PER_OWNER: dict[tuple, tuple[tuple, Any]] = {}


def _per_owner(make, *owners):
    """``make(*owners)``, built once per (make, owners) and kept across calls. Owners are told apart by identity
    and held here, so an id cannot be reused by another object while its table is kept (bounded)."""
    key = (make, *map(id, owners))
    hit = _PER_OWNER.get(key)
    if hit is None:
        if len(_PER_OWNER) > 32:
            _PER_OWNER.clear()
        hit = _PER_OWNER[key] = (owners, make(*owners))
    return hit[1]


_STARTS_SENTENCE: dict[str, bool] = {}  # the 8 characters before a capitalised word → does it start a sentence


def _starts_sentence(before: str) -> bool:
    """Whether a capitalised word after ``before`` (the up to 8 characters before it; empty at the start of the
    text) starts a sentence, for :func:`normalise`; remembered (bounded)."""
    skip = bool((not before or _SENT_START.search(before[-3:])) and not _ABBR_BEFORE.search(before))
    if len(_STARTS_SENTENCE) < 100_000:
        _STARTS_SENTENCE[before] = skip
    return skip


def normalise(text: str) -> str:
    """Text as stage 1 sees it: typographic quotes/dashes made plain (sources differ in typography, genres
    do not), mojibake removed, and capitalised words that do not start a sentence masked as ``Xname`` so
    the n-grams learn style rather than the people, places and outlets of each source's era.  Role words
    (President, Mr, Secretary …) and the pronoun I are kept."""
    if not text.isascii():  # every character _TRANS and _MOJIBAKE act on is non-ASCII
        for char, plain in _TRANS_PAIRS:  # = text.translate(_TRANS): no replacement holds a replaced character
            if char in text:
                text = text.replace(char, plain)
        if "â" in text or "Ã" in text or "Â" in text:
            text = _MOJIBAKE.sub("", text)
    out: list[str] = []
    append = out.append
    last = 0
    kept = _KEEP_CAPS
    starts_sentence = _STARTS_SENTENCE
    for m in _CAP_TOKEN.finditer(text):
        start, end = m.span()
        if text[start:end] in kept:
            continue
        before = text[start - 8:start] if start >= 8 else text[:start]
        skip = starts_sentence.get(before)
        if skip is None:
            skip = _starts_sentence(before)
        if skip:
            continue
        append(text[last:start])
        append("Xname")
        last = end
    if not out:
        return text  # nothing masked
    append(text[last:])
    return "".join(out)


# = r"(?u)\b\w[\w']*\b" (a word character, then word characters and apostrophes, up to the last word
# character): the same matches without testing a word boundary at every position
_TOKEN = re.compile(r"\w+(?:'[\w']*\b)?")


def _run_table(kept: str) -> bytes:
    """A ``bytes.translate`` table that keeps the ASCII characters ``kept`` and turns every other byte into a space."""
    return bytes(b if chr(b) in kept else 32 for b in range(256))


_TOKEN_RUNS = _run_table(string.ascii_letters + string.digits + "_'")  # \w on ASCII text, and the apostrophe


def _ascii_runs(text: str, table: bytes, strip: bool) -> list[str]:
    """The words of an ASCII ``text``: its maximal runs of the characters ``table`` keeps, apostrophes removed
    from the start of each run (and its end, with ``strip``), runs of apostrophes alone dropped.  Like a
    regular expression's ``findall`` (see the callers) but without a match per word: one ``translate`` and
    one ``split`` in C, the apostrophes fixed only where a run starts (ends) with one."""
    runs = text.encode("ascii").translate(table).decode("ascii")
    words = runs.split()
    if "'" in runs and (runs[:1] == "'" or " '" in runs or strip and (runs[-1:] == "'" or "' " in runs)):
        words = [w for w in (w.strip("'") if strip else w.lstrip("'") for w in words) if w]
    return words


def _ascii_tokens(text: str) -> list[str]:
    """``_TOKEN.findall(text)`` for an ASCII text: a token runs from a word character to the last word
    character of its run of word characters and apostrophes, so it is the run with its edge apostrophes dropped."""
    return _ascii_runs(text, _TOKEN_RUNS, True)


_TOKEN_SPLIT = re.compile(r"(?u)\b(\w[\w']*)\b")  # _TOKEN as one group: split() keeps the words


class _WordMemo(dict):
    """token → what the filter makes of it, filled in on first sight (bounded). ``_KeptWord`` keeps the token
    as written (what :func:`filter_tokens` writes), ``_AnalyzedWord`` lower-cases it (what stage 1's analyzer
    then sees); a word outside ``allowed`` becomes ``xrare`` in both."""

    __slots__ = ("allowed",)
    lower = False

    def __init__(self, allowed: frozenset[str] | set[str]) -> None:
        super().__init__()
        self.allowed = allowed

    def __missing__(self, token: str) -> str:
        low = token.lower()
        out = (low if self.lower else token) if low in self.allowed else "xrare"
        if len(self) < 200_000:
            self[token] = out
        return out


class _KeptWord(_WordMemo):
    __slots__ = ()


class _AnalyzedWord(_WordMemo):
    __slots__ = ()
    lower = True


def _word_memo(kind: type[_WordMemo], allowed: frozenset[str] | set[str]) -> _WordMemo:
    """One memo per (kind, frozen allowed set), kept across calls; a mutable set may change between calls,
    so it gets a fresh memo each time."""
    return _per_owner(kind, allowed) if isinstance(allowed, frozenset) else kind(allowed)


def filter_tokens(text: str, allowed: frozenset[str] | set[str] | None) -> str:
    """Replace words outside ``allowed`` (lower-cased) by ``xrare``; ``None`` keeps every word."""
    if not allowed:
        return text
    parts = _TOKEN_SPLIT.split(text)  # gap, word, gap, word, …, gap
    if len(parts) > 1:
        parts[1::2] = map(_word_memo(_KeptWord, allowed).__getitem__, parts[1::2])
    return "".join(parts)


def stage1_tokens(model: LinearTextClassifier, texts: Sequence[str],
                  allowed: frozenset[str] | set[str] | None) -> list[list[str]]:
    """The tokens ``model`` finds in ``filter_tokens(normalise(t), allowed)`` for each text, i.e. what
    ``model.transform`` of those strings counts.  On an ASCII text with the default analyzer (lower-case,
    :data:`~stance.linear.TOKEN_PATTERN`) the words filter_tokens sees are exactly the analyzer's tokens, so
    each word is mapped straight to its token (lower-cased or ``xrare``) without building the filtered text."""
    fast = model.lowercase and model.token_pattern == TOKEN_PATTERN
    find = model._token_re.findall
    memo = _word_memo(_AnalyzedWord, allowed) if allowed else None
    out = []
    for text in texts:
        norm = normalise(text)
        if fast and norm.isascii():
            if memo is not None:
                out.append(list(map(memo.__getitem__, _TOKEN.findall(norm))))
            else:
                out.append(_TOKEN.findall(norm.lower()))
        else:
            filtered = filter_tokens(norm, allowed)
            out.append(find(filtered.lower() if model.lowercase else filtered))
    return out


class _WordId(dict):
    """raw token → the word id (in ``words``, the stage-1 model's n-gram index) of what the analyzer sees after
    :func:`filter_tokens`: the lower-cased token if it is in ``allowed``, else ``xrare``; ``-1`` for a word the
    vocabulary lacks.  Filled in on first sight (bounded)."""

    __slots__ = ("allowed", "words")

    def __init__(self, allowed: frozenset[str] | set[str] | None, words: dict[str, int]) -> None:
        super().__init__()
        self.allowed = allowed
        self.words = words

    def __missing__(self, token: str) -> int:
        low = token.lower()
        if self.allowed and low not in self.allowed:
            low = "xrare"
        out = self.words.get(low, -1)
        if len(self) < 200_000:
            self[token] = out
        return out


def _word_id_memo(allowed: frozenset[str] | set[str] | None, words: dict[str, int]) -> _WordId:
    """One memo per (frozen allowed set or None, index words), kept across calls (a mutable set: a fresh one)."""
    if allowed is not None and not isinstance(allowed, frozenset):
        return _WordId(allowed, words)
    return _per_owner(_WordId, allowed, words)


def stage1_ids(model: LinearTextClassifier, texts: Sequence[str], allowed: frozenset[str] | set[str] | None,
               prepare=normalise) -> tuple[np.ndarray, np.ndarray] | None:
    """``(ids, lengths)``: the word ids (``model._ngram_index()``) of :func:`stage1_tokens`' tokens, all texts'
    one after the other, and each text's number of tokens: what ``model._counts_of_ids`` counts.  ``None`` when
    the model's vocabulary has no such index (n-grams longer than 2).  ``prepare``: what is done to each text
    before its words are found (``str``: nothing, the words of the text as it is, for the headline model)."""
    index = model._ngram_index()
    if not index:
        return None
    words = index[0]
    fast = model.lowercase and model.token_pattern == TOKEN_PATTERN
    memo = _word_id_memo(allowed or None, words)
    get = memo.__getitem__
    find = model._token_re.findall
    flat: list[int] = []
    lengths = []
    for text in texts:
        norm = prepare(text)
        if fast and norm.isascii():
            ids = list(map(get, _ascii_tokens(norm)))
        else:
            filtered = filter_tokens(norm, allowed)
            ids = list(map(words.get, find(filtered.lower() if model.lowercase else filtered), repeat(-1)))
        flat += ids
        lengths.append(len(ids))
    return np.array(flat, dtype=np.int64), np.array(lengths, dtype=np.int64)


def stage1_proba(model: LinearTextClassifier, texts: Sequence[str], allowed: frozenset[str] | set[str] | None,
                 dense: np.ndarray) -> np.ndarray:
    """``model.predict_proba_tokens(stage1_tokens(model, texts, allowed), dense)``, counted from word ids."""
    found = stage1_ids(model, texts, allowed)
    if found is None:
        return model.predict_proba_tokens(stage1_tokens(model, texts, allowed), dense)
    return model.predict_proba_ids(found[0], found[1], dense)


def cross_source_words(texts: Sequence[str], groups: Sequence[str], min_groups: int) -> set[str]:
    """Words used in at least ``min_groups`` different source groups (source-specific names and jargon
    — site names, recurring columnists, one outlet's pet topics — are dropped from the n-grams)."""
    seen: dict[str, set[str]] = {}
    for t, g in zip(texts, groups):
        for w in set(m.group().lower() for m in _TOKEN.finditer(t)):
            seen.setdefault(w, set()).add(g)
    return {w for w, gs in seen.items() if len(gs) >= min_groups}


def _turn_start(text: str) -> str:
    """``text`` from where a speaker label would start: leading space and a transcript timestamp skipped."""
    text = text.lstrip()
    m = _TIMESTAMP.match(text) if text[:1] in "[(0123456789" else None
    return text[m.end():] if m else text


def speaker_label(text: str) -> str | None:
    """The speaker prefix of a transcript turn ("Interviewer", "Q", "The President"), or None; a timestamp
    before it ("[00:01:12] Priya: ...") is skipped."""
    text = _turn_start(text)
    m = _SPEAKER_MD.match(text)
    if m:
        return m.group(0).strip(" *:\t")
    m = _SPEAKER_QA.match(text)
    if m:
        return m.group(0).strip(" .:\t")
    m = _SPEAKER_NAME.match(text)
    if m:
        label = m.group(1)
        words = label.lower().replace("’", "'").split()
        if words[-1].rstrip(".") in _TITLE_ABBR or len(label) < 2:
            return None
        sep = text[m.end(1):m.end(1) + 2].strip()
        # "Yes." / "Well." alone are not labels; a one-word label needs a name-like word or a colon.
        if len(words) == 1 and sep != ":" and not (label[0].isupper() and ("'" in label or "’" in label
                                                                          or label.isupper())):
            return None
        if len(words) >= 2 and sep != ":" and words[0] not in ("the", "mr.", "mrs.", "ms.", "dr.") and \
                not label.isupper() and not all(w[0].isupper() for w in label.split()):
            return None
        return label
    return None


def _mean(vals: list[float]) -> float:
    """``float(np.mean(vals))`` for a non-empty list of floats (the same pairwise sum, without the overhead)."""
    return float(_add_reduce(np.array(vals, dtype=np.float64))) / len(vals)


_add_reduce = np.add.reduce


def _subjectivity_score(tokens: list[str], subj: dict[str, float] | None) -> float:
    if not subj:
        return 0.0
    get = subj.get
    vals = [v for v in map(get, tokens) if v is not None]
    return _mean(vals) if vals else 0.0


_QUOTED = re.compile(r"[\"“][^\"“”]{1,600}[\"”]")
_ALLCAPS = re.compile(r"\b[A-Z]{3,}\b")
_HEADING_END = re.compile(r"[.!]\s*$")
_NOT_SUPERLATIVE = frozenset(("interest", "request", "protest", "suggest", "honest", "modest"))
_SUPERLATIVE_WORDS = frozenset(("most", "best", "worst"))
def _abs_values(lex: dict[str, float]) -> dict[str, float]:
    return {w: abs(v) for w, v in lex.items()}


def _abs_lexicon(lex: dict[str, float]) -> dict[str, float]:
    """word → |valence|, built once per lexicon."""
    return _per_owner(_abs_values, lex)


def _hits(counts: dict[str, int], words: frozenset[str]) -> int:
    """How many tokens (with repeats) are in ``words``, from the token counts."""
    if not isinstance(words, (set, frozenset)):
        words = frozenset(words)
    return sum(map(counts.__getitem__, words.intersection(counts)))  # walks the (few) counted words


def paragraph_features(text: str, subjectivity: dict[str, float] | None = None,
                       rate_prior: float = 0.0) -> np.ndarray:
    """The :data:`DENSE_NAMES` features of one paragraph (rates are per word unless named otherwise).

    ``rate_prior`` > 0 smooths the rates: per-word rates become count / (words + rate_prior), and the
    per-sentence question and exclamation rates count at most one mark per sentence over (sentences + 1), so
    a text of a few words cannot have an extreme rate (a 1-word text: at most 1 / (1 + rate_prior)).
    0 keeps the raw rates (models trained before the smoothing)."""
    text = text or ""
    tokens = _lower_tokens(text)
    n = len(tokens) + rate_prior if rate_prior > 0 else max(len(tokens), 1)
    n_sent = max(len(_SENT_END.findall(text)), 1)
    n_sent_marks = n_sent + 1 if rate_prior > 0 else n_sent
    pos, neg, lex = positive_words(), negative_words(), vader()
    counts = Counter(tokens)

    def rate(words: frozenset[str]) -> float:
        return _hits(counts, words) / n

    quoted = sum(map(len, _QUOTED.findall(text)))
    lstripped = _turn_start(text)
    speaker = speaker_label(text)
    md = 1.0 if _SPEAKER_MD.match(lstripped) else 0.0
    qa = 1.0 if _SPEAKER_QA.match(lstripped) else 0.0
    superl = sum(c for t, c in counts.items()
                 if (t.endswith("est") and len(t) > 5 and t not in _NOT_SUPERLATIVE)
                 or t in _SUPERLATIVE_WORDS) / n
    allcaps = len(_ALLCAPS.findall(text)) / n
    absl = _abs_lexicon(lex)
    vals = [v for v in map(absl.get, tokens) if v is not None]
    stripped = text.strip()
    heading = 1.0 if (len(tokens) <= 14 and not _HEADING_END.search(stripped)) else 0.0
    feats = [
        math.log1p(len(text)),
        min(len(tokens) / n_sent, 80.0) / 10.0,
        rate(_FP1), rate(_FP2), rate(_SP), rate(_MODALS), rate(_REPORT),
        len(_QUOTE.findall(text)) / n,
        quoted / max(len(text), 1),
        len(_DIGIT.findall(text)) / n,
        (len(_YEAR.findall(text)) + _hits(counts, _MONTHS)) / n,
        (min(text.count("?"), n_sent) if rate_prior > 0 else text.count("?")) / n_sent_marks,
        1.0 if stripped.endswith("?") else 0.0,
        (min(text.count("!"), n_sent) if rate_prior > 0 else text.count("!")) / n_sent_marks,
        1.0 if speaker else 0.0, qa, md,
        rate(_CONVERS), superl, rate(_INTENS), rate(_HEDGE), rate(_SATIRE), allcaps,
        len(_CAPWORD.findall(text)) / n,
        rate(pos), rate(neg),
        _mean(vals) if vals else 0.0,
        _subjectivity_score(tokens, subjectivity),
        1.0 if len(tokens) < 12 else 0.0,
        heading,
    ]
    return np.array(feats, dtype=np.float64)


_LOWER_WORD_RUNS = _run_table(string.ascii_lowercase + "'")
_COL = {name: i for i, name in enumerate(DENSE_NAMES)}
_RATE_COLUMNS = ("first_person_sg", "first_person_pl", "second_person", "modal_verbs", "attribution_verbs",
                 "conversational_words", "intensifiers", "hedges_evaluative", "satire_cues")


# _CAPWORD and _ALLCAPS in one scan: both start at a word boundary with a capital; a capitalised word's
# match ("Xy") yields its second letter, an all-caps word's match ("XYZ") the empty string.  Neither can start
# inside a word, so taking only two letters of a capitalised word finds the same matches as _CAPWORD does.
# = r"\b[A-Z](?:([a-z])|[A-Z]{2,}\b)", the leading \b tested after the capital (see _YEAR)
_CAPS = re.compile(r"[A-Z](?<!\w.)(?:([a-z])|[A-Z]{2,}\b)")


def _lower_tokens(text: str) -> list[str]:
    """``[t.lower().replace("’", "'") for t in _WORD.findall(text)]``."""
    if text.isascii():
        # = re.findall(r"[a-z][a-z']*", text.lower()) (_WORD on a lower-cased ASCII text): a word runs from
        # a letter to the end of its run of letters and apostrophes
        return _ascii_runs(text.lower(), _LOWER_WORD_RUNS, False)
    raw = _WORD.findall(text)
    # the tokens are ASCII letters and apostrophes only, so lower-casing them joined is the same as one by one
    return "\n".join(raw).lower().replace("’", "'").split("\n") if raw else []


# ASCII sentence-end marks as ".", white space (what \s matches) as " ", everything else as "x"
_SENT_END_MARKS = bytes(46 if chr(b) in ".!?" else 32 if chr(b).isspace() else 120 for b in range(256))


def _count_sentence_ends(text: str) -> int:
    """``len(_SENT_END.findall(text))``.  On an ASCII text without a regex: each match is a run of ``.!?``
    followed by white space or the end, so in the text with the marks as "." and white space as " " there is
    one ". " per match, plus one if the text ends with a mark."""
    if not text.isascii():
        return len(_SENT_END.findall(text))
    marks = text.encode("ascii").translate(_SENT_END_MARKS)
    return marks.count(b". ") + marks.endswith(b".")


def _segment_means(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per segment ``float(np.mean(segment))`` (0.0 for an empty one): the same pairwise sum per segment."""
    out = np.zeros(len(lengths))
    ends = np.cumsum(lengths)
    reduce = _add_reduce
    for i in np.flatnonzero(lengths).tolist():
        end = int(ends[i])
        count = int(lengths[i])
        out[i] = float(reduce(values[end - count:end])) / count
    return out


_ENDS_EST = re.compile(r"^[^\n]{3,}est$", re.M)
def _bit_table(*word_lists) -> dict[str, int]:
    table: dict[str, int] = {}
    for j, words in enumerate(word_lists):
        for w in words:
            table[w] = table.get(w, 0) | (1 << j)
    return table


def _word_list_table(word_lists: tuple) -> dict[str, int]:
    """word → bit mask of the lists it is in; built once per tuple of frozensets (a list that may change
    between calls is read afresh each time)."""
    if all(isinstance(words, frozenset) for words in word_lists):
        return _per_owner(_bit_table, *word_lists)
    return _bit_table(*word_lists)


def features_matrix(paragraphs: Sequence[str], subjectivity: dict[str, float] | None = None,
                    rate_prior: float = 0.0) -> np.ndarray:
    """``np.vstack([paragraph_features(p, subjectivity) for p in paragraphs])``, with the word-list features
    counted for all paragraphs at once (the same integer counts and the same float sums, so the same numbers).
    A change to paragraph_features must be made here too: the tests compare the two on many texts."""
    if not paragraphs:
        return np.zeros((0, len(DENSE_NAMES)))
    texts = [p or "" for p in paragraphs]
    if not all(type(t) is str for t in texts):  # e.g. str subclasses: one paragraph at a time
        return np.vstack([paragraph_features(p, subjectivity, rate_prior) for p in paragraphs])
    n_par = len(texts)
    token_lists = list(map(_lower_tokens, texts))
    lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=n_par)
    n = lengths + rate_prior if rate_prior > 0 else np.maximum(lengths, 1)
    flat = list(chain.from_iterable(token_lists))
    vocab = dict(zip(dict.fromkeys(flat), count()))  # distinct tokens → 0, 1, 2, … in order of first sight
    ids = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
    offsets = np.zeros(n_par, dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    nonempty = lengths > 0

    def per_paragraph(word_values: np.ndarray) -> np.ndarray:
        """Sum over each paragraph's tokens of an integer value per distinct word."""
        out = np.zeros(n_par, dtype=np.int64)
        if len(flat):
            out[nonempty] = np.add.reduceat(word_values[ids], offsets[nonempty])
        return out

    pos, neg, lex = positive_words(), negative_words(), vader()
    word_lists = (_FP1, _FP2, _SP, _MODALS, _REPORT, _CONVERS, _INTENS, _HEDGE, _SATIRE, pos, neg, _MONTHS)
    table = _word_list_table(word_lists)  # word → bit j set when the word is in word_lists[j]
    n_lists = len(word_lists)
    flags = np.zeros((len(vocab), n_lists + 1), dtype=np.int64)  # the last column: superlatives
    hit = table.keys() & vocab.keys()
    if hit:
        at = np.fromiter(map(vocab.__getitem__, hit), dtype=np.int64, count=len(hit))
        bits = np.fromiter(map(table.__getitem__, hit), dtype=np.int64, count=len(hit))
        flags[at, :n_lists] = (bits[:, None] >> np.arange(n_lists)) & 1
    # superlatives: words of more than 5 characters ending in "est" (one scan of the distinct words, which
    # never contain a line break), less the exceptions, plus most/best/worst
    ending_est = _ENDS_EST.findall("\n".join(vocab))
    superl_words = [vocab[w] for w in ending_est if w not in _NOT_SUPERLATIVE]
    superl_words += [vocab[w] for w in _SUPERLATIVE_WORDS.intersection(vocab) if w not in ending_est]
    flags[superl_words, n_lists] = 1
    counts = np.zeros((n_par, n_lists + 1), dtype=np.int64)
    if len(flat):
        counts[nonempty] = np.add.reduceat(flags[ids], offsets[nonempty], axis=0)
    rates = {name: counts[:, j] / n for j, name in enumerate(_RATE_COLUMNS)}
    rates["positive_words"] = counts[:, 9] / n
    rates["negative_words"] = counts[:, 10] / n
    months = counts[:, 11]
    rates["superlatives"] = counts[:, n_lists] / n

    def lexicon_means(values_of: dict[str, float]) -> np.ndarray:
        """Per paragraph, the mean value of its tokens found in ``values_of``, in token order (0.0 if none)."""
        # one pass over the distinct words each (vocab's keys are in id order): in the lexicon, and its value
        n_vocab = len(vocab)
        has = np.fromiter(map(values_of.__contains__, vocab), dtype=bool, count=n_vocab).astype(np.int64)
        value = np.fromiter(map(values_of.get, vocab, repeat(0.0)), dtype=np.float64, count=n_vocab)
        present = has[ids].astype(bool)
        return _segment_means(value[ids][present], per_paragraph(has))

    vader_mean = lexicon_means(_abs_lexicon(lex))
    subj_mean = lexicon_means(subjectivity) if subjectivity else np.zeros(n_par)

    rows = []
    smooth = rate_prior > 0
    for text, n_tokens in zip(texts, lengths.tolist()):
        n_words = n_tokens + rate_prior if smooth else max(n_tokens, 1)
        n_sent = max(_count_sentence_ends(text), 1)
        n_sent_marks = n_sent + 1 if smooth else n_sent
        lstripped = _turn_start(text)
        stripped = text.strip()
        caps = _CAPS.findall(text)
        rows.append((
            math.log1p(len(text)),
            min(n_tokens / n_sent, 80.0) / 10.0,
            (text.count('"') + text.count("“") + text.count("”")) / n_words,  # _QUOTE
            (sum(map(len, _QUOTED.findall(text))) if '"' in text or "“" in text else 0) / max(len(text), 1),
            len(_DIGIT.findall(text)) / n_words,
            len(_YEAR.findall(text)) if "19" in text or "20" in text else 0,
            (min(text.count("?"), n_sent) if smooth else text.count("?")) / n_sent_marks,
            1.0 if stripped.endswith("?") else 0.0,
            (min(text.count("!"), n_sent) if smooth else text.count("!")) / n_sent_marks,
            1.0 if speaker_label(text) else 0.0,
            1.0 if _SPEAKER_QA.match(lstripped) else 0.0,
            1.0 if _SPEAKER_MD.match(lstripped) else 0.0,
            caps.count("") / n_words,  # _ALLCAPS
            (len(caps) - caps.count("")) / n_words,  # _CAPWORD
            1.0 if n_tokens < 12 else 0.0,
            1.0 if (n_tokens <= 14 and not _HEADING_END.search(stripped)) else 0.0,
        ))
    per_text = np.array(rows, dtype=np.float64)
    out = np.empty((n_par, len(DENSE_NAMES)), dtype=np.float64)
    for j, name in enumerate(("log_chars", "words_per_sentence", "quote_marks", "quoted_share", "numbers",
                              "dates_years", "question_marks", "ends_with_question", "exclamations",
                              "speaker_label", "qa_label", "markdown_speaker", "allcaps_words",
                              "capitalised_words", "short_paragraph", "heading_like")):
        out[:, _COL[name]] = per_text[:, j]
    out[:, _COL["dates_years"]] = (per_text[:, 5].astype(np.int64) + months) / n
    for name, values in rates.items():
        out[:, _COL[name]] = values
    out[:, _COL["vader_intensity"]] = vader_mean
    out[:, _COL["subjectivity"]] = subj_mean
    return out


def shipped_subjectivity() -> dict[str, float]:
    """The subjectivity word scores shipped with stance (learnt once from Pang & Lee by learn_subjectivity)."""
    from importlib import resources

    path = resources.files("stance") / "data" / "lexicons" / "subjectivity_scores.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))["scores"])


def learn_subjectivity(zip_path: Path, min_count: int = 5,
                       max_words: int = 4000) -> dict[str, float]:
    """Word → smoothed log-odds of appearing in a subjective vs objective Pang & Lee sentence (train time)."""
    with zipfile.ZipFile(zip_path) as z:
        subj = z.read("subjectivity/quote.tok.gt9.5000").decode("latin-1").lower()
        obj = z.read("subjectivity/plot.tok.gt9.5000").decode("latin-1").lower()
    from collections import Counter
    cs, co = Counter(_WORD.findall(subj)), Counter(_WORD.findall(obj))
    ns, no = sum(cs.values()), sum(co.values())
    scores = {}
    for w in set(cs) | set(co):
        if cs[w] + co[w] >= min_count:
            scores[w] = math.log((cs[w] + 1) / ns) - math.log((co[w] + 1) / no)
    keep = sorted(scores, key=lambda w: -abs(scores[w]))[:max_words]
    return {w: float(np.clip(scores[w], -3, 3)) for w in sorted(keep)}


# ----------------------------------------------------------------------------------------------------
# Style view: the paragraph as closed-class words + word shapes (a second stage-1 model)
# ----------------------------------------------------------------------------------------------------
STYLE_WORDS = frozenset("""
a an the this that these those some any each every all both either neither no none another other such
i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves one ones someone somebody something
anyone anybody anything everyone everybody everything nobody nothing who whom whose which what whatever
whoever where when why how whether if unless because since although though while whereas as than so
and or but nor yet for of in on at by with without within from to into onto upon about above below
over under between among through during before after against toward towards across along around behind
beyond despite except inside outside near off out up down per via amid
be am is are was were been being have has had having do does did done doing
will would shall should can could may might must ought need needs cannot
not no never nor n't don't doesn't didn't won't wouldn't can't couldn't shouldn't isn't aren't wasn't
weren't hasn't haven't hadn't i'm i've i'd i'll we're we've we'd we'll you're you've you'd you'll
he's she's it's they're they've they'd that's there's here's what's let's
there here then now today yesterday tomorrow tonight still already also too even just only again ever
very really quite rather pretty so such much many more most less least few fewer lot lots
totally absolutely completely utterly incredibly extremely literally truly entirely simply merely
perhaps maybe probably possibly certainly surely clearly obviously apparently reportedly allegedly
indeed however therefore thus hence meanwhile moreover furthermore nevertheless nonetheless instead
otherwise accordingly besides well yes yeah okay ok oh look listen thank thanks please sir madam
said says say saying told tell tells telling according added asked announced stated noted explained
confirmed reported claimed warned insisted declined comment statement spokesman spokeswoman spokesperson
official officials sources source think thought believe believes know knew feel felt want wanted
mr mrs ms dr president minister secretary senator governor interviewer question answer q
""".split())
_STYLE_TOKEN = re.compile(r"[A-Za-z][A-Za-z']*|\d[\d,.:]*|[.,;:!?\"()%$-]")
_STYLE_PUNCT = {".": "xdot", ",": "xcomma", ";": "xsemi", ":": "xcolon", "!": "xexcl", "?": "xquest",
                '"': "xquote", "(": "xparen", ")": "xparen", "%": "xpct", "$": "xcur", "-": "xdash"}


def _style_of(tok: str) -> str:
    c = tok[0]
    if c.isdigit():
        return "xnum"
    if not c.isalpha():
        return _STYLE_PUNCT.get(tok, "xsym")
    if tok == "Xname":
        return "xname"
    low = tok.lower()
    if low in STYLE_WORDS:
        return low.replace("'", "q")
    if low.endswith("ly"):
        return "xly"
    if low.endswith("ing"):
        return "xing"
    if low.endswith("ed"):
        return "xed"
    if low.endswith("est") and len(low) > 5:
        return "xest"
    if low.endswith("s") and not low.endswith("ss"):
        return "xws"
    return "xcap" if c.isupper() else "xw"


class _StyleMemo(dict):
    """token → :func:`_style_of`, filled in on first sight (bounded)."""

    def __missing__(self, tok: str) -> str:
        out = _style_of(tok)
        if len(self) < 200_000:
            self[tok] = out
        return out


_STYLE_MEMO = _StyleMemo()


def style_tokens(text: str) -> list[str]:
    """``text`` (already through :func:`normalise`) as closed-class words and word shapes: names → xname,
    numbers → xnum, other words → their shape (xly, xing, xed, xest, xcap, xw), punctuation → xdot … .
    Topic, outlet and era vocabulary cannot enter n-grams over this view; syntax and voice can."""
    return list(map(_STYLE_MEMO.__getitem__, _STYLE_TOKEN.findall(text)))


def style_text(text: str) -> str:
    """:func:`style_tokens` joined by spaces."""
    return " ".join(style_tokens(text))


class _StyleId(dict):
    """token → the word id (``words``) of its :func:`_style_of`, ``-1`` if none; filled in on first sight (bounded)."""

    def __init__(self, words: dict[str, int]) -> None:
        super().__init__()
        self.words = words

    def __missing__(self, tok: str) -> int:
        out = self.words.get(_STYLE_MEMO[tok], -1)
        if len(self) < 200_000:
            self[tok] = out
        return out


def style_ids(model: LinearTextClassifier, normalised: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, lengths)`` of :func:`style_tokens` of each text (already through :func:`normalise`) as word ids of
    ``model._ngram_index()`` (a model of style words, uni- and bigrams): what ``model._counts_of_ids`` counts."""
    get = _per_owner(_StyleId, model._ngram_index()[0]).__getitem__
    lists = [_STYLE_TOKEN.findall(t) for t in normalised]
    ids = np.fromiter(map(get, chain.from_iterable(lists)), dtype=np.int64)
    return ids, np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))


# ----------------------------------------------------------------------------------------------------
# Context features for stage 2
# ----------------------------------------------------------------------------------------------------
def _run_genres(labels: Sequence[str]) -> list[str]:
    """The genres the models that read whole runs tell apart: all but interview. The training interviews are
    long transcripts of long turns in one layout, and a model of whole texts learns to demand that: a short
    Q&A, or one with other speaker labels, read as opinion or satire. Stage 1 and the runs find interviews
    without them."""
    rest = [g for g in labels if g != "interview"]
    return rest if len(rest) >= 2 else list(labels)


def _context_names(labels: Sequence[str], style_view: bool = False, segments: bool = False,
                   runs: Sequence[str] = (), run_style: Sequence[str] = ()) -> list[str]:
    names = [f"p1_log_{g}" for g in labels]
    names += [f"adjacent_{g}" for g in labels]
    names += [f"window3_{g}" for g in labels]
    names += [f"article_{g}" for g in labels]
    names += ["rel_position", "is_first", "log_chars_self"]
    if segments:
        names += [f"segment_log_{g}" for g in labels]
    names += [f"run_text_log_{g}" for g in runs]
    names += [f"run_style_log_{g}" for g in run_style]
    if style_view:
        names += [f"style_log_{g}" for g in labels]
    return names


def context_features(p1: np.ndarray, dense_z: np.ndarray, lengths: np.ndarray,
                     prior_fallback: bool = False) -> np.ndarray:
    """Stage-2 inputs for every paragraph of one article, from stage-1 probabilities only.

    ``dense_z`` (scaled style features) is accepted for interface stability but not used: article-level
    means of style features let stage 2 learn source formatting (heading and paragraph-length habits of
    each corpus), which did not transfer to real pages.

    A paragraph without neighbours (a one-paragraph text) has no neighbour evidence: with ``prior_fallback``
    its adjacent and window features are the uninformative uniform distribution rather than its own
    stage-1 probabilities (which would count the same evidence again)."""
    n, k = p1.shape
    if n == 0:
        return np.zeros((0, 4 * k + 3))
    w = np.asarray(lengths, dtype=np.float64) + 20.0
    art = (p1 * w[:, None]).sum(0) / w.sum()
    idx = np.arange(n)
    # neighbour sums over the band |i - j| <= 3 only (an n x n weight matrix took gigabytes on long texts)
    adj_sum, adj_n = np.zeros_like(p1), np.zeros(n)
    win_sum, win_w = np.zeros_like(p1), np.zeros(n)
    for d in range(1, min(3, n - 1) + 1):
        wd = w / d  # paragraph j counts by its length and 1 / distance
        win_sum[:-d] += p1[d:] * wd[d:, None]
        win_w[:-d] += wd[d:]
        win_sum[d:] += p1[:-d] * wd[:-d, None]
        win_w[d:] += wd[:-d]
        if d == 1:
            adj_sum[:-1] += p1[1:]
            adj_sum[1:] += p1[:-1]
            adj_n[:-1] += 1
            adj_n[1:] += 1

    missing = np.full_like(p1, 1.0 / k) if prior_fallback else p1
    adj_p = np.where(adj_n[:, None] > 0, adj_sum / np.maximum(adj_n, 1e-12)[:, None], missing)
    win_p = np.where(win_w[:, None] > 0, win_sum / np.maximum(win_w, 1e-12)[:, None], missing)
    pos = idx / max(n - 1, 1)
    return np.hstack([
        np.log(np.clip(p1, 1e-4, 1.0)), adj_p, win_p, np.repeat(art[None, :], n, 0),
        # no article-length feature: training windows are 10–24 paragraphs long, so stage 2 learnt
        # "one-paragraph text → satire" from corpus layout rather than from style
        pos[:, None], (idx == 0).astype(float)[:, None],
        np.log1p(np.asarray(lengths, dtype=float))[:, None],
    ])


def segment_runs(log_p1: np.ndarray, penalty: float) -> np.ndarray:
    """Run id of every paragraph: the genre sequence with the highest summed stage-1 log-probabilities less
    ``penalty`` per change of genre (Viterbi with one switching cost), cut where the genre changes.

    A page of blocks (a column, then a wire report, then a Q&A) becomes its blocks, so stage 2 can judge each
    block by the evidence of all its paragraphs together rather than by the page average; a paragraph whose
    contrary evidence is weaker than ``penalty`` (log-probability units) does not start a run of its own."""
    rows = np.asarray(log_p1, dtype=np.float64).tolist()
    if not rows:
        return np.zeros(0, dtype=np.int64)
    states = range(len(rows[0]))
    score, back = rows[0], []
    for row in rows[1:]:  # plain floats: for four genres this is several times faster than numpy per step
        top = max(score)
        best, switch = score.index(top), top - penalty
        back.append([j if score[j] >= switch else best for j in states])
        score = [max(score[j], switch) + row[j] for j in states]
    state = score.index(max(score))
    path = [state]
    for pointers in reversed(back):
        state = pointers[state]
        path.append(state)
    path.reverse()
    return np.cumsum([0] + [a != b for a, b in zip(path, path[1:])])


def segment_features(log_p1: np.ndarray, penalty: float, run: np.ndarray | None = None) -> np.ndarray:
    """Each paragraph's run (:func:`segment_runs`, or ``run`` when already known) mean stage-1
    log-probabilities, one column per genre."""
    if len(log_p1) == 0:
        return np.zeros_like(log_p1)
    if run is None:
        run = segment_runs(log_p1, penalty)
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    means = np.add.reduceat(log_p1, starts, axis=0) / np.diff(np.r_[starts, len(run)])[:, None]
    return means[run]


def _block(rng: np.random.Generator, span: tuple[int, int], low: int, high: int) -> range:
    """Rows of a random run of ``low`` to ``high - 1`` consecutive paragraphs inside ``span`` (an article)."""
    s, e = span
    size = int(rng.integers(low, high))
    b0 = int(rng.integers(s, max(s + 1, e - size + 1)))
    return range(b0, min(e, b0 + size))


# ----------------------------------------------------------------------------------------------------
# The classifier
# ----------------------------------------------------------------------------------------------------
class GenreClassifier:
    """Paragraph genre in context (two linear stages); see the module docstring.

    Plain parameters: ``ngram_range``, ``min_df``, ``max_features``, ``C`` (stage 1), ``C2`` (stage 2),
    ``dense_weight``, ``oof_folds`` (folds for out-of-fold stage-1 predictions), ``synthetic_mixed``
    (synthetic mixed pages per real article for stage 2), ``seed``, ``subjectivity_zip`` (Pang & Lee zip
    to learn word scores from at fit time; ``None`` → the scores shipped in stance/data/lexicons).

    ``headline_feature``: one more stage-1 feature, the satire-vs-reporting log-odds of each paragraph from a
    separate small model (TF-IDF of its words, logistic regression, ``headline_C``) trained on the headlines
    passed to ``fit(headlines=...)`` (the Onion vs r/nottheonion, :func:`stance.corpus.load_headlines`).
    Satire written as deadpan news is hard to tell from reporting by style; thousands of satirical and
    weird-but-true headlines teach what is *absurd* about the content, from many more sources than the
    satire articles have. Measured in reports/genre_headlines.md.

    ``segment_penalty``: > 0 gives stage 2 the mean stage-1 log-probabilities of each paragraph's run
    (:func:`segment_runs`, this cost per change of genre); 0 (as in models saved before it existed) leaves
    it out.

    ``run_model``: also read each run as one text with a model fitted on whole training articles (stage 1's
    word n-grams counted over the run, the character-weighted mean of its paragraphs' style features, its
    length in characters and paragraphs; ``run_C``), out of fold like stage 1, and give stage 2 its
    log-probabilities.  ``run_style``: the same with a model of the run's style words (uni- and bigrams of
    :func:`style_tokens`).  Both leave out interview (:func:`_run_genres`); with either, stage 2 decides
    interview or not without their readings (:meth:`_gate`).
    """

    def __init__(self, *, ngram_range=(1, 2), min_df: int = 3, max_features: int | None = 60000,
                 C: float = 4.0, C2: float = 0.5, dense_weight: float = 1.0, oof_folds: int = 4,
                 synthetic_mixed: float = 0.6, seed: int = 0, min_groups: int = 3,
                 class_weight: str | None = "balanced",
                 subjectivity_zip: str | None = None, style_view: bool = False,
                 style_ngram_range=(1, 3), headline_feature: bool = False, headline_C: float = 1.0,
                 rate_prior: float = 0.0, short_pages: float = 0.0, segment_penalty: float = 4.0,
                 run_model: bool = True, run_C: float = 2.0, run_style: bool = True) -> None:
        self.ngram_range = tuple(ngram_range)
        self.min_df = min_df
        self.max_features = max_features
        self.C = C
        self.C2 = C2
        self.dense_weight = dense_weight
        self.oof_folds = oof_folds
        self.synthetic_mixed = synthetic_mixed
        self.seed = seed
        self.min_groups = min_groups
        self.class_weight = class_weight
        self.allowed_words: frozenset[str] | None = None
        self.subjectivity_zip = subjectivity_zip
        self.style_view = bool(style_view)
        self.style_ngram_range = tuple(style_ngram_range)
        self.headline_feature = bool(headline_feature)
        self.headline_C = headline_C
        self.rate_prior = float(rate_prior)
        self.short_pages = float(short_pages)
        self.segment_penalty = float(segment_penalty)
        self.run_model = bool(run_model)
        self.run_C = float(run_C)
        self.run_style = bool(run_style)
        self.run_style_model_: LinearTextClassifier | None = None
        self.run_model_: LinearTextClassifier | None = None
        self.headline_model_: LinearTextClassifier | None = None
        self.stage1_style_: LinearTextClassifier | None = None
        self.labels: tuple[str, ...] = GENRES
        self.temperature = 1.0
        self.subjectivity: dict[str, float] = {}

    def plain_params(self) -> dict[str, Any]:
        return {"ngram_range": list(self.ngram_range), "min_df": self.min_df, "max_features": self.max_features,
                "C": self.C, "C2": self.C2, "dense_weight": self.dense_weight, "oof_folds": self.oof_folds,
                "synthetic_mixed": self.synthetic_mixed, "seed": self.seed, "min_groups": self.min_groups,
                "class_weight": self.class_weight,
                "subjectivity_zip": self.subjectivity_zip, "style_view": self.style_view,
                "style_ngram_range": list(self.style_ngram_range), "headline_feature": self.headline_feature,
                "headline_C": self.headline_C, "rate_prior": self.rate_prior, "short_pages": self.short_pages,
                "segment_penalty": self.segment_penalty, "run_model": self.run_model, "run_C": self.run_C,
                "run_style": self.run_style}

    def _stage2_names(self) -> list[str]:
        return _context_names(self.labels, self.style_view, self.segment_penalty > 0,
                              self._run_labels(self.run_model_) if self.run_model else (),
                              self._run_labels(self.run_style_model_) if self.run_style else ())

    def _run_labels(self, model: LinearTextClassifier | None) -> list[str]:
        """The genres of a run model's readings, in ``labels`` order: its classes (a model saved before
        :func:`_run_genres` knows interview too), or those it would be fitted on."""
        if model is None:
            return _run_genres(self.labels)
        classes = set(model.classes_)
        return [g for g in self.labels if g in classes]

    def _stage2_inputs(self, p1: np.ndarray, dense_z: np.ndarray, lengths: np.ndarray,
                       run_log: np.ndarray | None = None, run: np.ndarray | None = None) -> np.ndarray:
        """context_features over the word view; the style view (if any) enters for the paragraph itself
        only — its article and window means made stage 2 follow page-wide style too readily."""
        k = len(self.labels)
        X = context_features(p1[:, :k], dense_z, lengths, prior_fallback=self.short_pages > 0)
        if self.segment_penalty > 0:
            X = np.hstack([X, segment_features(np.log(np.clip(p1[:, :k], 1e-4, 1.0)), self.segment_penalty, run)])
        if self.run_model or self.run_style:
            X = np.hstack([X, run_log])
        if p1.shape[1] > k:
            X = np.hstack([X, np.log(np.clip(p1[:, k:], 1e-4, 1.0))])
        return X

    # -- stage 1 ---------------------------------------------------------------------------------
    def stage1_dense(self, paragraphs: Sequence[str]) -> np.ndarray:
        """Stage-1 dense features: :data:`DENSE_NAMES`, then (``headline_feature``) the headline log-odds."""
        dense = features_matrix(paragraphs, self.subjectivity, self.rate_prior)
        if self.headline_model_ is None:
            return dense
        model = self.headline_model_
        satire = list(model.classes_).index("satire")
        found = stage1_ids(model, paragraphs, None, prepare=str)  # its words are those of the lower-cased text
        proba = (model.predict_proba([t.lower() for t in paragraphs]) if found is None
                 else model.predict_proba_ids(found[0], found[1]))
        p = np.clip(proba[:, satire], 1e-4, 1 - 1e-4)
        return np.hstack([dense, np.log(p / (1 - p))[:, None]])

    def _dense_names(self) -> list[str]:
        return list(DENSE_NAMES) + (["headline_satire_logodds"] if self.headline_feature else [])

    def _stage1(self) -> LinearTextClassifier:
        return LinearTextClassifier(ngram_range=self.ngram_range, min_df=self.min_df,
                                    max_features=self.max_features, C=self.C, class_weight=self.class_weight,
                                    max_iter=3000, dense_weight=self.dense_weight)

    def _stage1_style(self) -> LinearTextClassifier:
        return LinearTextClassifier(ngram_range=self.style_ngram_range, min_df=self.min_df,
                                    max_features=self.max_features, C=self.C, class_weight=self.class_weight,
                                    max_iter=3000)

    def _p1_style(self, model: LinearTextClassifier, style_texts: Sequence[str]) -> np.ndarray:
        proba = model.predict_proba(list(style_texts))
        order = [list(model.classes_).index(g) for g in self.labels]
        return proba[:, order]

    def _p1(self, model: LinearTextClassifier, texts: Sequence[str], dense: np.ndarray) -> np.ndarray:
        proba = stage1_proba(model, texts, self.allowed_words, dense)
        order = [list(model.classes_).index(g) for g in self.labels]
        return proba[:, order]

    # -- the run model: each run of paragraphs read as one text ---------------------------------------
    # A run is read through stage 1's own vocabulary: its n-gram counts are those of its paragraphs' tokens one
    # after the other, and its style features the character-weighted mean of its paragraphs', so reading the
    # runs costs no second pass over the text.
    def _tokens(self, model: LinearTextClassifier, paragraphs: Sequence[str],
                normalised: Sequence[str] | None = None) -> tuple:
        """Each paragraph's stage-1 tokens for ``model``'s vocabulary: ``("ids", word ids one paragraph after
        the other, tokens per paragraph)`` where :func:`stage1_ids` applies, else ``("tokens", token lists)``.
        ``normalised``: the paragraphs already through :func:`normalise`, when the caller has them."""
        found = (stage1_ids(model, paragraphs, self.allowed_words) if normalised is None
                 else stage1_ids(model, normalised, self.allowed_words, prepare=str))
        if found is not None:
            return ("ids", *found)
        return ("tokens", stage1_tokens(model, paragraphs, self.allowed_words))

    @staticmethod
    def _stage1_from_tokens(model: LinearTextClassifier, tokens: tuple, dense: np.ndarray) -> np.ndarray:
        """What :func:`stage1_proba` gives for the paragraphs whose tokens these are."""
        if tokens[0] == "ids":
            return model.predict_proba_ids(tokens[1], tokens[2], dense)
        return model.predict_proba_tokens(tokens[1], dense)

    @staticmethod
    def _run_counts(model: LinearTextClassifier, tokens: tuple, runs: list[np.ndarray]) -> tuple:
        """(indptr, columns, counts) of the n-grams (``model``'s vocabulary) of each run, given as the indices of
        its paragraphs in order."""
        if tokens[0] == "tokens":
            lists = tokens[1]
            return model._counts_of_tokens([[t for r in rows for t in lists[r]] for rows in runs])
        ids, lengths = tokens[1], tokens[2]
        order = np.concatenate(runs) if runs else np.zeros(0, dtype=np.int64)
        if not np.array_equal(order, np.arange(len(lengths))):  # not simply all paragraphs in order
            offsets = np.r_[0, np.cumsum(lengths)]
            ids = np.concatenate([ids[offsets[r]:offsets[r + 1]] for r in order.tolist()] or [ids[:0]])
        run_lengths = np.array([int(lengths[rows].sum()) for rows in runs], dtype=np.int64)
        return model._counts_of_ids(ids, run_lengths)

    @staticmethod
    def _run_dense(dense: np.ndarray, chars: np.ndarray, runs: list[np.ndarray]) -> np.ndarray:
        """Each run's style: its paragraphs' stage-1 dense features weighted by their length, then the log of
        its characters and of its paragraphs (the style features of the whole text, computed afresh, measured
        no better: LSO article 0.851 against 0.848, at the cost of a second pass over the text)."""
        if not runs:
            return np.zeros((0, dense.shape[1] + 2))
        order = np.concatenate(runs)
        sizes = np.array([len(rows) for rows in runs])
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        w = chars[order] + 1.0
        mean = np.add.reduceat(dense[order] * w[:, None], starts, axis=0) / np.add.reduceat(w, starts)[:, None]
        return np.hstack([mean, np.log1p(np.add.reduceat(chars[order], starts))[:, None], np.log(sizes)[:, None]])

    def _run_training(self, runs: Sequence[np.ndarray], labels: Sequence[str]) -> tuple[list, list]:
        """The runs (and their labels) a run model is fitted on: those of the genres it reads (:func:`_run_genres`)."""
        keep = set(_run_genres(self.labels))
        pairs = [(rows, lab) for rows, lab in zip(runs, labels) if lab in keep]
        return [rows for rows, _ in pairs], [lab for _, lab in pairs]

    def _fit_run(self, stage1: LinearTextClassifier, tokens: tuple, dense: np.ndarray, chars: np.ndarray,
                 runs: list[np.ndarray], labels: Sequence[str]) -> LinearTextClassifier:
        runs, labels = self._run_training(runs, labels)
        model = LinearTextClassifier(ngram_range=self.ngram_range, C=self.run_C, class_weight=self.class_weight,
                                     max_iter=3000, dense_weight=self.dense_weight)
        indptr, cols, counts = self._run_counts(stage1, tokens, runs)
        # the vocabulary is stage 1's, the inverse document frequencies are over whole texts (as scikit-learn's
        # smoothed idf): a word in most paragraphs of few articles is not a common word of articles
        df = np.bincount(cols, minlength=len(stage1.vocabulary_))
        model._set_vocabulary(stage1.vocabulary_, np.log((1.0 + len(runs)) / (1.0 + df)) + 1.0)
        return model.fit_tfidf(stage1.vocabulary_, model.idf_, model._tfidf(len(runs), indptr, cols, counts),
                               list(labels), self._run_dense(dense, chars, runs))

    def _runs(self, p1: np.ndarray) -> np.ndarray:
        k = len(self.labels)
        if self.segment_penalty <= 0:
            return np.zeros(len(p1), dtype=np.int64)
        return segment_runs(np.log(np.clip(p1[:, :k], 1e-4, 1.0)), self.segment_penalty)

    def _run_logs(self, model: LinearTextClassifier | None, tokens: tuple, dense: np.ndarray, chars: np.ndarray,
                  pages: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
        """For each page, given as (its paragraphs' indices into ``tokens``/``dense``/``chars``, their run ids
        from :meth:`_runs`): every paragraph's run read by the run model, as log-probabilities (uniform where
        ``model`` is None)."""
        def read(runs: list[np.ndarray]) -> np.ndarray:
            tfidf = model._tfidf(len(runs), *self._run_counts(model, tokens, runs))
            return model.predict_proba_tfidf(tfidf, self._run_dense(dense, chars, runs))
        return self._each_run(model, pages, read, self._run_labels(model))

    def _run_style_logs(self, model: LinearTextClassifier | None, normalised: Sequence[str],
                        pages: Sequence[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
        """As :meth:`_run_logs`, each run read by the run style model from its paragraphs' style words
        (:func:`style_ids` of the paragraphs through :func:`normalise`, one paragraph after the other, as the
        model's vectorizer counts the joined text)."""
        def read(runs: list[np.ndarray]) -> np.ndarray:
            counts = self._run_counts(model, ("ids", *style_ids(model, normalised)), runs)
            return model.predict_proba_tfidf(model._tfidf(len(runs), *counts))
        return self._each_run(model, pages, read, self._run_labels(model))

    def _page_run_logs(self, pages: Sequence[tuple[np.ndarray, np.ndarray]], run_model: LinearTextClassifier | None,
                       tokens: tuple, style_model: LinearTextClassifier | None, normalised: Sequence[str] | None,
                       dense: np.ndarray, chars: np.ndarray) -> list[np.ndarray | None]:
        """Each page's run readings as stage 2 takes them: the run model's (``run_model`` on), then the run
        style model's (``run_style`` on); None where both are off."""
        logs: list[np.ndarray | None] = [None] * len(pages)
        if self.run_model:
            logs = self._run_logs(run_model, tokens, dense, chars, pages)
        if self.run_style:
            style = self._run_style_logs(style_model, normalised, pages)
            logs = [log if r is None else np.hstack([r, log]) for r, log in zip(logs, style)]
        return logs

    @staticmethod
    def _each_run(model: LinearTextClassifier | None, pages: Sequence[tuple[np.ndarray, np.ndarray]],
                  read, labels: Sequence[str]) -> list[np.ndarray]:
        k = len(labels)
        run_ids = [run for _, run in pages]
        runs = [rows[run == r] for (rows, _), run in zip(pages, run_ids)
                for r in range(int(run[-1]) + 1 if len(run) else 0)]
        if model is None or not runs:
            logs = np.full((len(runs), k), np.log(1.0 / k))
        else:
            proba = read(runs)
            logs = np.log(np.clip(proba[:, [list(model.classes_).index(g) for g in labels]], 1e-4, 1.0))
        out, at = [], 0
        for run in run_ids:
            out.append(logs[at + run] if len(run) else np.zeros((0, k)))
            at += int(run[-1]) + 1 if len(run) else 0
        return out

    def _fit_run_style(self, style: Sequence[list[str]], runs: list[np.ndarray],
                       labels: Sequence[str]) -> LinearTextClassifier:
        runs, labels = self._run_training(runs, labels)
        # uni- and bigrams: counted from word ids when reading (trigrams measured no better, 2 seeds)
        return LinearTextClassifier(ngram_range=(1, 2), min_df=self.min_df, max_features=self.max_features,
                                    C=self.run_C, class_weight=self.class_weight, max_iter=3000).fit(
            [" ".join(chain.from_iterable(style[r] for r in rows.tolist())) for rows in runs], labels)

    # -- fitting ---------------------------------------------------------------------------------
    def fit(self, articles: Sequence[Sequence[str]], labels: Sequence[str],
            calibration: tuple[Sequence[Sequence[str]], Sequence[str]] | None = None,
            groups: Sequence[str] | None = None,
            headlines: tuple[Sequence[str], Sequence[str]] | None = None) -> "GenreClassifier":
        """Fit on articles (lists of content paragraphs), one label per article.

        ``groups``: optional source group per article (outlet/site/file); with ``min_groups`` > 1 only words
        used by at least that many groups enter the n-grams.
        ``calibration``: optional held-out (articles, labels) on which the softmax temperature is fitted.
        ``headlines``: (texts, labels "satire"/"reporting") for the headline feature; needed with
        ``headline_feature`` and used only by it (they are not articles).
        """
        if self.headline_feature and headlines is None:
            raise ValueError("headline_feature=True needs fit(headlines=(texts, labels)), "
                             "e.g. stance.corpus.load_headlines(data_dir, cap=None)")
        articles = [[str(p) for p in a] for a in articles]
        labels = [str(y) for y in labels]
        if len(articles) != len(labels):
            raise ValueError(f"got {len(articles)} articles but {len(labels)} labels; pass one label per article")
        if not articles:
            raise ValueError("no training articles; pass at least one article per genre")
        if groups is not None and len(groups) != len(articles):
            raise ValueError(f"got {len(articles)} articles but {len(groups)} groups; pass one group per article")
        keep = [i for i, a in enumerate(articles) if any(p.strip() for p in a)]
        articles = [[p for p in articles[i] if p.strip()] for i in keep]
        labels = [labels[i] for i in keep]
        groups = [str(groups[i]) for i in keep] if groups is not None else None
        present = set(labels)
        if len(present) < 2:
            raise ValueError(f"need at least two genres to fit; got {sorted(present)}")
        self.labels = tuple(g for g in GENRES if g in present) + tuple(sorted(present - set(GENRES)))
        rng = np.random.default_rng(self.seed)
        # None → the scores shipped with stance; a path → learn them afresh from that Pang & Lee zip
        self.subjectivity = (learn_subjectivity(Path(self.subjectivity_zip)) if self.subjectivity_zip
                             else shipped_subjectivity())

        texts = [p for a in articles for p in a]
        y = np.array([lab for a, lab in zip(articles, labels) for _ in a])
        art_id = np.array([i for i, a in enumerate(articles) for _ in a])
        self.headline_model_ = None
        if self.headline_feature:
            headline_texts, headline_labels = headlines
            if set(map(str, headline_labels)) != {"satire", "reporting"}:
                raise ValueError("the headline feature needs headlines labelled 'satire' and 'reporting'")
            self.headline_model_ = LinearTextClassifier(ngram_range=(1, 1), min_df=2, max_features=50000,
                                                        C=self.headline_C, class_weight="balanced", max_iter=3000)
            self.headline_model_.fit([str(t).lower() for t in headline_texts], [str(v) for v in headline_labels])
        dense = self.stage1_dense(texts)
        norm = norm_all = [normalise(t) for t in texts]  # norm_all: before the cross-source word filter below
        sty_tokens = [style_tokens(t) for t in norm] if self.style_view or self.run_style else None
        sty = [" ".join(t) for t in sty_tokens] if self.style_view else None
        self.allowed_words = None
        if groups is not None and self.min_groups > 1:
            para_groups = [g for a, g in zip(articles, groups) for _ in a]
            self.allowed_words = frozenset(cross_source_words(norm, para_groups, self.min_groups))
            norm = [filter_tokens(t, self.allowed_words) for t in norm]

        # out-of-fold stage-1 probabilities (folds over articles, stratified by genre)
        folds = np.zeros(len(articles), dtype=int)
        for g in self.labels:
            idx = np.flatnonzero(np.array(labels) == g)
            rng.shuffle(idx)
            folds[idx] = np.arange(len(idx)) % self.oof_folds
        para_fold = folds[art_id]
        k = len(self.labels)
        p1_oof = np.zeros((len(texts), 2 * k if self.style_view else k))
        fold_models: dict[int, LinearTextClassifier] = {}
        for f in range(self.oof_folds):
            tr, te = para_fold != f, para_fold == f
            if te.sum() == 0 or len(set(y[tr])) < len(self.labels):
                continue
            m = fold_models[f] = self._stage1().fit([norm[i] for i in np.flatnonzero(tr)], y[tr], dense[tr])
            p1_oof[te, :k] = self._p1(m, [texts[i] for i in np.flatnonzero(te)], dense[te])
            if self.style_view:
                ms = self._stage1_style().fit([sty[i] for i in np.flatnonzero(tr)], y[tr])
                p1_oof[te, k:] = self._p1_style(ms, [sty[i] for i in np.flatnonzero(te)])
        self.stage1_ = self._stage1().fit(norm, y, dense)
        starts = np.r_[0, np.cumsum([len(a) for a in articles])]
        spans = [(starts[i], starts[i + 1]) for i in range(len(articles))]
        lengths = np.array([len(t) for t in texts])
        # the run model, out of fold like stage 1: fold f's reads with fold f's stage-1 vocabulary and has not
        # seen fold f's articles (folds that hold out whole sources instead measured no better)
        run_models: dict[int, tuple[LinearTextClassifier, tuple] | None] = {}
        style_models: dict[int, LinearTextClassifier | None] = {}
        self.run_model_ = None
        self.run_style_model_ = None
        if self.run_style:
            for f in range(self.oof_folds):
                tr = [i for i in range(len(articles)) if folds[i] != f]
                style_models[f] = (self._fit_run_style(sty_tokens, [np.arange(*spans[i]) for i in tr],
                                                       [labels[i] for i in tr])
                                   if set(labels[i] for i in tr) >= set(_run_genres(self.labels)) else None)
            self.run_style_model_ = self._fit_run_style(sty_tokens, [np.arange(s, e) for s, e in spans], labels)
        if self.run_model:
            whole = [np.arange(s, e) for s, e in spans]
            for f in range(self.oof_folds):
                tr = [i for i in range(len(articles)) if folds[i] != f]
                if f not in fold_models or not set(labels[i] for i in tr) >= set(_run_genres(self.labels)):
                    run_models[f] = None
                    continue
                tokens = self._tokens(fold_models[f], texts)
                run_models[f] = (self._fit_run(fold_models[f], tokens, dense, lengths, [whole[i] for i in tr],
                                               [labels[i] for i in tr]), tokens)
            self.run_model_ = self._fit_run(self.stage1_, self._tokens(self.stage1_, texts), dense, lengths, whole,
                                            labels)
        self.stage1_style_ = self._stage1_style().fit(sty, y) if self.style_view else None
        dense_z = (dense - self.stage1_.dense_mean_) / self.stage1_.dense_scale_

        # stage 2 on real articles + synthetic mixed pages
        pages: list[tuple[np.ndarray, int]] = [(np.arange(s, e), int(folds[i])) for i, (s, e) in enumerate(spans)]
        by_genre = {g: [i for i, lab in enumerate(labels) if lab == g] for g in self.labels}
        # with the run model every glued page takes its articles from one fold, so that fold's run model can
        # read any run of it without having seen it
        by_fold_genre = {f: {g: [i for i in by_genre[g] if folds[i] == f] for g in self.labels}
                         for f in range(self.oof_folds)}
        for _ in range(int(self.synthetic_mixed * len(articles))):
            n_blocks = int(rng.integers(2, 4))
            fold = int(rng.integers(self.oof_folds)) if self.run_model or self.run_style else -1
            pool = by_fold_genre[fold] if self.run_model or self.run_style else by_genre
            present = [g for g in self.labels if pool[g]]
            if len(present) < 2:
                continue
            gs = rng.choice(present, size=min(n_blocks, len(present)), replace=False)
            rows = []
            for g in gs:
                rows.extend(_block(rng, spans[int(rng.choice(pool[g]))], 2, 11))
            pages.append((np.array(rows), fold))
        # short pages (1–3 consecutive paragraphs of one article): real articles and the windows above are
        # long, so without these stage 2 never sees a text whose context is missing
        for _ in range(int(self.short_pages * len(articles))):
            art = int(rng.integers(len(spans)))
            pages.append((np.array(_block(rng, spans[art], 1, 4)), int(folds[art])))
        page_runs = [self._runs(p1_oof[rows]) if self.segment_penalty > 0 or self.run_model or self.run_style else None
                     for rows, _ in pages]
        run_logs: list[np.ndarray | None] = [None] * len(pages)
        if self.run_model or self.run_style:  # each fold's pages read by that fold's run models
            for f in range(self.oof_folds):
                mine = [j for j, (_, fold) in enumerate(pages) if fold == f]
                model, tokens = run_models.get(f) or (None, ("tokens", []))
                logs = self._page_run_logs([(pages[j][0], page_runs[j]) for j in mine], model, tokens,
                                           style_models.get(f), norm_all, dense, lengths)
                for j, log in zip(mine, logs):
                    run_logs[j] = log
        X2 = [self._stage2_inputs(p1_oof[rows], dense_z[rows], lengths[rows], log, run)
              for (rows, _), log, run in zip(pages, run_logs, page_runs)]
        y2 = [y[rows] for rows, _ in pages]
        X2, y2 = np.vstack(X2), np.concatenate(y2)
        self.s2_mean_ = X2.mean(0)
        sc = X2.std(0)
        self.s2_scale_ = np.where(sc > 1e-12, sc, 1.0)  # a constant column's std can come out as rounding noise
        Z = (X2 - self.s2_mean_) / self.s2_scale_
        gate = self._gate()
        if gate is None:
            self.s2_coef_, self.s2_intercept_ = self._fit_stage2(Z, y2, self.labels)
        else:
            # interview or not, from everything but the run models' readings; then which of the other genres
            interview = y2 == self.labels[gate]
            runs = np.array([n.startswith(("run_text_log_", "run_style_log_")) for n in self._stage2_names()])
            coef, intercept = self._fit_stage2(Z[:, ~runs], interview.astype(int), (0, 1))
            rest = [g for g in self.labels if g != self.labels[gate]]
            rest_coef, rest_intercept = self._fit_stage2(Z[~interview], y2[~interview], rest)
            self.s2_coef_ = np.zeros((len(self.labels), Z.shape[1]))
            self.s2_intercept_ = np.zeros(len(self.labels))
            self.s2_coef_[gate, ~runs] = coef[1] - coef[0]
            self.s2_intercept_[gate] = intercept[1] - intercept[0]
            others = [i for i in range(len(self.labels)) if i != gate]
            self.s2_coef_[others], self.s2_intercept_[others] = rest_coef, rest_intercept
        self.temperature = 1.0
        if calibration is not None:
            self.calibrate(*calibration)
        return self

    def _fit_stage2(self, Z: np.ndarray, y: np.ndarray, classes: Sequence) -> tuple[np.ndarray, np.ndarray]:
        """Stage-2 logistic regression: (coef, intercept) with one row per class of ``classes``, in that order."""
        clf = fit_logistic(Z, y, C=self.C2, class_weight="balanced", max_iter=3000)
        coef, intercept = clf.coef_, clf.intercept_
        if coef.shape[0] == 1:  # binary: the same probabilities as a two-row softmax
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            intercept = np.array([0.0, intercept[0]])
        order = [list(clf.classes_).index(g) for g in classes]
        return coef[order].astype(np.float64), intercept[order].astype(np.float64)

    def _gate(self) -> int | None:
        """Index of ``interview`` where stage 2 is two steps: interview or not (its row of ``s2_coef_``, the
        log-odds, from everything but the run models' readings), then which other genre (the other rows, a
        softmax). Where the models that read whole runs leave interview out (:func:`_run_genres`): a flat
        stage 2 learnt to find interviews through their readings of long transcripts, so a short Q&A in
        another layout lost its genre. ``None``: one softmax over all rows."""
        if not (self.run_model or self.run_style) or "interview" not in self.labels:
            return None
        model = self.run_model_ if self.run_model else self.run_style_model_
        return None if "interview" in self._run_labels(model) else self.labels.index("interview")

    def _stage2_logits(self, X2: np.ndarray) -> np.ndarray:
        """Stage-2 scores whose softmax is the paragraphs' probabilities (log-probabilities with a gate)."""
        logits = ((X2 - self.s2_mean_) / self.s2_scale_) @ self.s2_coef_.T + self.s2_intercept_
        gate = self._gate()
        if gate is None:
            return logits
        a = logits[:, gate]
        others = [i for i in range(logits.shape[1]) if i != gate]
        rest = logits[:, others]
        rest = rest - rest.max(1, keepdims=True)
        out = np.empty_like(logits)
        out[:, gate] = -np.logaddexp(0.0, -a)  # log sigmoid(a)
        out[:, others] = (-np.logaddexp(0.0, a))[:, None] + rest - np.log(np.exp(rest).sum(1, keepdims=True))
        return out

    def calibrate(self, articles: Sequence[Sequence[str]], labels: Sequence[str]) -> float:
        """Fit the stage-2 softmax temperature on held-out articles (paragraphs inherit the label)."""
        logits, ys = [], []
        for a, lab in zip(articles, labels):
            if a:
                logits.append(self.decision_function(a))
                ys += [self.labels.index(lab)] * len(a)
        self.temperature = fit_temperature(np.vstack(logits), np.array(ys))
        return self.temperature

    # -- prediction ------------------------------------------------------------------------------
    def decision_function(self, paragraphs: Sequence[str]) -> np.ndarray:
        """One article's stage-2 scores, whose softmax (at ``temperature``) is :meth:`predict_proba`."""
        return self._article_logits([[str(p) for p in paragraphs]])[0]

    def predict_proba(self, paragraphs: Sequence[str]) -> np.ndarray:
        """One article's content paragraphs, in order → ``(n_paragraphs, len(labels))`` in-context probs."""
        if isinstance(paragraphs, str):
            raise TypeError("predict_proba takes a list of paragraph strings for ONE article, not a string")
        return self.predict_proba_articles([paragraphs])[0]

    def predict_proba_articles(self, articles: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """``[predict_proba(a) for a in articles]``, with stage 1 run once over all their paragraphs (its rows
        do not depend on each other, so the numbers are the same; only the per-call overhead is saved)."""
        if isinstance(articles, str):
            raise TypeError("predict_proba_articles takes a list of articles, each a list of paragraph strings")
        articles = list(articles)  # a generator is read once
        if any(isinstance(a, str) for a in articles):
            raise TypeError("predict_proba_articles takes a list of articles, each a list of paragraph strings")
        return [softmax(logits / self.temperature) if len(logits) else logits
                for logits in self._article_logits([[str(p) for p in a] for a in articles])]

    def _article_logits(self, articles: list[list[str]]) -> list[np.ndarray]:
        """Each article's stage-2 scores (:meth:`_stage2_logits`), its paragraphs read through stage 1, the runs
        and the run models all at once."""
        k = len(self.labels)
        paragraphs = [p for a in articles for p in a]
        if not paragraphs:
            return [np.zeros((0, k)) for _ in articles]
        dense = self.stage1_dense(paragraphs)
        model = self.stage1_
        norm = [normalise(t) for t in paragraphs] if self.run_style else None  # shared by stage 1 and the style
        tokens = self._tokens(model, paragraphs, norm)
        proba = self._stage1_from_tokens(model, tokens, dense)
        order = [list(model.classes_).index(g) for g in self.labels]
        dense_z = (dense - model.dense_mean_) / model.dense_scale_
        lengths = np.array([len(p) for p in paragraphs])
        # each article's rows as _p1 gives them for that article alone: a C-ordered block of its own, then
        # the columns picked (that makes the memory layout, and so the BLAS path in stage 2, the same)
        bounds = np.r_[0, np.cumsum([len(a) for a in articles])]
        p1s = [proba[s:e].copy()[:, order] for s, e in zip(bounds[:-1], bounds[1:])]
        if self.style_view and self.stage1_style_ is not None:  # the style view's columns, after the word view's
            style = self._p1_style(self.stage1_style_, [style_text(normalise(t)) for t in paragraphs])
            p1s = [np.hstack([p1, style[s:e]]) for p1, s, e in zip(p1s, bounds[:-1], bounds[1:])]
        runs = [self._runs(p1) for p1 in p1s]
        pages = [(np.arange(s, e), run) for s, e, run in zip(bounds[:-1], bounds[1:], runs)]
        run_logs = self._page_run_logs(pages, self.run_model_, tokens, self.run_style_model_, norm, dense, lengths)
        out, start = [], 0
        for a, p1, run_log, run in zip(articles, p1s, run_logs, runs):
            end = start + len(a)
            if end == start:
                out.append(np.zeros((0, k)))
                continue
            X2 = self._stage2_inputs(p1, dense_z[start:end].copy(), lengths[start:end].copy(), run_log, run)
            out.append(self._stage2_logits(X2))
            start = end
        return out

    def predict_proba_stage1(self, paragraphs: Sequence[str]) -> np.ndarray:
        """Context-free paragraph probabilities (stage 1 only), for inspection."""
        paragraphs = [str(p) for p in paragraphs]
        if not paragraphs:
            return np.zeros((0, len(self.labels)))
        return self._p1(self.stage1_, paragraphs, self.stage1_dense(paragraphs))

    def predict(self, paragraphs: Sequence[str]) -> list[str]:
        return [self.labels[i] for i in self.predict_proba(paragraphs).argmax(1)]

    # -- inspection ------------------------------------------------------------------------------
    def top_features(self, k: int = 20) -> dict[str, Any]:
        s1 = self.stage1_.top_features(k, dense_names=self._dense_names())
        names = self._stage2_names()
        centred = self.s2_coef_.copy()
        gate = self._gate()  # the gate's row is already log-odds; the softmax rows are centred among themselves
        others = [i for i in range(len(self.labels)) if i != gate]
        centred[others] -= centred[others].mean(0, keepdims=True)
        s2 = {g: [(names[j], round(float(centred[i, j]), 4)) for j in np.argsort(-centred[i])[:k]]
              for i, g in enumerate(self.labels)}
        return {"stage1": s1, "stage2": s2}

    # -- state -----------------------------------------------------------------------------------
    def get_state(self) -> tuple[dict, dict[str, np.ndarray]]:
        s1_config, s1_arrays = self.stage1_.get_state()
        words = sorted(self.subjectivity)
        config = {
            "format": STATE_FORMAT,
            "params": self.plain_params(),
            "labels": list(self.labels),
            "temperature": self.temperature,
            "dense_names": list(DENSE_NAMES),
            "stage1": s1_config,
            "stage2_features": self._stage2_names(),
            "subjectivity_words": words,
            "allowed_words": sorted(self.allowed_words) if self.allowed_words else None,
        }
        arrays = {f"s1_{k}": np.asarray(v) for k, v in s1_arrays.items()}
        if self.style_view:
            s1s_config, s1s_arrays = self.stage1_style_.get_state()
            config["stage1_style"] = s1s_config
            arrays.update({f"s1style_{k}": np.asarray(v) for k, v in s1s_arrays.items()})
        if self.run_model_ is not None:
            run_config, run_arrays = self.run_model_.get_state()
            config["run_model"] = {**run_config, "vocabulary": "stage1"}  # shared: stored once
            arrays.update({f"run_{k}": np.asarray(v) for k, v in run_arrays.items()})
        if self.run_style_model_ is not None:
            rs_config, rs_arrays = self.run_style_model_.get_state()
            config["run_style_model"] = rs_config
            arrays.update({f"rsty_{k}": np.asarray(v) for k, v in rs_arrays.items()})
        if self.headline_model_ is not None:
            hl_config, hl_arrays = self.headline_model_.get_state()
            config["headline_model"] = hl_config
            arrays.update({f"hl_{k}": np.asarray(v) for k, v in hl_arrays.items()})
        arrays.update({
            "s2_coef": self.s2_coef_, "s2_intercept": self.s2_intercept_,
            "s2_mean": self.s2_mean_, "s2_scale": self.s2_scale_,
            "subjectivity_scores": np.array([self.subjectivity[w] for w in words], dtype=np.float64),
        })
        return config, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> "GenreClassifier":
        if config.get("format") != STATE_FORMAT:
            raise ValueError(f"not a genre model state (format {config.get('format')!r}, expected {STATE_FORMAT!r})")
        if list(config.get("dense_names", [])) != list(DENSE_NAMES):
            raise ValueError("genre state was written with different style features; retrain the model")
        # states written before the runs and the run model existed have neither parameter, and neither part
        params = {"segment_penalty": 0.0, "run_model": False, "run_style": False, **config["params"]}
        model = cls(**params)
        model.labels = tuple(config["labels"])
        model.temperature = float(config["temperature"])
        model.stage1_ = LinearTextClassifier.from_state(
            config["stage1"], {k[3:]: v for k, v in arrays.items() if k.startswith("s1_")})
        if model.style_view:
            if "stage1_style" not in config:
                raise ValueError("inconsistent genre state: style_view is set but the style model is missing")
            model.stage1_style_ = LinearTextClassifier.from_state(
                config["stage1_style"], {k[8:]: v for k, v in arrays.items() if k.startswith("s1style_")})
        if model.headline_feature:
            if "headline_model" not in config:
                raise ValueError("inconsistent genre state: headline_feature is set but the headline model is missing")
            model.headline_model_ = LinearTextClassifier.from_state(
                config["headline_model"], {k[3:]: v for k, v in arrays.items() if k.startswith("hl_")})
        if model.run_model:
            if "run_model" not in config:
                raise ValueError("inconsistent genre state: run_model is set but the run model is missing")
            if config["run_model"].get("vocabulary") != "stage1":
                raise ValueError("inconsistent genre state: the run model must share stage 1's vocabulary")
            model.run_model_ = LinearTextClassifier.from_state(
                {**config["run_model"], "vocabulary": config["stage1"]["vocabulary"]},
                {k[4:]: v for k, v in arrays.items() if k.startswith("run_")})
            if model.run_model_.ngram_range != model.stage1_.ngram_range:
                raise ValueError("inconsistent genre state: the run model must count stage 1's n-grams")
        if model.run_style:
            if "run_style_model" not in config:
                raise ValueError("inconsistent genre state: run_style is set but the run style model is missing")
            model.run_style_model_ = LinearTextClassifier.from_state(
                config["run_style_model"], {k[5:]: v for k, v in arrays.items() if k.startswith("rsty_")})
            if not model.run_style_model_._ngram_index():
                raise ValueError("inconsistent genre state: the run style model must count uni- and bigrams")
        for part in (model.run_model_, model.run_style_model_):
            if part is not None and not set(part.classes_) <= set(model.labels):
                raise ValueError(f"inconsistent genre state: a run model reads genres {sorted(part.classes_)} "
                                 f"that are not the model's {sorted(model.labels)}")
        model.s2_coef_ = np.asarray(arrays["s2_coef"], dtype=np.float64)
        model.s2_intercept_ = np.asarray(arrays["s2_intercept"], dtype=np.float64)
        model.s2_mean_ = np.asarray(arrays["s2_mean"], dtype=np.float64)
        model.s2_scale_ = np.asarray(arrays["s2_scale"], dtype=np.float64)
        words = config["subjectivity_words"]
        scores = np.asarray(arrays["subjectivity_scores"], dtype=np.float64)
        if len(words) != len(scores):
            raise ValueError("inconsistent genre state: subjectivity words and scores differ in length")
        model.subjectivity = dict(zip(words, scores.tolist()))
        allowed = config.get("allowed_words")
        model.allowed_words = frozenset(allowed) if allowed else None
        n2 = len(model._stage2_names())
        if (model.s2_coef_.shape != (len(model.labels), n2) or model.s2_mean_.shape != (n2,)
                or model.s2_scale_.shape != (n2,) or model.s2_intercept_.shape != (len(model.labels),)):
            raise ValueError(f"inconsistent genre state: stage-2 coef {model.s2_coef_.shape}, expected "
                             f"({len(model.labels)}, {n2}), with {n2} means and scales and one intercept per genre")
        if not (math.isfinite(model.temperature) and model.temperature > 0):
            raise ValueError(f"inconsistent genre state: temperature {model.temperature} (must be a positive number)")
        return model


def article_genre(paragraph_probs: np.ndarray, lengths: Sequence[int], labels: Sequence[str],
                  mixed_share: float = MIXED_SHARE) -> tuple[str, dict[str, float], bool, dict[str, float]]:
    """Article label, genre scores (character-weighted mean of paragraph probs, sum 1), ``mixed``, genre mix.

    ``genre_mix[g]`` is the share of the content characters whose paragraph's most probable genre is g.
    ``mixed`` is true when at least two genres each hold ≥ ``mixed_share`` of the characters.  An article
    with no paragraphs gets uniform scores, the first label, ``mixed`` False and an all-zero mix.
    """
    labels = list(labels)
    probs = np.asarray(paragraph_probs, dtype=np.float64).reshape(-1, len(labels))
    lengths = np.asarray(list(lengths), dtype=np.float64)
    if len(lengths) != len(probs):
        raise ValueError(f"got {len(probs)} paragraph rows but {len(lengths)} lengths; pass one length per paragraph")
    if len(probs) == 0 or lengths.sum() <= 0:
        if len(probs) == 0:
            u = 1.0 / len(labels)
            return labels[0], {g: u for g in labels}, False, {g: 0.0 for g in labels}
        lengths = np.ones(len(probs))
    w = lengths / lengths.sum()
    scores = (probs * w[:, None]).sum(0)
    scores = scores / scores.sum()
    top = probs.argmax(1)
    mix = np.array([w[top == j].sum() for j in range(len(labels))])
    mixed = int((mix >= mixed_share).sum()) >= 2
    label = labels[int(scores.argmax())]
    return (label, {g: float(s) for g, s in zip(labels, scores)}, bool(mixed),
            {g: float(s) for g, s in zip(labels, mix)})
