"""The predicate link: what a sentence says of the subject noun phrase that holds the target, and the polarity
of that predicate composed with negation and "decrease" verbs.

When the target is in the sentence's subject noun phrase ("TGT's age and the depletion of its resources, further
exacerbated by X, gradually erode their strength"; "TGT, who …, ordered …") and its predicate comes after a
parenthetical, beyond the clause and word windows of :mod:`stance.targets`, :func:`predicate_range` finds the
predicate's first words (no parser: closed word classes and the shape of the parenthetical). Negation and decrease
verbs shift the predicate's polarity ("erode their strength" is negative, "reduce poverty" positive); a decrease
verb without a polar object turns its subject around instead ("TGT's popularity has eroded" is negative, "TGT's
deficit has shrunk" positive, "has not weakened" leaves it as it is), with or without a parenthetical.

:func:`_predicate_features` gives :mod:`stance.targets` the ``P_`` tokens and the :data:`PREDICATE_NAMES` dense
features (``pred_*``, the last block of ``DENSE_NAMES``) of a masked sentence's mentions, and the subject
compositions that :func:`_apply_shifts` applies to the sentence's polarity cues as negation is.
"""

from __future__ import annotations

import re

from .words import (PLACEHOLDER, _CLAUSE_BREAKS, _CRITICISM_VERB, _DETERMINERS, _NEGATORS, _PRAISE_VERB,
                    _SUBJECT_BEFORE, _lexicon_info, target_role)

# The dense features of the predicate link, from _predicate_features (the last block of stance.targets.DENSE_NAMES).
PREDICATE_NAMES = ("pred_link", "pred_vader", "pred_hl_pos", "pred_hl_neg", "pred_shifted")

# The predicate of a subject: "TGT's age and the depletion of its resources, further exacerbated by X, gradually
# erode their strength" — the target sits in the sentence's subject noun phrase, and what is said of that noun
# phrase (its predicate) comes after a comma-delimited parenthetical, beyond the clause and word windows. No
# parser: the noun phrase is the target's clause when it holds no verb cue; the parenthetical is a segment
# closed by the same mark that opens it (", … ,", "( … )", "— … —") and begins like one (a relative pronoun,
# "according", a participle, an adverb, an appositive's determiner); the predicate is the segment after it
# when it begins like a verb phrase.
_VERB_CUES = frozenset(
    "is are was were be been being has have had will would can could may might must should shall does did do "
    "'re 've 'll 'd said says told tells made makes took takes gave gives got gets won wins lost loses led leads "
    "became becomes remains seems wants".split())
_PARENTHETICAL_OPENERS = frozenset(
    "who whom whose which where when according including especially particularly notably further also already "
    "once now then still itself himself herself themselves the a an like unlike despite after before since "
    "along together led known born seen given taken held made hit hurt struck stung driven shaken beaten".split())
_NOT_PREDICATE_START = frozenset(
    "and or but nor so yet while whereas although though because as if that which who whom whose where when "
    "the a an this these those his her its their our my your he she it they we i you of in on at to for from "
    "with by about into over after before since than".split())
_PREDICATE_ADVERBS = frozenset("now then also still never already once later recently soon again often just".split())
_PAREN_CLOSE = {",": ",", "(": ")", "—": "—", "–": "–"}
_CHAINED_OPENERS = frozenset("who whom whose which according including".split())
# Polarity shifters of the "decrease" kind (compositional sentiment: Moilanen & Pulman 2007; Choi & Cardie 2008):
# a decrease verb flips the polarity of what is decreased — its object ("erode their strength" is bad for the
# subject, "reduce poverty" good) or, when it has no polar object, its subject ("TGT's popularity has eroded" is
# bad, "TGT's deficit has shrunk" good, "TGT's resolve has not weakened" good again). Closed lists: verbs that take
# an object (_DECREASE_VERB), and intransitive verbs of decline common in news reports of figures and standing
# (_FALL_VERB: fall, drop's intransitive kin, decline, plunge, plummet, slump, sink, shrink, dwindle, collapse,
# wane, slide, tumble, slip, dip, ebb, fade, evaporate, crumble), whose polar complements ("plunged into crisis")
# are not objects, so only their subject is turned around.
_DECREASE_VERB = re.compile(
    r"(?:(?:erod|undermin|deplet|damag|reduc|decreas|stifl|los)(?:e|es|ed|ing)|lost|shrank|shrunk|"
    r"(?:weaken|diminish|hurt|cut|curb|shrink|drain|destroy|ruin|harm|impair|lower|dent|hamper|hinder|squander|"
    r"wreck|sap|drop|slow)(?:s|es|ed|ing|ping|ting|ped)?)$")
