"""Closed word classes and lexicon lookups the stance features use: the words and tests that both the
target-stance features (:mod:`stance.targets`) and the predicate link (:mod:`stance.predicate`) read sentences
with.

The tokens are lower-cased and masked as :func:`stance.targets.mask_tokens` gives them, each mention of the target
collapsed to :data:`PLACEHOLDER`. :func:`_lexicon_info` looks a token up in VADER and the Hu & Liu opinion lexicon
(:mod:`stance.lexicons`); :func:`target_role` reads the target's role in its clause off the closed classes of
words before it (prepositions, determiners, clause openers).
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicons

PLACEHOLDER = "TGT"  # a mention of the target in a masked sentence
_NEGATORS = frozenset(
    "not no never n't nothing nobody none neither nor without cannot hardly barely lack lacks lacked".split())
_CLAUSE_BREAKS = frozenset(", ; : ( ) \" “ ” — – but while although though whereas however".split())

# Verbs of criticism and of praise (stems), for the target as the agent of a speech act and as verb cues.
_CRITICISM_VERB = re.compile(
    r"(condemn|critici[sz]|slam|blast|denounc|accus|attack|blam|reject|warn|lambast|assail|rebuk|chastis|"
    r"scold|mock|derid|ridicul|disparag|berat|fault|castigat|excoriat|decr[iy]|protest|deplor|censur)\w*$")
_PRAISE_VERB = re.compile(
    r"(prais|laud|hail|thank|welcom|congratulat|applaud|endors|commend|celebrat|compliment|salut)\w*$")

# The target's role in its clause, read off the words around the mention (no parser): the agent/subject
# ("TGT condemned …"), a possessor ("TGT's attack"), the object of a verb ("… hit TGT"), or inside a
# prepositional phrase: a place ("in TGT"), a recipient ("aid to TGT"), the thing acted against ("attacks on
# TGT"), "of/from TGT", "by TGT", "about TGT". The classifier gets the role as a token and the sentence's
# valence split by role, so it can learn how much of a sentence's tone falls on a target in each role
# (the tone of "missiles hit Kyiv" is not a judgement of Kyiv).
ROLES = ("subj", "poss", "obj", "loc", "to", "against", "of", "by", "about")
_ROLE_PREPS = {"in": "loc", "into": "loc", "inside": "loc", "across": "loc", "within": "loc", "throughout": "loc",
               "at": "loc", "to": "to", "toward": "to", "towards": "to", "for": "to", "with": "to",
               "against": "against", "on": "against", "upon": "against", "of": "of", "from": "of", "by": "by",
               "about": "about", "over": "about"}
_SUBJECT_BEFORE = frozenset('. ! ? , ; : ( " “ ” — – and but that which who while although though when as if'.split())
_DETERMINERS = frozenset("the a an".split())


def target_role(toks: list[str], p: int) -> str:
    """The role of the mention at position p (one of ROLES, or "other")."""
    nxt = toks[p + 1] if p + 1 < len(toks) else ""
    if nxt in ("'s", "'"):
        return "poss"
    j = p - 1
    while j >= 0 and toks[j] in _DETERMINERS:
        j -= 1
    if j < 0:
        return "subj"
    prev = toks[j]
    role = _ROLE_PREPS.get(prev)
    if role is not None:
        return role
    if prev in _SUBJECT_BEFORE:
        return "subj"
    if prev.isalpha() and prev != PLACEHOLDER:
        return "obj"
    return "other"


@lru_cache(maxsize=200_000)
def _lexicon_info(tok: str) -> tuple[float, int, int, str]:
    """(VADER valence, Hu & Liu positive, Hu & Liu negative, polarity class suffix) of a lower-cased token."""
    v = lexicons.vader().get(tok, 0.0)
    pos, neg = int(tok in lexicons.positive_words()), int(tok in lexicons.negative_words())
    if v <= -1.5 or (v <= 0 and neg):
        cls = "_NEGWORD"
    elif v >= 1.5 or (v >= 0 and pos):
        cls = "_POSWORD"
    elif v < 0:
        cls = "_negword"
    elif v > 0:
        cls = "_posword"
    else:
        cls = ""
    return v, pos, neg, cls
