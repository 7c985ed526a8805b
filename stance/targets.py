"""Target-dependent stance: what a sentence says about *one* actor, from -1 (negative) to +1 (positive).

The model sees a sentence together with the character spans of the actor's mentions and builds three kinds
of features, all fed to one :class:`~stance.linear.LinearTextClassifier` (TF-IDF + dense → logistic
regression, state stored as plain JSON and numeric arrays):

* the **masked sentence**: the actor's mentions are replaced by the placeholder ``TGT`` (so the model cannot
  memorise names or carry a name's average sentiment), with its word uni/bigrams;
* **context windows**: the words right before and after each mention, prefixed ``N_`` (within 2 tokens),
  ``L_`` / ``R_`` (left/right within ``window`` tokens), so "TGT's brutal attack" (``R_brutal``) and
  "TGT condemned …" (``R_condemned``) weigh differently from the same words far away;
* **dense cues** (:data:`DENSE_NAMES`): VADER valence and Hu & Liu polarity counts near vs far from the
  target (distance-weighted), negation in the target's window, the possessive pattern "TGT's <evaluative>",
  "TGT <negative verb>" (the target as agent) vs "<negative word> TGT" (the target as patient), quotes,
  pronoun targets, and the sentence's overall valence;
* the **target's role** (:func:`~stance.words.target_role`: subject, possessor, object, or inside a
  prepositional phrase — "in TGT", "aid to TGT", "attacks on TGT", "of TGT", "by TGT") as a ``ROLE_``
  token, with the sentence's valence split by that role (``role_<role>_x_vader_sentence`` / ``_vader_far``),
  so the model can learn how much of a sentence's tone falls on a target in each role;
* the **predicate link** (:mod:`stance.predicate`): when the target is in the sentence's subject noun phrase
  and its predicate lies past a parenthetical, beyond the clause and word windows, the predicate's first words
  as ``P_`` tokens and its polarity (``pred_*``), composed with negation and "decrease" verbs ("erode their
  strength" negative, "TGT's popularity has eroded" negative); the subject compositions also apply to the
  sentence's polarity cues, as negation does.

:func:`featurize` (the path the model uses) computes all of this per batch: each distinct sentence is
tokenised once for all its targets and the dense cues of all mentions are summed in numpy;
:func:`featurize_one` and :func:`cue_hits` are the plain per-mention reference it is tested against.

On top of the learnt logits, a small hand-written **cue lexicon** for conflict news
(``stance/data/stance_cues.json``, copied into the model state at fit time) adds fixed logit offsets when the
target is the recipient of support or a right ("aid to TGT", "TGT has every right"), the victim of military
aggression ("the subjugation of TGT", "destroying the TGT nation"), the aggressor ("TGT's brutal attack"),
only the setting of the war ("the war in TGT"), labelled a regime/rogue state, quoted in scare quotes
("TGT's “thanks”"), or praises someone for their part in a war. NewsMTSC (US politics) has almost no such
sentences, so these offsets are written rather than fitted; ``cue_scale = 0`` switches them off.

The class probabilities (in :data:`~stance.scoring.LABELS` order) become scores, are combined over an actor's
mentions and are labelled in :mod:`stance.scoring`.
"""

from __future__ import annotations

import gc
import math
import re
from bisect import bisect_left as _bisect_left, bisect_right as _bisect_right
from functools import lru_cache
from itertools import chain
from operator import itemgetter as _itemgetter
from typing import Any, Sequence

import numpy as np

from .errors import InvalidInputError, ModelError
from .linear import LinearTextClassifier
from .predicate import PREDICATE_NAMES, _apply_shifts, _predicate_features
from .scoring import LABELS
from .words import (PLACEHOLDER, ROLES, _CLAUSE_BREAKS, _CRITICISM_VERB, _NEGATORS, _PRAISE_VERB, _lexicon_info,
                    target_role)

_LABEL_VALUES = (-1, 0, 1)
FORMAT = "stance.targets/1"

# Words, a split-off possessive 's, or one punctuation character. "Russia's" → "Russia", "'s".
_TOKEN = re.compile(r"[’']s\b|\w+(?:[’'](?!s\b)\w+)*|[^\w\s]")
_PRONOUNS = frozenset("he she him her his hers they them their it its i me my we us our you your".split())
_QUOTES = frozenset('"“”‘’«»')


# ---------------------------------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------------------------------
def _check_inputs(texts: Sequence[str], targets: Sequence[Sequence[tuple[int, int]]],
                  labels: Sequence[int] | None = None) -> tuple[list[str], list[list[tuple[int, int]]]]:
    if isinstance(texts, str):
        raise InvalidInputError("texts must be a sequence of strings, not one string; wrap it in a list")
    texts = list(texts)
    targets = list(targets)
    if len(texts) != len(targets):
        raise InvalidInputError(
            f"got {len(texts)} texts but {len(targets)} target span lists; pass one list of spans per text")
    if labels is not None and len(labels) != len(texts):
        raise InvalidInputError(f"got {len(texts)} texts but {len(labels)} labels; pass one label per text")
    clean: list[list[tuple[int, int]]] = []
    for i, (text, spans) in enumerate(zip(texts, targets)):
        if not isinstance(text, str):
            raise InvalidInputError(f"texts[{i}] is {type(text).__name__}, expected str")
        if spans is None or len(spans) == 0:
            raise InvalidInputError(f"targets[{i}] is empty; give at least one (start, end) span of the actor")
        row = []
        for span in spans:
            try:
                start, end = int(span[0]), int(span[1])
            except (TypeError, ValueError, IndexError):
                raise InvalidInputError(f"targets[{i}] has {span!r}; each span must be a (start, end) pair of ints")
            if not 0 <= start < end <= len(text):
                raise InvalidInputError(
                    f"targets[{i}] span ({start}, {end}) is out of range for a text of {len(text)} characters; "
                    "spans must satisfy 0 <= start < end <= len(text)")
            row.append((start, end))
        clean.append(sorted(row))
    return texts, clean


def _check_labels(labels: Sequence[int]) -> np.ndarray:
    y = np.asarray(list(labels))
    bad = [v for v in set(y.tolist()) if v not in _LABEL_VALUES]
    if bad:
        raise InvalidInputError(f"labels must be -1, 0 or 1; got {sorted(bad, key=str)[:5]}")
    return y.astype(int)