_FALL_VERB = re.compile(
    r"(?:(?:declin|plung|dwindl|collaps|wan|slid|tumbl|fad|evaporat|crumbl)(?:e|es|ed|ing)|fell|fallen|sank|sunk|"
    r"shrunken|slid|(?:fall|slump|sink|slip|plummet|dip|ebb)(?:s|ed|ing|ped|ping)?)$")
# Words between a subject and its main verb: auxiliaries, negators, adverbs, and aspectual verbs with "to"
# ("has not weakened", "continues to shrink", "is expected to fall").
_PREDICATE_SKIP = frozenset(
    "is are was were be been being has have had will would can could may might must should shall does did do "
    "'re 've 'll 'd to continue continues continued continuing begin begins began begun start starts started "
    "keep keeps kept seem seems seemed appear appears appeared set expected likely poised going".split()
    ) | _PREDICATE_ADVERBS | _NEGATORS
_LY_NOUNS = frozenset("family rally supply assembly italy anomaly monopoly homily".split())


def _adverb(tok: str) -> bool:
    return len(tok) > 4 and tok.endswith("ly") and tok not in _LY_NOUNS


def _decrease_object(toks: list[str], j: int, b: int) -> int | None:
    """The first polar word within 3 tokens after the decrease verb at j (before b), adverbs aside ("eroded
    sharply" has no object), or None."""
    for k in range(j + 1, min(b, j + 4)):
        if _lexicon_info(toks[k])[3] and not _adverb(toks[k]):
            return k
    return None


def _subject_decrease(toks: list[str], a: int, b: int) -> tuple[int, float] | None:
    """When the predicate toks[a:b]'s first verb (past auxiliaries, negators, adverbs and "continues to") is a
    decrease verb without a polar object — what it decreases is its subject —, (that verb's position, the sign
    its subject's polar words take: -1, or +1 when the verb is negated, "has not weakened": nothing was lost);
    else None."""
    for j in range(a, b):
        t = toks[j]
        if t in _PREDICATE_SKIP or t.endswith("n't") or _adverb(t):
            continue
        if _FALL_VERB.match(t):
            if t.startswith("declin") and j + 2 < len(toks) and toks[j + 1] == "to" and toks[j + 2].isalpha() \
                    and toks[j + 2] not in _DETERMINERS:
                return None  # "declined to comment": a refusal
        elif not _DECREASE_VERB.match(t) or _decrease_object(toks, j, b) is not None:
            return None
        negated = any(toks[k] in _NEGATORS or toks[k].endswith("n't") for k in range(max(a, j - 3), j))
        return j, (1.0 if negated else -1.0)
    return None


def _verb_like(tok: str) -> bool:
    return tok in _VERB_CUES or (len(tok) > 4 and tok.endswith("ed")) or bool(
        _CRITICISM_VERB.match(tok) or _PRAISE_VERB.match(tok))


def _starts_predicate(tok: str) -> bool:
    """A verb phrase's first word: a verb cue, an adverb, a word in -s ("says", "faces"), or a verb of rise or
    decline ("fell", "rose")."""
    return tok.isalpha() and tok not in _NOT_PREDICATE_START and (
        _verb_like(tok) or tok in _PREDICATE_ADVERBS or tok.endswith("ly") or (tok.endswith("s") and not tok.endswith("ss"))
        or tok in ("rose", "grew") or bool(_DECREASE_VERB.match(tok) or _FALL_VERB.match(tok)))


def _opens_parenthetical(tok: str) -> bool:
    return tok in _PARENTHETICAL_OPENERS or (len(tok) > 4 and tok.endswith(("ed", "ing", "ly"))) or tok.isdigit()


def _subject_position(toks: list[str], p: int, role: str) -> bool:
    """Whether the mention at p (of the given role) is in the sentence's subject noun phrase: a subject, or a
    possessor opening a noun phrase in subject position ("praised TGT's trip" is not)."""
    if role == "poss":
        i = p - 1
        while i >= 0 and toks[i] in _DETERMINERS:
            i -= 1
        return i < 0 or toks[i] in _SUBJECT_BEFORE
    return role == "subj"


def _predicate_link(toks: list[str], p: int, role: str, size: int = 6) -> tuple[int, int, int] | None:
    """(end of the subject noun phrase, predicate start, predicate end) for predicate_range."""
    if not _subject_position(toks, p, role):
        return None
    n = len(toks)
    j = p + 1
    while j < n and toks[j] not in _CLAUSE_BREAKS:  # the rest of the noun phrase: no verb in it
        if _verb_like(toks[j]) or j - p > 12:
            return None
        j += 1
    if role == "subj" and j > p + 1 and toks[p + 1] not in ("and", "of", "&"):
        return None  # "TGT says …": the words after a bare subject are its predicate, already in the clause
    if j >= n or toks[j] not in _PAREN_CLOSE:
        return None
    np_end = j
    for _ in range(3):  # up to three parentheticals in a row: ", 71, who has ruled since 2000, …"
        if j + 1 >= n or (toks[j] != "(" and not _opens_parenthetical(toks[j + 1])):
            return None
        close = _PAREN_CLOSE[toks[j]]
        k = j + 1
        while k < n and toks[k] != close and k - j <= 25:
            k += 1
        if k >= n or toks[k] != close:
            return None
        j = k + 1
        # another parenthetical follows only when a relative pronoun or a bracket opens it
        if not (j < n and (toks[k] == "," and toks[j] in _CHAINED_OPENERS or toks[j] in ("(", "—", "–"))):
            break
        if toks[k] == ",":
            j = k
    if j >= n or not _starts_predicate(toks[j]):
        return None
    return np_end, j, _predicate_end(toks, j, size)


def _predicate_end(toks: list[str], j: int, size: int) -> int:
    end = j
    n = len(toks)
    while end < n and end - j < size and toks[end] not in _CLAUSE_BREAKS and toks[end] not in (".", "!", "?"):
        end += 1
    return end


def predicate_range(toks: list[str], p: int, size: int = 6, role: str | None = None) -> tuple[int, int] | None:
    """The first ``size`` tokens [start, end) of the predicate of the subject noun phrase that holds the mention
    at p (role subj or poss; ``role``: target_role(toks, p) when already known), when the predicate lies past a
    parenthetical; else None."""
    r = _predicate_link(toks, p, target_role(toks, p) if role is None else role, size)
    return None if r is None else r[1:]


# Words that end a subject noun phrase before any predicate of its own: a sentence end, a relative pronoun or a
# conjunction ('"Hillary flunky who lost big"': what "lost" says is of the flunky's relative clause).
_NP_ENDS = frozenset(". ! ? who whom whose which that where when and or nor as if because".split())


def _direct_predicate(toks: list[str], p: int, role: str, size: int = 6) -> tuple[int, int, int] | None:
    """(end of the subject noun phrase, predicate start, predicate end) when the predicate follows the subject
    noun phrase that holds the mention at p directly ("TGT's popularity has eroded"), within 6 tokens."""
    if not _subject_position(toks, p, role):
        return None
    n = len(toks)
    for k in range(p + 1, min(n, p + 7)):
        t = toks[k]
        if t in _CLAUSE_BREAKS or t in _NP_ENDS:
            return None
        if t in _PREDICATE_SKIP or t.endswith("n't") or _verb_like(t) or _DECREASE_VERB.match(t) \
                or _FALL_VERB.match(t):
            return k, k, _predicate_end(toks, k, size)
    return None


def _predicate_signs(toks: list[str], a: int, b: int) -> list[float]:
    """The polarity sign of each predicate word toks[a:b]: -0.7 within 3 tokens after a negator ("not",
    "n't"), flipped again for the first polar word (not an adverb) within 3 tokens after a decrease verb that
    takes an object ("erode their strength": the strength is lost), whose own polarity is then dropped (sign 0)."""
    sign = [1.0] * (b - a)
    for j in range(a, b):
        t = toks[j]
        if t in _NEGATORS or t.endswith("n't"):
            for k in range(j + 1, min(b, j + 4)):
                sign[k - a] *= -0.7
        elif _DECREASE_VERB.match(t):
            k = _decrease_object(toks, j, b)
            if k is not None:
                sign[k - a] *= -1.0
                sign[j - a] = 0.0
    return sign


_SWAPPED_CLASS = {"_NEGWORD": "_POSWORD", "_POSWORD": "_NEGWORD", "_negword": "_posword", "_posword": "_negword"}