# ---------------------------------------------------------------------------------------------------
# featurisation
# ---------------------------------------------------------------------------------------------------
def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Tokens with character offsets: ``[(token, start, end), ...]`` (possessive 's split off)."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _mask(text: str, spans: Sequence[tuple[int, int]]) -> tuple[list[str], list[int], list[bool]]:
    out: list[str] = []
    positions: list[int] = []
    caps: list[bool] = []
    current_span = None
    for tok, start, end in tokenize(text):
        hit = None
        for k, (s, e) in enumerate(spans):
            if start < e and end > s:
                hit = k
                break
        if hit is not None:
            if current_span == hit and out and out[-1] == PLACEHOLDER:
                continue
            positions.append(len(out))
            out.append(PLACEHOLDER)
            caps.append(False)
            current_span = hit
        else:
            current_span = None
            caps.append(tok[:1].isupper())
            out.append(tok.lower().replace("’", "'"))
    return out, positions, caps


def mask_tokens(text: str, spans: Sequence[tuple[int, int]]) -> tuple[list[str], list[int]]:
    """Lower-cased tokens with each target mention collapsed to one ``TGT`` token.

    Returns ``(tokens, target_positions)``. A token overlapping a span belongs to the mention; adjacent
    tokens of the same mention merge into one placeholder.
    """
    out, positions, _ = _mask(text, spans)
    return out, positions


_SENTENCE_OPENERS = frozenset('" “ ‘ ( [ - — –'.split())


def entity_mask(toks: list[str], caps: list[bool]) -> list[str]:
    """Capitalised words that are not the target and do not open the sentence → ``ENT`` (runs merged)."""
    out: list[str] = []
    for j, (t, c) in enumerate(zip(toks, caps)):
        opener = j == 0 or toks[j - 1] in _SENTENCE_OPENERS or toks[j - 1] in (".", "!", "?")
        if c and not opener and t.isalpha():
            if out and out[-1] == "ENT":
                continue
            out.append("ENT")
        else:
            out.append(t)
    return out


def clause_range(toks: list[str], p: int) -> tuple[int, int]:
    """Token range [start, end) of the clause around position p (between commas, quotes, 'but', ...)."""
    a = p
    while a > 0 and toks[a - 1] not in _CLAUSE_BREAKS:
        a -= 1
    b = p + 1
    while b < len(toks) and toks[b] not in _CLAUSE_BREAKS:
        b += 1
    return a, b


def mask_text(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with every target span replaced by ``TGT`` (other characters unchanged)."""
    pieces, last = [], 0
    for s, e in sorted(spans):
        if s < last:  # overlapping spans: extend the current mask
            continue
        pieces.append(text[last:s])
        pieces.append(PLACEHOLDER)
        last = e
    pieces.append(text[last:])
    return "".join(pieces)


def _distances(n: int, positions: Sequence[int]) -> np.ndarray:
    d = np.full(n, 10**6, dtype=np.int64)
    idx = np.arange(n)
    for p in positions:
        d = np.minimum(d, np.abs(idx - p))
    return d


DENSE_NAMES = (
    "vader_near", "vader_left", "vader_right", "vader_far", "vader_weighted", "vader_sentence",
    "hl_pos_near", "hl_neg_near", "hl_pos_far", "hl_neg_far",
    "neg_in_window", "negated_valence_near",
    "poss_neg", "poss_pos", "agent_neg", "agent_pos", "patient_neg", "patient_pos",
    "target_first", "target_in_quote", "has_quote", "pronoun_target", "n_mentions", "log_length",
    "rel_position",
) + tuple(f"role_{r}_x_{v}" for r in ("subj", "poss", "obj", "loc", "to", "against", "of", "by", "about")
          for v in ("vader_sentence", "vader_far")) + PREDICATE_NAMES  # last, the predicate link (stance.predicate)


def _role_features(toks: list[str], positions: list[int], v_sentence: float, v_far: float,
                   roles: bool, names: list[str] | None = None) -> tuple[list[str], list[float]]:
    """ROLE_ tokens (one per mention) and the role × valence block of DENSE_NAMES (first mention's role);
    ``names``: the mentions' target_role names when already known."""
    out = [0.0] * (2 * len(ROLES))
    if not roles:
        return [], out
    tokens = ["ROLE_" + r for r in (names or [target_role(toks, p) for p in positions])]
    role = tokens[0][5:]
    if role in ROLES:
        k = ROLES.index(role)
        out[2 * k], out[2 * k + 1] = v_sentence, v_far
    return tokens, out


def _polarity_token(side: str, tok: str) -> str:
    cls = _lexicon_info(tok)[3]
    return side + cls if cls else ""


_AUX = frozenset("has have had also again has've was were is are will would 's".split())


def agent_act(toks: list[str], p: int) -> tuple[str, int] | None:
    """If the mention at p is the agent of a criticism/praise verb ("TGT (has) condemned …"), return
    ``("CRIT" | "PRAISE", verb_position)``; else None."""
    j = p + 1
    while j < len(toks) and (toks[j] in _AUX or (toks[j].endswith("ly") and len(toks[j]) > 4)) and j <= p + 3:
        j += 1
    if j >= len(toks):
        return None
    if _CRITICISM_VERB.match(toks[j]):
        return "CRIT", j
    if _PRAISE_VERB.match(toks[j]):
        return "PRAISE", j
    return None


def _speech_act_objects(toks: list[str], positions: list[int], acts: list
                        ) -> tuple[list[str], list[bool] | None]:
    """For each mention that is the agent of a criticism/praise verb (``acts``, from :func:`agent_act`): the
    token ``AGENT_<kind>``, and the mask of the verb's object (to the end of its clause, at least 8 tokens),
    the mentions themselves left out; the mask is ``None`` when no mention is such an agent."""
    n = len(toks)
    names: list[str] = []
    in_object: list[bool] | None = None
    for act in acts:
        if act is None:
            continue
        kind, v = act
        names.append("AGENT_" + kind)
        _, end = clause_range(toks, v)
        end = max(end, min(n, v + 8))
        if in_object is None:
            in_object = [False] * n
        in_object[v:end] = [True] * (end - v)
    if in_object is not None:
        for p in positions:
            if p < n:
                in_object[p] = False
    return names, in_object


def featurize_one(text: str, spans: Sequence[tuple[int, int]], window: int = 6, clause: bool = True,
                  mask_entities: bool = False, speech_acts: bool = True,
                  roles: bool = True, predicates: bool = True) -> tuple[str, list[float]]:
    """One mention → (feature document for the TF-IDF block, dense feature vector in DENSE_NAMES order).

    With ``speech_acts``, when the target is the agent of a criticism/praise verb ("TGT condemned X's
    brutal attack"), the verb becomes the token ``AGENT_CRIT``/``AGENT_PRAISE`` and the words of its object
    (to the end of the clause) are prefixed ``O_`` and left out of the near/clause polarity cues: that
    evaluation is aimed at the object, not at the target.
    """
    toks, positions, caps = _mask(text, spans)
    if not toks:  # nothing but whitespace: a lone target
        toks, caps = [PLACEHOLDER], [False]
    n = len(toks)
    if not positions:  # spans on whitespace only: treat the first token as the mention
        positions = [0]
    rng = range(n)
    dist = [min(abs(j - p) for p in positions) for j in rng] if len(positions) > 1 else \
        [abs(j - positions[0]) for j in rng]
    # object of a speech act whose agent is the target
    acts: list[str] = []
    object_mask: list[bool] | None = None
    if speech_acts:
        acts, object_mask = _speech_act_objects(toks, positions, [agent_act(toks, p) for p in positions])
    in_object = object_mask if object_mask is not None else [False] * n
    role_names = [target_role(toks, p) for p in positions] if roles or predicates else None
    pred_tokens, pred_dense, shifts = _predicate_features(toks, positions, role_names) if predicates else \
        ([], [0.0] * len(PREDICATE_NAMES), [])
    window_tokens: list[str] = list(acts)
    for p in positions:
        for j in range(max(0, p - window), p):
            if toks[j] == PLACEHOLDER:
                continue
            window_tokens.append(("N_" if p - j <= 2 else "L_") + toks[j])
            window_tokens.append(_polarity_token("L", toks[j]))
        for j in range(p + 1, min(n, p + 1 + window)):
            if toks[j] == PLACEHOLDER:
                continue
            if in_object[j]:
                window_tokens.append("O_" + toks[j])
                window_tokens.append(_polarity_token("O", toks[j]))
                continue
            window_tokens.append(("N_" if j - p <= 2 else "R_") + toks[j])
            window_tokens.append(_polarity_token("R", toks[j]))
    # dense cues (plain Python: sentences are short and numpy's per-call overhead dominates)
    val = [0.0] * n
    hp = [0] * n
    hn = [0] * n
    negator = [False] * n
    negated = [False] * n
    for j, t in enumerate(toks):
        if t in _NEGATORS or t.endswith("n't"):
            negator[j] = True
            for k in range(j + 1, min(n, j + 4)):
                negated[k] = True
        if t == PLACEHOLDER or in_object[j]:
            continue
        val[j], hp[j], hn[j], _ = _lexicon_info(t)
    # negation: flip the valence of words within 3 tokens after a negator
    val_eff = [-0.7 * v if g else v for v, g in zip(val, negated)]
    _apply_shifts(val_eff, hp, hn, val, shifts)  # decrease verbs composed with their subject
    first = positions[0]
    last = positions[-1]
    v_near = v_left = v_right = v_far = v_weighted = 0.0
    hp_near = hn_near = hp_far = hn_far = 0
    neg_in_window = False
    negated_near = 0.0
    for j in rng:
        d = dist[j]
        ve = val_eff[j]
        if d <= 3:
            v_near += ve
            hp_near += hp[j]
            hn_near += hn[j]
        if d <= window:
            neg_in_window = neg_in_window or negator[j]
            if negated[j]:
                negated_near += val[j]
        else:
            v_far += ve
            hp_far += hp[j]
            hn_far += hn[j]
        if first - window <= j < first:
            v_left += ve
        if last < j <= last + window:
            v_right += ve
        if d > 0:
            v_weighted += ve / (1.0 + d)
    is_neg = [ve < 0 or bool(h) for ve, h in zip(val_eff, hn)]
    is_pos = [ve > 0 or bool(h) for ve, h in zip(val_eff, hp)]
    poss_neg = poss_pos = agent_neg = agent_pos = patient_neg = patient_pos = 0
    for p in positions:
        nxt = toks[p + 1] if p + 1 < n else ""
        if nxt in ("'s", "'"):
            seg = range(p + 2, min(n, p + 5))
            poss_neg += sum(is_neg[j] for j in seg)
            poss_pos += sum(is_pos[j] for j in seg)
        else:
            seg = range(p + 1, min(n, p + 3))
            agent_neg += sum(is_neg[j] and toks[j].isalpha() for j in seg)
            agent_pos += sum(is_pos[j] and toks[j].isalpha() for j in seg)
        seg = range(max(0, p - 3), min(p, n))
        patient_neg += sum(is_neg[j] for j in seg)
        patient_pos += sum(is_pos[j] for j in seg)
    # inside a quotation: odd number of quote marks before the first mention
    quotes_before = sum(1 for t in toks[:first] if t in _QUOTES)
    has_quote = any(t in _QUOTES for t in toks)
    mention_text = text[spans[0][0]:spans[0][1]].strip().lower()
    dense = [
        v_near, v_left, v_right, v_far, v_weighted, sum(val_eff),
        float(hp_near), float(hn_near), float(hp_far), float(hn_far),
        float(neg_in_window), negated_near,
        float(poss_neg), float(poss_pos), float(agent_neg), float(agent_pos), float(patient_neg), float(patient_pos),
        float(first == 0 or (first == 1 and toks[0] in _QUOTES)), float(quotes_before % 2 == 1), float(has_quote),
        float(mention_text in _PRONOUNS), float(len(positions)), math.log1p(n), first / max(n, 1),
    ]
    if clause:
        seen: set[int] = set()
        for p in positions:
            a, b = clause_range(toks, p)
            for j in range(a, b):
                if j in seen or toks[j] == PLACEHOLDER or in_object[j]:
                    continue
                seen.add(j)
                window_tokens.append("C_" + toks[j])
                window_tokens.append(_polarity_token("C", toks[j]))
    role_tokens, role_dense = _role_features(toks, positions, dense[5], v_far, roles, role_names)
    window_tokens += role_tokens
    dense += role_dense
    window_tokens += pred_tokens
    dense += pred_dense
    sentence = entity_mask(toks, caps) if mask_entities else toks
    doc = " ".join(sentence) + " ||| " + " ".join(t for t in window_tokens if t)
    return doc, dense


# ---------------------------------------------------------------------------------------------------
# cue lexicon: what is said *about* the target in conflict news (stance/data/stance_cues.json)
# ---------------------------------------------------------------------------------------------------
CUES_FORMAT = "stance.cues/1"
CUE_CLASSES = ("support", "victim", "aggressor", "praise_agent", "scare_quote", "setting", "derogatory")


def default_cues() -> dict[str, Any]:
    """The shipped cue lexicon (plain JSON): ``{"format", "classes": {name: {"offsets", "patterns"}}}``."""
    import json
    from importlib import resources

    text = resources.files("stance").joinpath("data/stance_cues.json").read_text(encoding="utf-8")
    return check_cues(json.loads(text))


def check_cues(cues: Any) -> dict[str, Any]:
    """Validate a cue lexicon; returns it with only the known classes (offsets as 3 floats)."""
    if not isinstance(cues, dict) or cues.get("format") != CUES_FORMAT or not isinstance(cues.get("classes"), dict):
        raise ModelError(f"not a stance cue lexicon (expected format {CUES_FORMAT!r} with a 'classes' mapping)")
    classes = {}
    for name, spec in cues["classes"].items():
        if name not in CUE_CLASSES:
            raise ModelError(f"unknown cue class {name!r}; known: {list(CUE_CLASSES)}")
        offsets = [float(v) for v in spec.get("offsets", ())]
        if len(offsets) != len(LABELS) or not all(math.isfinite(v) for v in offsets):
            raise ModelError(f"cue class {name!r} needs 3 finite offsets in {LABELS} order")
        patterns = [str(p) for p in spec.get("patterns", ())]
        blockers = [str(p) for p in spec.get("blockers", ())]
        for pat in patterns + blockers:
            try:
                re.compile(pat)
            except re.error as exc:
                raise ModelError(f"cue class {name!r} has a bad pattern {pat!r}: {exc}") from exc
        classes[name] = {"offsets": offsets, "patterns": patterns, "blockers": blockers}
    return {"format": CUES_FORMAT, "classes": classes}


@lru_cache(maxsize=32)
def _compiled_cues(key: str) -> tuple[tuple[str, re.Pattern | None, re.Pattern | None, np.ndarray], ...]:
    import json

    cues = json.loads(key)
    out = []
    for name in CUE_CLASSES:
        spec = cues["classes"].get(name)
        if spec is None:
            continue
        pats = spec["patterns"]
        rx = re.compile("|".join(f"(?:{p})" for p in pats)) if pats else None
        blockers = spec.get("blockers") or []
        block = re.compile("|".join(f"(?:{p})" for p in blockers)) if blockers else None
        out.append((name, rx, block, np.asarray(spec["offsets"], dtype=np.float64)))
    return tuple(out)


def _cue_key(cues: dict[str, Any]) -> str:
    import json

    return json.dumps(cues, sort_keys=True)


def cue_hits(text: str, spans: Sequence[tuple[int, int]], cues: dict[str, Any],
             _compiled: tuple | None = None) -> dict[str, bool]:
    """Which cue classes fire for the target at ``spans`` in ``text`` (see stance/data/stance_cues.json).

    ``praise_agent`` fires when the target is the agent of a praise verb (:func:`agent_act`) and the words
    after the verb match one of its patterns (a part in armed conflict), e.g. "Putin thanked the troops for
    their participation in the fighting": the warmth goes to the troops, and praising a part in a war is not
    the text's warmth toward the target. In NewsMTSC (US politics) the agent of praise is mostly labelled
    positive, so praise in general is left to the classifier.
    """
    toks, positions, _ = _mask(text, spans)
    joined = " ".join(toks)
    hits = {}
    for name, rx, block, _ in (_compiled if _compiled is not None else _compiled_cues(_cue_key(cues))):
        if block is not None and block.search(joined):
            hits[name] = False
        elif name == "praise_agent":
            hits[name] = False
            for p in positions:
                act = agent_act(toks, p)
                if act is not None and act[0] == "PRAISE":
                    # only praise for a part in armed conflict (what the target thanks someone for)
                    obj = " " + " ".join(toks[act[1] + 1:act[1] + 16]) + " "
                    hits[name] = hits[name] or bool(rx is not None and rx.search(obj))
        else:
            hits[name] = bool(rx is not None and PLACEHOLDER in joined and rx.search(joined))
    return hits


# ---------------------------------------------------------------------------------------------------
# batch featurisation (the path the model uses)
#
# featurize_one / cue_hits above are the plain per-mention reference; the batch functions below compute
# the same features and cue hits (tests/test_stance_fast_paths.py checks them equal on real sentences) but
# tokenise each distinct sentence once for all its targets, mask by slicing the token lists, compute the
# dense cues for all mentions at once in numpy (sums in the same order, so bit-identical), and run a cue
# pattern only where one of its trigger words occurs in the sentence.
# ---------------------------------------------------------------------------------------------------
_MATCH_SPAN, _MATCH_GROUP = re.Match.span, re.Match.group


class _Sentence:
    """One tokenised sentence: token offsets, lower-cased tokens, capitalisation, cue triggers."""

    __slots__ = ("spans", "toks", "low", "_caps", "joined", "trigger_rx", "any_rx", "blocked")

    def __init__(self, text: str) -> None:
        matches = list(_TOKEN.finditer(text))  # one scan for offsets and tokens (_TOKEN has no groups)
        self.spans = list(map(_MATCH_SPAN, matches))
        toks = self.toks = list(map(_MATCH_GROUP, matches))
        # one lower() for the sentence (tokens never contain a newline; same result as token by token)
        self.low = "\n".join(toks).lower().replace("’", "'").split("\n") if toks else []
        self._caps: list[bool] | None = None
        self.joined: str | None = None
        self.trigger_rx: list | None = None
        self.any_rx = False
        self.blocked: dict = {}

    def mask(self, text: str, spans: Sequence[tuple[int, int]],
             with_caps: bool = True) -> tuple[list[str], list[int], list[bool]]:
        """Same as :func:`_mask` (falls back to it when two spans share a token); caps only if asked."""
        tok_spans = self.spans
        ranges = []
        prev = 0
        for s, e in spans:
            a = _bisect_right(tok_spans, s, key=_END)   # first token ending after s
            b = _bisect_left(tok_spans, e, key=_START)  # tokens starting before e
            if a >= b:
                continue
            if a < prev:
                return _mask(text, spans)
            ranges.append((a, b))
            prev = b
        low = self.low
        caps: list[bool] = []
        if with_caps:
            if self._caps is None:
                self._caps = [t[:1].isupper() for t in self.toks]
            caps = self._caps
        if not ranges:
            return list(low), [], list(caps)
        out: list[str] = []
        cp: list[bool] = []
        positions: list[int] = []
        last = 0
        for a, b in ranges:
            out += low[last:a]
            positions.append(len(out))
            out.append(PLACEHOLDER)
            if with_caps:
                cp += caps[last:a]
                cp.append(False)
            last = b
        out += low[last:]
        if with_caps:
            cp += caps[last:]
        return out, positions, cp


_START, _END = _itemgetter(0), _itemgetter(1)
_FIRST, _SECOND = _START, _END

def _token_info(tok: str) -> tuple[float, float, float, bool, bool, bool]:
    """(VADER valence, Hu & Liu pos, Hu & Liu neg, negator, quote mark, alphabetic) of a masked token
    (worked out once per token: :func:`_token_table` keeps the rows)."""
    v, hp, hn = (0.0, 0, 0) if tok == PLACEHOLDER else _lexicon_info(tok)[:3]
    return v, float(hp), float(hn), tok in _NEGATORS or tok.endswith("n't"), tok in _QUOTES, tok.isalpha()


_TOKEN_IDS: dict[str, int] = {}
_TOKEN_ARRAY = np.zeros((0, 7))


def _token_table(tokens: list[str]) -> np.ndarray:
    """(len(tokens), 7) array: :func:`_token_info` of each token plus "is a possessive marker" ('s or ')."""
    global _TOKEN_ARRAY
    if len(_TOKEN_IDS) > 500_000:  # bound the cache on endless streams of new words
        _TOKEN_IDS.clear()
        _TOKEN_ARRAY = np.zeros((0, 7))
    get = _TOKEN_IDS.get
    ids = list(map(get, tokens))
    if None in ids:
        new_rows = []
        for k, t in enumerate(tokens):
            if ids[k] is None:
                i = _TOKEN_IDS.get(t)
                if i is None:
                    i = _TOKEN_IDS[t] = len(_TOKEN_ARRAY) + len(new_rows)
                    new_rows.append(_token_info(t) + (t in ("'s", "'"),))
                ids[k] = i
        _TOKEN_ARRAY = np.concatenate([_TOKEN_ARRAY, np.array(new_rows, dtype=np.float64).reshape(-1, 7)])
    return _TOKEN_ARRAY[np.fromiter(ids, dtype=np.int64, count=len(ids))]


_WINDOW_ENTRY: dict[str, tuple[str, str, str, str, str, str, str, str, str]] = {}


def _window_entry(t: str) -> tuple[str, str, str, str, str, str, str, str, str]:
    """The window/clause feature strings of token t: N_, L_, R_, O_, C_ + t, then L, R, O, C + its polarity
    class ("" when it has none); kept per token in _WINDOW_ENTRY."""
    c = _lexicon_info(t)[3]
    e = ("N_" + t, "L_" + t, "R_" + t, "O_" + t, "C_" + t) + (("L" + c, "R" + c, "O" + c, "C" + c) if c else ("",) * 4)
    if len(_WINDOW_ENTRY) > 500_000:  # bound the cache on endless streams of new words
        _WINDOW_ENTRY.clear()
    _WINDOW_ENTRY[t] = e
    return e


def _append_entries(tokens: list[str], name: int, polarity: int, append) -> None:
    """Append each token's window feature ``name`` (and its polarity feature, if any) from its
    :func:`_window_entry`; the target placeholder is skipped."""
    wget = _WINDOW_ENTRY.get
    for t in tokens:
        if t != PLACEHOLDER:
            e = wget(t) or _window_entry(t)
            append(e[name])
            if e[polarity]:
                append(e[polarity])


def _window_and_clause(toks: list[str], positions: list[int], window: int, clause: bool,
                       speech_acts: bool, roles: bool = True,
                       acts: list | None = None, role_names: list[str] | None = None
                       ) -> tuple[list[str], list[bool] | None]:
    """The TF-IDF window/clause tokens of :func:`featurize_one` (same order) and the speech-act object mask."""
    n = len(toks)
    in_object: list[bool] | None = None
    out: list[str] = []
    if speech_acts:
        if acts is None:
            acts = [agent_act(toks, p) for p in positions]
        out, in_object = _speech_act_objects(toks, positions, acts)
    append = out.append
    wget = _WINDOW_ENTRY.get
    if in_object is None:  # the same tokens in the same order, walked by slices
        for p in positions:
            lo = max(0, p - window)
            mid = max(lo, p - 2)
            _append_entries(toks[lo:mid], 1, 5, append)  # far left
            _append_entries(toks[mid:p], 0, 5, append)  # near left
            hi = min(n, p + 1 + window)
            mid = min(hi, p + 3)
            _append_entries(toks[p + 1:mid], 0, 6, append)  # near right
            _append_entries(toks[mid:hi], 2, 6, append)  # far right
    else:
        for p in positions:
            for j in range(max(0, p - window), p):
                t = toks[j]
                if t == PLACEHOLDER:
                    continue
                e = wget(t) or _window_entry(t)
                append(e[0] if p - j <= 2 else e[1])
                if e[5]:
                    append(e[5])
            for j in range(p + 1, min(n, p + 1 + window)):
                t = toks[j]
                if t == PLACEHOLDER:
                    continue
                e = wget(t) or _window_entry(t)
                if in_object is not None and in_object[j]:
                    append(e[3])
                    if e[7]:
                        append(e[7])
                    continue
                append(e[0] if j - p <= 2 else e[2])
                if e[6]:
                    append(e[6])
    if clause:
        seen: set[int] | None = set() if len(positions) > 1 else None  # one mention: no clause seen twice
        for p in positions:
            a, b = clause_range(toks, p)
            if seen is None and in_object is None:
                _append_entries(toks[a:b], 4, 8, append)
                continue
            for j in range(a, b):
                t = toks[j]
                if t == PLACEHOLDER or (in_object is not None and in_object[j]):
                    continue
                if seen is not None:
                    if j in seen:
                        continue
                    seen.add(j)
                e = wget(t) or _window_entry(t)
                append(e[4])
                if e[8]:
                    append(e[8])
    if roles:
        if role_names is None:
            role_names = [target_role(toks, p) for p in positions]
        out += ["ROLE_" + r for r in role_names]
    return out, in_object


def _dense_batch(rows: list[tuple], mention_texts: list[str], window: int, roles: bool = True,
                 predicates: list[list[float]] | None = None,
                 shifts: dict[int, list[tuple[int, float]]] | None = None) -> np.ndarray:
    """DENSE_NAMES features of many masked mentions at once (numpy; sums in featurize_one's order).

    ``rows``: ``(tokens, positions, in_object[, role of the first mention])`` per mention; ``predicates``: the
    PREDICATE_NAMES block of each mention (:func:`~stance.predicate._predicate_features`), zeros when None;
    ``shifts``: the subject compositions of rows that have any (row → (position, sign) list, see
    :func:`~stance.predicate._apply_shifts`)."""
    m = len(rows)
    if m == 0:
        return np.zeros((0, len(DENSE_NAMES)))
    lens = np.fromiter(map(len, map(_FIRST, rows)), dtype=np.int64, count=m)
    offsets = np.zeros(m, dtype=np.int64)
    np.cumsum(lens[:-1], out=offsets[1:])
    total = int(lens.sum())
    flat = list(chain.from_iterable(map(_FIRST, rows)))
    info = _token_table(flat)
    val, hp, hn = info[:, 0].copy(), info[:, 1].copy(), info[:, 2].copy()
    negator, quote, alpha, poss_mark = info[:, 3] > 0, info[:, 4] > 0, info[:, 5] > 0, info[:, 6] > 0
    row = np.repeat(np.arange(m), lens)
    idx = np.arange(total, dtype=np.int64)
    # every mention position: global index P, its row R
    n_pos = list(map(len, map(_SECOND, rows)))
    R = np.repeat(np.arange(m), n_pos)
    P = np.fromiter(chain.from_iterable(map(_SECOND, rows)), dtype=np.int64, count=int(sum(n_pos))) + offsets[R]
    is_pos = np.zeros(total, dtype=bool)
    is_pos[P] = True
    starts_at = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(n_pos, out=starts_at[1:])
    first = P[starts_at[:-1]] - offsets
    last = P[starts_at[1:] - 1] - offsets
    for i, r in enumerate(rows):
        in_object = r[2]
        if in_object is not None:
            o = int(offsets[i])
            obj = np.flatnonzero(np.asarray(in_object)) + o
            val[obj] = 0.0
            hp[obj] = 0.0
            hn[obj] = 0.0
    # distance to the nearest mention of the same row
    big = 1 << 40
    prev = np.maximum.accumulate(np.where(is_pos, idx, -big))
    nxt = np.minimum.accumulate(np.where(is_pos, idx, big)[::-1])[::-1]
    row_start = offsets[row]
    row_end = row_start + lens[row]
    d_prev = np.where(prev >= row_start, idx - prev, big)
    d_next = np.where(nxt < row_end, nxt - idx, big)
    d = np.minimum(d_prev, d_next)
    local = idx - row_start
    # negation: the 3 tokens after a negator (same row)
    negated = np.zeros(total, dtype=bool)
    for k in (1, 2, 3):
        if total > k:
            negated[k:] |= negator[:-k] & (row[:-k] == row[k:])
    val_eff = np.where(negated, -0.7 * val, val)
    for i, sh in (shifts or {}).items():
        _apply_shifts(val_eff, hp, hn, val, sh, int(offsets[i]))

    def per_row(w: np.ndarray) -> np.ndarray:
        return np.bincount(row, weights=w, minlength=m)

    near = d <= 3
    in_window = d <= window
    far = ~in_window
    f_row, l_row = first[row], last[row]
    v_near = per_row(np.where(near, val_eff, 0.0))
    v_left = per_row(np.where((local >= f_row - window) & (local < f_row), val_eff, 0.0))
    v_right = per_row(np.where((local > l_row) & (local <= l_row + window), val_eff, 0.0))
    v_far = per_row(np.where(far, val_eff, 0.0))
    v_weighted = per_row(np.where(d > 0, val_eff / (1.0 + d), 0.0))
    v_sentence = per_row(val_eff)
    hp_near, hn_near = per_row(np.where(near, hp, 0.0)), per_row(np.where(near, hn, 0.0))
    hp_far, hn_far = per_row(np.where(far, hp, 0.0)), per_row(np.where(far, hn, 0.0))
    neg_in_window = per_row((negator & in_window).astype(np.float64)) > 0
    negated_near = per_row(np.where(negated & in_window, val, 0.0))
    is_neg = (val_eff < 0) | (hn > 0)
    is_posw = (val_eff > 0) | (hp > 0)
    zero = np.zeros(1, dtype=np.int64)
    cn = np.concatenate([zero, np.cumsum(is_neg)])
    cp = np.concatenate([zero, np.cumsum(is_posw)])
    cna = np.concatenate([zero, np.cumsum(is_neg & alpha)])
    cpa = np.concatenate([zero, np.cumsum(is_posw & alpha)])
    cq = np.concatenate([zero, np.cumsum(quote)])
    has_quote = per_row(quote.astype(np.float64)) > 0
    # possessive / agent / patient windows of each mention (featurize_one's ranges, by cumulative sums)
    o_R, n_R = offsets[R], lens[R]
    p_loc = P - o_R
    has_next = p_loc + 1 < n_R
    poss = np.zeros(len(P), dtype=bool)
    poss[has_next] = poss_mark[P[has_next] + 1]
    a_poss, b_poss = P + 2, o_R + np.minimum(n_R, p_loc + 5)
    a_agent, b_agent = P + 1, o_R + np.minimum(n_R, p_loc + 3)
    a_pat, b_pat = o_R + np.maximum(0, p_loc - 3), o_R + np.minimum(p_loc, n_R)

    def seg(c: np.ndarray, a: np.ndarray, b: np.ndarray, use: np.ndarray) -> np.ndarray:
        ok = use & (b > a)
        return np.bincount(R, weights=np.where(ok, c[np.where(ok, b, 0)] - c[np.where(ok, a, 0)], 0), minlength=m)

    not_poss = ~poss
    every = np.ones(len(P), dtype=bool)
    roles_ = np.column_stack([seg(cn, a_poss, b_poss, poss), seg(cp, a_poss, b_poss, poss),
                              seg(cna, a_agent, b_agent, not_poss), seg(cpa, a_agent, b_agent, not_poss),
                              seg(cn, a_pat, b_pat, every), seg(cp, a_pat, b_pat, every)])
    first_tok_quote = quote[offsets]
    target_first = ((first == 0) | ((first == 1) & first_tok_quote)).astype(np.float64)
    in_quote = ((cq[offsets + first] - cq[offsets]) % 2 == 1).astype(np.float64)
    other = np.column_stack([
        target_first, in_quote, has_quote.astype(np.float64),
        np.fromiter((t in _PRONOUNS for t in mention_texts), dtype=np.float64, count=m),
        np.asarray(n_pos, dtype=np.float64),
        np.fromiter((math.log1p(n) for n in lens.tolist()), dtype=np.float64, count=m),
        first / np.maximum(lens, 1),
    ])
    role_block = []
    if roles:
        role_of = np.array([ROLES.index(r) if (r := (row[3] if len(row) > 3 else target_role(row[0], row[1][0])))
                            in ROLES else -1 for row in rows])
    for k in range(len(ROLES)):
        if roles:
            role_block += [np.where(role_of == k, v_sentence, 0.0), np.where(role_of == k, v_far, 0.0)]
        else:
            role_block += [np.zeros(m), np.zeros(m)]
    return np.column_stack([
        v_near, v_left, v_right, v_far, v_weighted, v_sentence,
        hp_near, hn_near, hp_far, hn_far,
        neg_in_window.astype(np.float64), negated_near,
        roles_, other, *role_block,
        np.asarray(predicates, dtype=np.float64).reshape(m, len(PREDICATE_NAMES)) if predicates is not None
        else np.zeros((m, len(PREDICATE_NAMES))),
    ])


# -- cue lexicon, batch -------------------------------------------------------------------------------
def _split_top(s: str, sep: str = "|") -> list[str] | None:
    parts, depth, cur, i = [], 0, [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\":
            cur.append(s[i:i + 2])
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _sub_trigger(sub: str) -> tuple[str, list[str], str]:
    """How to find a cue pattern cheaply: ``("first", [])`` when it starts at the target (match it at each
    TGT), ``("trigger", words)`` when every match starts at a word beginning with one of ``words``, else
    ``("always", [])``; the third item is the pattern to use (equivalent for whether it matches)."""
    if not sub.startswith("\\b"):
        return ("first", [], sub) if sub.startswith("TGT") else ("always", [], sub)
    s = sub[2:]
    # a leading optional group whose alternatives all end in a space can be dropped: "\\b(?:an? |the )?free TGT"
    # matches somewhere exactly when "\\bfree TGT" does (the word after the space always starts at a \\b)
    opt = re.match(r"\(\?:([^()]*)\)\?", s)
    rest = s[opt.end():] if opt else ""
    group = re.match(r"\(\?:([^()]*)\)(?![?*{])", rest)
    starts_word = bool(re.match(r"[a-zA-Z]", rest)) or bool(
        group and all(re.match(r"[a-zA-Z]", a) for a in _split_top(group.group(1))))
    if opt and all(a.endswith(" ") for a in _split_top(opt.group(1))) and starts_word:
        return _sub_trigger("\\b" + s[opt.end():])
    if s.startswith("TGT"):
        return "first", [], sub
    if s.startswith("(?:"):
        depth, close = 0, -1
        i = 0
        while i < len(s):
            if s[i] == "\\":
                i += 2
                continue
            if s[i] == "(":
                depth += 1
            elif s[i] == ")":
                depth -= 1
                if depth == 0:
                    close = i
                    break
            i += 1
        if close < 0 or s[close + 1:close + 2] in ("?", "*", "{") or "(" in s[3:close]:
            return "always", [], sub
        alts = _split_top(s[3:close])
    else:
        alts = [s]
    after_group = s[close + 1:] if s.startswith("(?:") else ""
    words = []
    for alt in alts:
        m = re.match(r"[a-z]+", alt)
        if not m:
            return "always", [], sub
        w = m.group()
        follower = alt[m.end():] or after_group
        if follower[:1] in ("?", "*", "{"):
            w = w[:-1]
        if len(w) < 2:
            return "always", [], sub
        # "=" marks a whole word: the word is followed by a space or a word boundary, so it is a whole piece
        exact = follower[:1] == " " or follower.startswith("\\b")
        words.append(("=" if exact else "") + w)
    return "trigger", words, sub


class _CueIndex:
    """The cue lexicon split for the batch path (see :func:`_sub_trigger`)."""

    def __init__(self, key: str) -> None:
        import json

        cues = json.loads(key)
        self.classes = []  # (name, offsets, blocker, first_rx, always ids, subs, rx_all)
        self.exact: dict[str, list[tuple[int, int]]] = {}
        self.prefixes: list[tuple[str, tuple[int, int]]] = []
        self._rx: dict[tuple[int, tuple[int, ...]], re.Pattern] = {}
        self._offsets: dict[tuple[bool, ...], np.ndarray] = {}
        all_first: list[str] = []
        for name, rx, block, offsets in _compiled_cues(key):
            subs = list(cues["classes"][name]["patterns"])
            first, always = [], []
            if name != "praise_agent":
                for k, sub in enumerate(subs):
                    kind, words, subs[k] = _sub_trigger(sub)
                    sub = subs[k]
                    if kind == "first":
                        first.append(sub)
                    elif kind == "always":
                        always.append(k)
                    else:
                        for w in words:
                            if w.startswith("="):
                                self.exact.setdefault(w[1:], []).append((len(self.classes), k))
                            else:
                                self.prefixes.append((w, (len(self.classes), k)))
            first_rx = re.compile("|".join(f"(?:{p})" for p in first)) if first else None
            all_first += first
            self.classes.append((name, offsets, block, first_rx, tuple(always), subs, rx))
        self.exact_words = frozenset(self.exact)
        self.always_ids = [cls[4] for cls in self.classes]
        self.prefix_tuple = tuple(w for w, _ in self.prefixes)
        self.no_hits = (False,) * len(self.classes)
        self._token_keys: dict[str, frozenset] = {}  # token → its keys (token_keys), remembered
        self._by_keys: dict[frozenset, tuple[list, bool]] = {}  # sentence_keys → sentence_regexes' answer
        # one pattern of every class's first_rx alternatives: it matches at a position exactly when some
        # class's first_rx does, so where it does not, no class's first_rx needs trying there
        self.any_first = re.compile("|".join(f"(?:{p})" for p in all_first)) if all_first else None

    def regex(self, c: int, ids: tuple[int, ...]) -> re.Pattern:
        key = (c, ids)
        rx = self._rx.get(key)
        if rx is None:
            subs = self.classes[c][5]
            rx = self._rx[key] = re.compile("|".join(f"(?:{subs[k]})" for k in ids))
        return rx

    def token_keys(self, tok: str) -> frozenset:
        """The (class, pattern) keys a token triggers: those of its pieces (the token, and where it has an
        apostrophe its parts split there) that are an exact trigger word or start with a prefix one."""
        pieces = {tok}
        if "'" in tok:
            pieces.update(tok.split("'"))
        found: set = set()
        for w in pieces & self.exact_words:
            found.update(self.exact[w])
        if self.prefix_tuple:
            for piece in pieces:
                if piece.startswith(self.prefix_tuple):
                    for w, key in self.prefixes:
                        if piece.startswith(w):
                            found.add(key)
        keys = frozenset(found)
        if len(self._token_keys) > 500_000:  # bound the cache on endless streams of new words
            self._token_keys.clear()
        self._token_keys[tok] = keys
        return keys

    def sentence_keys(self, sent: _Sentence) -> frozenset:
        """The (class, pattern) keys of the patterns that a trigger word of this sentence lets run."""
        # a pattern's match starts at a word boundary, so at the start of a token or of a piece of one
        # split at an apostrophe (the only non-word character inside tokens); each distinct token's
        # keys are remembered, so a sentence costs a lookup per distinct token
        distinct = set(sent.low)
        keys = list(map(self._token_keys.get, distinct))
        if None in keys:
            keys = [k if k is not None else self.token_keys(t) for t, k in zip(distinct, keys)]
        return frozenset().union(*keys)

    def sentence_regexes(self, sent: _Sentence) -> list:
        """Per class: the compiled pattern of the always-run patterns and those :meth:`sentence_keys` lets
        run (None where there is none).  Sentences share few sets of keys, so each set's patterns are
        worked out once (the lists are shared: read only)."""
        if sent.trigger_rx is None:
            found = self.sentence_keys(sent)
            entry = self._by_keys.get(found)
            if entry is None:
                if not found:
                    triggers = self.always_ids
                else:
                    triggers = [tuple(sorted(set(cls[4]) | {k for (cc, k) in found if cc == c}))
                                for c, cls in enumerate(self.classes)]
                regexes = [self.regex(c, ids) if ids else None for c, ids in enumerate(triggers)]
                entry = (regexes, any(rx is not None for rx in regexes))
                if len(self._by_keys) > 100_000:  # bound the cache
                    self._by_keys.clear()
                self._by_keys[found] = entry
            sent.trigger_rx, sent.any_rx = entry
        return sent.trigger_rx

    def hits(self, sent: _Sentence, toks: list[str], positions: list[int], joined: str,
             acts: list | None = None) -> tuple[bool, ...]:
        """Whether each class fires; ``acts`` is ``[agent_act(toks, p) for p in positions]`` if known."""
        trigger_rx = sent.trigger_rx if sent.trigger_rx is not None else self.sentence_regexes(sent)
        any_first = self.any_first
        first_at = []  # the placeholders where some class's first_rx can match
        at = joined.find(PLACEHOLDER)
        has_target = at >= 0
        if any_first is not None:
            while at >= 0:
                if any_first.match(joined, at):
                    first_at.append(at)
                at = joined.find(PLACEHOLDER, at + 3)
        if not first_at and not sent.any_rx:
            # no class can fire but praise_agent, and that only where the target is the agent of a praise verb
            if acts is None:
                acts = [agent_act(toks, p) for p in positions]
            for act in acts:
                if act is not None and act[0] == "PRAISE":
                    break
            else:
                return self.no_hits
        out = []
        for c, (name, _, block, first_rx, always, _, rx) in enumerate(self.classes):
            if block is not None:
                blocked = sent.blocked.get(c)
                if blocked is None:
                    if sent.joined is None:
                        sent.joined = " ".join(sent.low)
                    blocked = sent.blocked[c] = block.search(sent.joined) is not None
                if blocked and block.search(joined):
                    out.append(False)
                    continue
            if name == "praise_agent":
                hit = False
                for act in (acts if acts is not None else [agent_act(toks, p) for p in positions]):
                    if act is not None and act[0] == "PRAISE":
                        obj = " " + " ".join(toks[act[1] + 1:act[1] + 16]) + " "
                        hit = hit or bool(rx is not None and rx.search(obj))
                out.append(hit)
                continue
            if rx is None or not has_target:
                out.append(False)
                continue
            hit = False
            if first_at and first_rx is not None:
                for a in first_at:
                    if first_rx.match(joined, a):
                        hit = True
                        break
            if not hit:
                trx = trigger_rx[c]
                hit = trx is not None and trx.search(joined) is not None
            out.append(hit)
        return tuple(out)

    def offsets_of(self, hits: tuple[bool, ...]) -> np.ndarray:
        """The sum of the offsets of the classes that fire, added in class order from zeros (cached)."""
        off = self._offsets.get(hits)
        if off is None:
            off = np.zeros(len(LABELS))
            for (_, class_off, *_), hit in zip(self.classes, hits):
                if hit:
                    off += class_off
            self._offsets[hits] = off
        return off


@lru_cache(maxsize=32)
def _cue_index(key: str) -> _CueIndex:
    return _CueIndex(key)


_SEPARATOR = ["|||"]


def _featurize_batch(texts: list[str], targets: list[list[tuple[int, int]]], window: int, clause: bool,
                     mask_entities: bool, speech_acts: bool, cues: dict[str, Any] | None = None,
                     features: bool = True, roles: bool = True,
                     as_tokens: bool = False, predicates: bool = True) -> tuple[list, np.ndarray, np.ndarray | None]:
    """(TF-IDF documents, dense matrix, cue offsets or None) for checked inputs.

    With ``as_tokens`` each document is given as its list of tokens instead (what the stance model's
    analyzer, ``\\S+``, finds in the document string: no token contains white space), so the model can
    count n-grams without joining and re-splitting the strings.

    Python's cyclic garbage collector is paused meanwhile (and restored after): the batch allocates many
    small lists that live until it returns, and collections triggered by them cost about a quarter of the
    time while freeing nothing (nothing here makes reference cycles).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _featurize_batch_inner(texts, targets, window, clause, mask_entities, speech_acts, cues, features,
                                      roles, as_tokens, predicates)
    finally:
        if enabled:
            gc.enable()


def _featurize_batch_inner(texts: list[str], targets: list[list[tuple[int, int]]], window: int, clause: bool,
                           mask_entities: bool, speech_acts: bool, cues: dict[str, Any] | None,
                           features: bool, roles: bool,
                           as_tokens: bool = False, predicates: bool = True
                           ) -> tuple[list, np.ndarray, np.ndarray | None]:
    sentences: dict[str, _Sentence] = {}
    docs: list[str] = []
    rows: list[tuple[list[str], list[int], list[bool] | None]] = []
    mention_texts: list[str] = []
    pred_rows: list[list[float]] | None = [] if predicates else None
    shift_rows: dict[int, list[tuple[int, float]]] = {}
    index = _cue_index(_cue_key(cues)) if cues else None
    offsets = np.zeros((len(texts), len(LABELS))) if index is not None else None
    for i, (text, spans) in enumerate(zip(texts, targets)):
        sent = sentences.get(text)
        if sent is None:
            sent = sentences[text] = _Sentence(text)
        toks, positions, caps = sent.mask(text, spans, mask_entities)
        acts = [agent_act(toks, p) for p in positions] if speech_acts and features or index is not None else None
        if index is not None:
            joined = " ".join(toks)
            hits = index.hits(sent, toks, positions, joined, acts)
            if any(hits):
                offsets[i] = index.offsets_of(hits)
        if not features:
            continue
        if not toks:
            toks, caps, acts = [PLACEHOLDER], [False], None
        if not positions:
            positions, acts = [0], None
        role_names = [target_role(toks, p) for p in positions] if roles else None
        window_tokens, in_object = _window_and_clause(toks, positions, window, clause, speech_acts, roles,
                                                      acts if speech_acts else None, role_names)
        if pred_rows is not None:
            pred_tokens, pred_dense, shifts = _predicate_features(
                toks, positions, role_names if roles else [target_role(toks, p) for p in positions])
            window_tokens += pred_tokens
            pred_rows.append(pred_dense)
            if shifts:
                shift_rows[len(rows)] = shifts
        sentence = entity_mask(toks, caps) if mask_entities else toks
        if as_tokens:
            doc = sentence + _SEPARATOR
            doc += window_tokens
            docs.append(doc)
        else:
            docs.append(" ".join(sentence) + " ||| " + " ".join(window_tokens))
        rows.append((toks, positions, in_object, role_names[0]) if roles else (toks, positions, in_object))
        mention_texts.append(text[spans[0][0]:spans[0][1]].strip().lower())
    dense = _dense_batch(rows, mention_texts, window, roles, pred_rows, shift_rows) if features \
        else np.zeros((0, len(DENSE_NAMES)))
    return docs, dense, offsets


def cue_offsets(texts: Sequence[str], targets: Sequence[Sequence[tuple[int, int]]],
                cues: dict[str, Any] | None) -> np.ndarray:
    """(n, 3) logit offsets in LABELS order: the sum of the offsets of the cue classes that fire."""
    if not cues:
        return np.zeros((len(texts), len(LABELS)))
    texts, targets = _check_inputs(texts, targets)
    return _featurize_batch(texts, targets, 6, False, False, False, cues, features=False)[2]


def featurize(texts: Sequence[str], targets: Sequence[Sequence[tuple[int, int]]],
              window: int = 6, clause: bool = True, mask_entities: bool = False,
              speech_acts: bool = True, roles: bool = True, predicates: bool = True) -> tuple[list[str], np.ndarray]:
    """Checked batch version of :func:`featurize_one` (same output, computed per sentence and in numpy)."""
    texts, targets = _check_inputs(texts, targets)
    docs, dense, _ = _featurize_batch(texts, targets, window, clause, mask_entities, speech_acts, roles=roles,
                                      predicates=predicates)
    return docs, dense


# ---------------------------------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------------------------------
class StanceClassifier:
    """Target-dependent stance classifier: ``fit(texts, targets, labels)`` → ``predict_proba`` in LABELS order."""

    def __init__(self, *, window: int = 6, clause: bool = True, mask_entities: bool = False,
                 speech_acts: bool = True, ngram_range: tuple[int, int] = (1, 2), min_df: int = 2,
                 max_features: int | None = 60000, C: float = 3.0, dense_weight: float = 0.5,
                 class_weight: str | None = "balanced", max_iter: int = 3000, cues: bool = True,
                 cue_scale: float = 1.0, roles: bool = True, predicates: bool = True) -> None:
        self.window = window
        self.clause = clause
        self.mask_entities = mask_entities
        self.speech_acts = speech_acts
        self.ngram_range = tuple(ngram_range)
        self.min_df = min_df
        self.max_features = max_features
        self.C = C
        self.dense_weight = dense_weight
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.cues = cues
        self.cue_scale = cue_scale
        self.roles = roles
        self.predicates = predicates

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {k: getattr(self, k) for k in (
            "window", "clause", "mask_entities", "speech_acts", "ngram_range", "min_df", "max_features", "C",
            "dense_weight", "class_weight", "max_iter", "cues", "cue_scale", "roles", "predicates")}

    def set_params(self, **params: Any) -> "StanceClassifier":
        for k, v in params.items():
            if k not in self.get_params():
                raise ValueError(f"unknown parameter {k!r}; known: {sorted(self.get_params())}")
            setattr(self, k, v)
        return self

    def _new_classifier(self) -> LinearTextClassifier:
        return LinearTextClassifier(
            ngram_range=self.ngram_range, min_df=self.min_df, max_features=self.max_features,
            sublinear_tf=True, lowercase=False, token_pattern=r"\S+", C=self.C,
            class_weight=self.class_weight, max_iter=self.max_iter, dense_weight=self.dense_weight)

    def fit(self, texts: Sequence[str], targets: Sequence[Sequence[tuple[int, int]]],
            labels: Sequence[int]) -> "StanceClassifier":
        texts, targets = _check_inputs(texts, targets, labels)
        y = _check_labels(labels)
        missing = sorted(set(_LABEL_VALUES) - set(y.tolist()))
        if missing:
            raise InvalidInputError(f"training labels lack the classes {missing}; all of -1, 0, 1 are needed")
        docs, dense = featurize(texts, targets, self.window, self.clause, self.mask_entities,
                                self.speech_acts, self.roles, self.predicates)
        self.model_ = self._new_classifier().fit(docs, y, dense)
        self.cues_ = default_cues() if self.cues else None
        return self

    def _fitted(self) -> LinearTextClassifier:
        if not hasattr(self, "model_"):
            raise ModelError("this StanceClassifier is not fitted; call fit() or load a state with from_state()")
        return self.model_

    def decision_function(self, texts, targets) -> np.ndarray:
        model = self._fitted()
        texts, targets = _check_inputs(texts, targets)
        cues = getattr(self, "cues_", None)
        use_cues = bool(cues and self.cue_scale)
        # the documents' tokens are what the analyzer of the model that fit() builds would find in them
        as_tokens = not model.lowercase and model.token_pattern == r"\S+"
        docs, dense, offsets = _featurize_batch(texts, targets, self.window, self.clause, self.mask_entities,
                                                self.speech_acts, cues if use_cues else None,
                                                roles=self.roles, as_tokens=as_tokens,
                                                predicates=self.predicates)
        if not docs:
            return np.zeros((0, 3))
        if as_tokens:
            logits = model._decision_function_tokens(docs, dense)
        else:
            logits = model.decision_function(docs, dense)
        if use_cues:
            offsets = offsets * float(self.cue_scale)
            order = [_LABEL_VALUES.index(v) for v in model.classes_.tolist()]
            logits = logits + offsets[:, order]
        return logits

    def calibrate(self, texts, targets, labels) -> float:
        """Fit the softmax temperature on held-out rows (not the rows the weights were fitted on)."""
        from .linear import fit_temperature

        model = self._fitted()
        texts, targets = _check_inputs(texts, targets, labels)
        index = {c: i for i, c in enumerate(model.classes_.tolist())}
        y_index = np.array([index[v] for v in _check_labels(labels).tolist()])
        model.temperature = fit_temperature(self.decision_function(texts, targets), y_index)
        return model.temperature

    def predict_proba(self, texts, targets) -> np.ndarray:
        model = self._fitted()
        logits = self.decision_function(texts, targets)
        z = logits / model.temperature
        z -= z.max(axis=1, keepdims=True) if len(z) else 0
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        order = [model.classes_.tolist().index(v) for v in _LABEL_VALUES]
        return p[:, order]

    def predict(self, texts, targets) -> np.ndarray:
        """Labels in {-1, 0, 1}."""
        return np.asarray(_LABEL_VALUES)[self.predict_proba(texts, targets).argmax(axis=1)]

    def top_features(self, k: int = 20) -> dict[str, list[tuple[str, float]]]:
        return self._fitted().top_features(k, DENSE_NAMES)

    # -- state -----------------------------------------------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        inner_config, inner_arrays = self._fitted().get_state()
        params = self.get_params()
        params["ngram_range"] = list(params["ngram_range"])
        config = {"format": FORMAT, "labels": list(LABELS), "params": params,
                  "dense_names": list(DENSE_NAMES), "linear": inner_config,
                  "cues": getattr(self, "cues_", None)}
        arrays = {f"linear.{k}": np.asarray(v) for k, v in inner_arrays.items()}
        return config, arrays

    @classmethod
    def from_state(cls, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> "StanceClassifier":
        if not isinstance(config, dict) or config.get("format") != FORMAT:
            raise ModelError(f"not a target-stance state (format {config.get('format') if isinstance(config, dict) else None!r}, "
                             f"expected {FORMAT!r})")
        if list(config.get("dense_names", [])) != list(DENSE_NAMES):
            raise ModelError("the state was written with different dense features than this version computes; "
                             "retrain with scripts/train_stance.py")
        params = dict(config["params"])
        params["ngram_range"] = tuple(params["ngram_range"])
        model = cls(**params)
        model.cues_ = check_cues(config["cues"]) if config.get("cues") else None
        inner = {k[len("linear."):]: v for k, v in arrays.items() if k.startswith("linear.")}
        for k, v in inner.items():
            if np.asarray(v).dtype == object:
                raise ModelError(f"state array {k!r} has object dtype; only numeric arrays are allowed")
        model.model_ = LinearTextClassifier.from_state(config["linear"], inner)
        if sorted(model.model_.classes_.tolist()) != list(_LABEL_VALUES):
            raise ModelError(f"state classes {model.model_.classes_.tolist()} are not -1, 0, 1")
        return model