def _signed(tokens: list[str], t: str, s: float) -> tuple[float, int, int]:
    """(signed VADER valence, Hu & Liu positive, negative) of t under sign s; appends its ``P`` class token."""
    v, hp, hn, cls = _lexicon_info(t)
    if s < 0:
        hp, hn, cls = hn, hp, _SWAPPED_CLASS.get(cls, cls)
    if cls:
        tokens.append("P" + cls)
    return s * v, hp, hn


def _predicate_features(toks: list[str], positions: list[int], roles: list[str] | None = None
                        ) -> tuple[list[str], list[float], list[tuple[int, float]]]:
    """``P_`` tokens of the mentions' subject predicates (:func:`predicate_range`): each word, its polarity
    class after negation and decrease verbs (``P_NEGWORD`` for "strength" in "erode their strength"), and
    ``P_SHIFT`` where a decrease verb turned a word around; and their PREDICATE_NAMES features (the number of
    predicates, their VADER valence and Hu & Liu counts with the same signs, the number shifted), summed over
    distinct predicates.

    When the predicate's first verb is a decrease verb without a polar object (:func:`_subject_decrease`), the
    polar words of the subject noun phrase after the mention ("popularity" in "TGT's popularity, according to
    polls, has eroded") are what is turned around: their classes and signed counts join the predicate's, and
    the verb's own polarity is dropped (a negated verb, "has not weakened", leaves both as they are; its
    subject's words are counted unchanged). That composition is also made when the predicate follows the noun
    phrase directly ("TGT's popularity has eroded", :func:`_direct_predicate`), where the clause features see
    the words but not how they combine; there it adds only the composed words (no ``P_`` words, no
    ``pred_link``). ``pred_shifted`` counts only shifted objects: a subject composition is known from too few
    training sentences for an unsigned indicator of it (standardised, it would swamp the rest). The third value
    lists the composed tokens as ``(position, sign)`` (the verb with sign 0), for featurize_one and _dense_batch
    to apply to the sentence's polarity cues as they apply negation. ``roles``: the mentions' target_role names
    when already known."""
    tokens: list[str] = []
    dense = [0.0] * len(PREDICATE_NAMES)
    shifts: list[tuple[int, float]] = []
    seen: set[int] = set()
    for i, p in enumerate(positions):
        role = target_role(toks, p) if roles is None else roles[i]
        r = _predicate_link(toks, p, role)
        linked = r is not None
        if r is None:
            r = _direct_predicate(toks, p, role)
            if r is None:
                continue
        np_end, a, b = r
        if a in seen:
            continue
        subject = _subject_decrease(toks, a, b)
        np_words = [j for j in range(p + 1, np_end) if toks[j] != PLACEHOLDER and _lexicon_info(toks[j])[3]] \
            if subject is not None else []
        if not linked and not np_words:
            continue
        seen.add(a)
        signs = _predicate_signs(toks, a, b)
        shifted = 0.0 in signs
        val = pos = neg = 0.0
        if np_words and subject[1] < 0:  # a negated verb ("has not weakened") keeps its words as they are
            signs[subject[0] - a] = 0.0
            shifts.append((subject[0], 0.0))
            shifts.extend((j, -1.0) for j in np_words)
        for j in np_words:
            v, hp, hn = _signed(tokens, toks[j], subject[1])
            val += v
            pos += hp
            neg += hn
        if linked:
            for j, s in zip(range(a, b), signs):
                t = toks[j]
                if t == PLACEHOLDER:
                    continue
                tokens.append("P_" + t)
                if s == 0.0:  # the decrease verb itself
                    continue
                v, hp, hn = _signed(tokens, t, s)
                val += v
                pos += hp
                neg += hn
        if shifted:
            tokens.append("P_SHIFT")
        dense[0] += float(linked)
        dense[1] += val
        dense[2] += pos
        dense[3] += neg
        dense[4] += float(shifted)
    return tokens, dense, shifts


def _apply_shifts(val_eff, hp, hn, val, shifts: list[tuple[int, float]], o: int = 0) -> None:
    """Compose the subject's polar words with its decrease verb in the polarity cues (in place, at offset o):
    each word's valence becomes sign × its own, its Hu & Liu counts swap when the sign is negative; the verb's
    own polarity (sign 0) is dropped."""
    for j, s in shifts:
        k = o + j
        val_eff[k] = s * val[k]
        if s == 0.0:
            hp[k] = hn[k] = 0
        elif s < 0:
            hp[k], hn[k] = hn[k], hp[k]
