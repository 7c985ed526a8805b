"""Paragraphs with character offsets, sentences, and boilerplate (web chrome) detection.

``split_paragraphs`` cuts text at every line break (blank lines and single newlines alike; in hard-wrapped text,
where lines of at most 100 characters break sentences, only at blank lines and after short lines) and marks
web chrome -- navigation and section labels, bare dates and times, "Read also:" / "Tags:" / "Source"
lines, bylines and author boxes, disclaimers, share prompts, template junk and whole listings of related
headlines -- as ``boilerplate``.  Boilerplate paragraphs are kept (offsets stay exact) but should not be
classified.

Detection works in two passes:

1. every line gets a cheap class: ``C`` content, ``H`` headline-like short line, ``T`` date/time stamp,
   ``B`` boilerplate by its own form (label, prompt, byline, ...), ``S`` a listing starter ("Read also:",
   "More news", "Related", ...);
2. context: a run of non-content lines after a listing starter, or a run in which headlines are
   interleaved with timestamps, is a related-headlines listing and is boilerplate as a whole; short
   kicker lines ahead of the headline at the top of a page are section labels / site names; short lines
   sharing a blank-line block with boilerplate only are chrome too; up to three short name-like lines after
   the last content line are a sign-off (a letter's signature, an author line).

``split_sentences`` applies nltk's Punkt algorithm with parameters trained on news text
(``scripts/train_punkt.py`` -> ``stance/data/punkt.json``, loaded lazily on first use); the algorithm is
written out here (:class:`Punkt`) so that sentence splitting does not import nltk.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

__all__ = [
    "Paragraph",
    "split_paragraphs",
    "split_sentences",
    "is_boilerplate_line",
    "line_kind",
]

# Any line break: \n, \r\n, lone \r, and the Unicode line/paragraph separators.
_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the input: ``source[start:end] == text``."""

    index: int
    start: int
    end: int
    text: str
    boilerplate: bool = False


# --------------------------------------------------------------------------------------------------
# Line classification
# --------------------------------------------------------------------------------------------------

CONTENT, HEADLINE, TIME, BOILER, STARTER = "C", "H", "T", "B", "S"

# Decorations stripped before matching: bullets, markdown emphasis, arrows, pipes, quotes are kept.
_DECOR = " \t\u00a0•·▪►▶»«>*#|–—-=~_:↓↑→←⟶▸▹◆◇■□●○"
_DECOR_RIGHT = " \t\u00a0•·▪►▶»«<*#|–—-=~_:↓↑→←⟶▸▹◆◇■□●○"

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
_DATE_WORDS = (
    _MONTHS + "|" + _DAYS + "|today|yesterday|am|pm|a\\.m|p\\.m|gmt|utc|cet|cest|eet|eest|bst|est|edt|pst|pdt|"
    "et|pt|kyiv|time|updated|published|posted|last|modified|on|at|of|the|st|nd|rd|th|ago|min|mins|minutes|"
    "hour|hours|day|days|read|reading|h"
)
# A line made only of date/time vocabulary, numbers and separators, with at least one number/month/day.
_DATE_TOKEN = re.compile(r"[a-z]+(?:\.[a-z])*\.?|\d+(?:st|nd|rd|th)?|[,./:\-–|()•·]+", re.I)
_DATE_VOCAB = frozenset(_DATE_WORDS.replace("\\", "").split("|"))
_DATE_ANCHOR = re.compile(r"\d|\b(?:" + _MONTHS + "|" + _DAYS + r"|today|yesterday)\b", re.I)
_TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?$", re.I)

# Whole-line labels (after lower-casing and stripping decoration / trailing colon).
_LABEL_TABLE = """
opinion|opinions|exclusive|interview|interviews|updated|update|review|reviews|news|analysis|comment|comments
editorial|editorials|column|columns|blog|blogs|blogs and opinions|feature|features|explainer|fact check
breaking|breaking news|live|live updates|video|videos|photo|photos|gallery|photo gallery|podcast|podcasts
audio|listen|watch|advertisement|advertising|ad|sponsored|sponsored content|promoted|partner content
paid content|more news|latest|latest news|top stories|top news|most read|most popular|popular|trending
trending now|recommended|recommended for you|editor's picks|editors' picks|you may also like
you might also like|related|related news|related articles|related stories|related content|related posts
related topics|read also|read more|see also|also read|more from|more stories|more on this story
more on this topic|in other news|elsewhere|what to read next|tags|tag|topics|keywords|source|sources
share|share this|share this article|share this story|share on facebook|share on twitter|share via email
print|email|facebook|twitter|linkedin|whatsapp|telegram|reddit|copy link|copy url|subscribe|follow us
sign up|sign in|log in|login|register|menu|search|home|back to top|skip to content|skip to main content
close|continue reading|read full story|read full article|read the full article|read the full story
click here|loading|all news|all rights reserved|cookie settings|privacy policy|terms of use
terms of service|contact|contact us|about us|newsletter|newsletters|world|politics|economy|business
sport|sports|culture|society|science|technology|tech|health|lifestyle|entertainment|world news|us news
uk news|international|read the original article here|read the original article|read the original
original article|view original article|full story|show more|show less|load more|next article
previous article|next|previous|prev|advert|ads|comments are closed|leave a comment|add comment
continue reading below|story continues below|article continues below|image caption|hide caption
toggle caption|enlarge this image|play video|watch video|learn more|read more about|follow|fullscreen
close dialog|just in|getty images|ap photo|reuters photo|afp photo|print this article|email this article
"""
_LABELS = frozenset(x.strip() for x in _LABEL_TABLE.replace("\n", "|").split("|") if x.strip())

# Labels that start a listing of related links: every following non-content line is boilerplate too.
_STARTER_TABLE = """
read also|read more|see also|also read|related|related news|related articles|related stories|related content
related posts|more news|latest news|more from|more stories|most read|most popular|top stories|trending
trending now|recommended|recommended for you|you may also like|you might also like|what to read next
editor's picks|editors' picks|in other news|more on this story|more on this topic|all news
"""
_STARTERS = frozenset(x.strip() for x in _STARTER_TABLE.replace("\n", "|").split("|") if x.strip())

_SOCIAL = frozenset(
    "facebook twitter x linkedin whatsapp telegram reddit email e-mail print share copy link "
    "pinterest viber messenger instagram youtube tiktok flipboard mastodon bluesky threads".split()
)

# Patterns on the normalised (lower-case, decoration-stripped) line; only tried for short lines.
_BOILER_PREFIX = re.compile(
    r"""^(?:
        (?:read\ also|read\ more|see\ also|also\ read|related|more\ news|tags?|topics|keywords
           |sources?|photo|photos|image|images|picture|pictures|credit|credits|caption|illustration
           |video|author|authors|written\ by|edited\ by|editor|copyright|follow\ us|share\ (?:this|on)
           |published|updated|posted|last\ updated|first\ published)\s*:
      | about\ the\ authors?\b
      | (?:reporting|writing|editing|additional\ reporting|compiled|translated|written|edited)\ by\b
      | read\ (?:the\ )?(?:original|full|complete|rest\ of\ the)\ (?:article|story|report|piece|text)\b
      | (?:click|tap)\ here\b
      | (?:photo|image|picture|video|illustration)s?\ (?:by|credit|courtesy|source)\b
      | (?:toggle|hide)\ caption\b
      | originally\ posted\ by\b
      | (?:subscribe|sign\ up|register)\ (?:to|for|now|here|today)\b
      | (?:follow|join)\ (?:us|our)\b
      | (?:download|get)\ (?:our|the)\ (?:free\ )?app\b
      | share\ (?:this|on|via)\b
      | (?:©|\(c\)|copyright\b)
      | all\ rights\ reserved\b
      | (?:this\ (?:article|story|piece|post)\ (?:was\ )?(?:originally\ )?(?:first\ )?(?:published|appeared))\b
      | (?:originally\ published|first\ published)\b
      | (?:sponsored\ by|advertisement\b|paid\ content)
      | (?:you\ (?:may|might)\ also\ (?:like|be\ interested))
      | (?:we\ use\ cookies|this\ (?:site|website)\ uses\ cookies|accept\ (?:all\ )?cookies)
      | (?:https?://|www\.)\S+$
    )""",
    re.X,
)
# Disclaimers: the publisher distancing itself from the author's views.
_DISCLAIMER = re.compile(
    r"(?:editors?|editorial\ (?:board|team|office)|publisher|the\ (?:site|website|publication|newspaper))"
    r"\s+(?:do(?:es)?\s*n[o']?t|do\ not|may\ not|does\ not)\s+(?:always\ |necessarily\ )?"
    r"(?:share|reflect|endorse|agree)"
    r"|(?:views|opinions)\ expressed\ (?:here\ |in\ this\ \w+\ |by\ the\ authors?\ )?"
    r"(?:are|do\ not|don't|belong|represent|reflect)"
    r"|do(?:es)?\ not\ necessarily\ (?:reflect|represent)\ the\ (?:views|opinions|position)"
    r"|the\ authors?\ (?:is|are)\ solely\ responsible",
    re.X,
)
_DISCLAIMER_TOPIC = re.compile(r"opinion|view|author|blog|column|position|content|guest")
# Bylines: "By Jane Doe", "By Jane Doe and John Roe, Reuters", "By JANE DOE | 3 min read".
_BYLINE = re.compile(
    r"^[Bb][Yy]\s+[A-Z][\w'’.\-]*(?:\s+(?:[A-Z][\w'’.\-]*|de|van|von|der|da|al|bin|and|&),?)*"
    r"\s*(?:[,|–—-]\s*[\w\s.,&|]{0,40})?$"
)
# Template junk: identifier-ish tokens with no spaces (client/title.list_title, {{title}}, %%AUTHOR%%).
_TEMPLATE = re.compile(
    r"\{\{|\}\}|\{%|%\}|\$\{|%%|^[\w\-]+(?:[./][\w\-]+)*[_./][\w\-]+(?:[./][\w\-]+)*$|^undefined$|^null$|^nan$"
)
# A sign-off line: capitalised words only, optionally "Name, Place" ("Margaret Ellison", "Jane Doe, London").
_NAME_LINE = re.compile(r"^[-–—\s]*[A-Z][\w'’.\-]*(?:,?\s+[A-Z][\w'’.\-]*){0,3}$")
_BREADCRUMB = re.compile(r"^[^.!?]{1,40}(?:\s(?:>|»|›|/|\|)\s[^.!?]{1,40}){2,}$")

_WORD = re.compile(r"[^\W_]+(?:[’'\-.][^\W_]+)*")
_SENT_END = re.compile(r"[.!…][\"'”’)\]]*(?:\s*(?:…|\.\.\.)?\s*(?:continue reading|read more)\W*)?$", re.I)

SHORT_LINE_CHARS = 220  # longer lines are always content
HEADLINE_MAX_WORDS = 30


def _normalise(line: str) -> str:
    return line.strip(_DECOR).rstrip(_DECOR_RIGHT).strip().lower().replace("’", "'")


_DATE_FILLERS = frozenset("on at of the last updated published posted modified time ago read reading".split())


def _is_date_or_time(low: str) -> bool:
    if len(low) > 60 or not _DATE_ANCHOR.search(low):
        return False
    if _TIME_ONLY.match(low):
        return True
    tokens = _DATE_TOKEN.findall(low)
    if not tokens or sum(len(t) for t in tokens) < len(low.replace(" ", "")):
        return False  # characters outside the date vocabulary
    digits = fillers = 0
    for tok in tokens:
        head = tok[0]
        if head.isdigit():
            if len(tok.rstrip("stndrh")) > 4:
                return False
            digits += 1
        elif head.isalpha():
            word = tok.rstrip(".")
            if word not in _DATE_VOCAB:
                return False
            fillers += word in _DATE_FILLERS
    # "on Tuesday." is a sentence fragment; "Updated on 2 November" is a stamp.
    return digits > 0 or fillers == 0


def line_kind(line: str) -> str:
    """Classify one stripped line on its own: C, H, T, B or S (see module docstring)."""
    n = len(line)
    if n > SHORT_LINE_CHARS:
        return CONTENT
    low = _normalise(line)
    if not low:
        return BOILER  # only decoration (rules, bullets)
    if low in _STARTERS:
        return STARTER
    if low in _LABELS:
        return BOILER
    if _is_date_or_time(low):
        return TIME
    if _BOILER_PREFIX.match(low):
        return BOILER
    if _DISCLAIMER.search(low) and _DISCLAIMER_TOPIC.search(low):
        return BOILER
    stripped = line.strip(_DECOR)
    if " " not in low:
        # Template junk / bare paths: an underscore or braces, or an all-lower-case dotted/slashed
        # identifier (client/title.list_title, {{author}}, news.com.au) -- not "Israel/Iran".
        if ("_" in low or "{" in low or "%" in low or stripped == low) and _TEMPLATE.search(low):
            return BOILER
    elif "{" in low or "%" in low:
        if _TEMPLATE.search(low):
            return BOILER
    if stripped[:3].lower() == "by " and _BYLINE.match(stripped):
        return BOILER
    words = _WORD.findall(low)
    if words and len(words) <= 8 and all(w in _SOCIAL for w in words):
        return BOILER  # "Facebook Twitter Email"
    if ">" in low or "»" in low or "›" in low or " / " in low or " | " in low:
        if _BREADCRUMB.match(low):
            return BOILER
    if len(words) > HEADLINE_MAX_WORDS:
        return CONTENT
    if _SENT_END.search(line) and len(words) >= 3:
        return CONTENT
    return HEADLINE


def is_boilerplate_line(line: str) -> bool:
    """True when a single line is web chrome by its own form (no context used)."""
    return line_kind(line.strip()) in (BOILER, TIME, STARTER)


# --------------------------------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------------------------------

def _spans(text: str) -> tuple[list[tuple[int, int, str]], list[bool]]:
    """Non-empty stripped lines with offsets, and whether each starts a new blank-line block."""
    lines: list[tuple[int, int, str]] = []
    new_block: list[bool] = []
    prev_end = 0
    for match in _LINE.finditer(text):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        end = start + len(stripped)
        # A block break is a gap with two or more line breaks (\r\n counts once).
        new_block.append(not lines or len(_BREAK.findall(text, prev_end, start)) >= 2)
        lines.append((start, end, stripped))
        prev_end = end
    return _unwrap(text, lines, new_block)


# Hard-wrapped text (e-mail alerts, wire copy and database exports wrapped at 30-100 columns) breaks lines inside
# paragraphs. It is told by its lines: the longest is at most WRAP_MAX_WIDTH characters, and of the "full" lines
# (within a long word or two of that width) that continue in the same blank-line block, at least two and at least
# a third break mid-sentence: the line ends in a lower-case word or a comma and the next starts with a lower-case
# word, which wrapped prose does and a list of headlines, labels or captions does not.
WRAP_MAX_WIDTH = 100


def _unwrap(text: str, lines: list[tuple[int, int, str]], new_block: list[bool]
            ) -> tuple[list[tuple[int, int, str]], list[bool]]:
    """Join the lines of a hard-wrapped text into its paragraphs: a full line and the line after it in the same
    block are one paragraph; a shorter line ends one. Other texts are returned as they are."""
    if len(lines) < 3:
        return lines, new_block
    width = max(len(t) for _, _, t in lines)
    if width > WRAP_MAX_WIDTH:
        return lines, new_block
    full_from = max(0.6 * width, width - 25)
    full = [len(t) >= full_from for _, _, t in lines]
    joins = [i for i in range(len(lines) - 1) if full[i] and not new_block[i + 1]]
    mid_sentence = sum((lines[i][2][-1].islower() or lines[i][2][-1] == ",") and lines[i + 1][2][0].islower()
                       for i in joins)
    if mid_sentence < 2 or 3 * mid_sentence < len(joins):
        return lines, new_block
    joined = set(joins)
    bounds: list[list[int]] = []
    out_block: list[bool] = []
    for i, (start, end, _) in enumerate(lines):
        if i - 1 in joined:  # continues the paragraph before it
            bounds[-1][1] = end
        else:
            bounds.append([start, end])
            out_block.append(new_block[i])
    return [(start, end, text[start:end]) for start, end in bounds], out_block


def _context_flags(
    kinds: list[str], words: list[int], new_block: list[bool], terminal: list[bool], names: list[bool]
) -> list[bool]:
    n = len(kinds)
    flags = [k in (BOILER, TIME, STARTER) for k in kinds]

    # 1. Listings: a maximal run of non-content lines (H/T/B/S).  Everything in it is boilerplate when
    #    it contains a listing starter (from the starter on), or when headlines are interleaved with
    #    timestamps (>= 3 separate timestamp groups, at least one per three headlines).
    i = 0
    while i < n:
        if kinds[i] == CONTENT:
            i += 1
            continue
        j = i
        while j < n and kinds[j] != CONTENT:
            j += 1
        run = range(i, j)
        groups, heads, prev_t = 0, 0, False
        for k in run:
            is_t = kinds[k] == TIME
            if is_t and not prev_t:
                groups += 1
            heads += kinds[k] == HEADLINE
            prev_t = is_t
        if groups >= 3 and heads <= 3 * groups:
            for k in run:
                flags[k] = True
        else:
            started = False
            for k in run:
                if kinds[k] == STARTER:
                    started = True
                if started:
                    flags[k] = True
        i = j

    # 2. Kickers: at the top of the page, short lines (<= 3 words) that come before a longer
    #    headline-like line (and before any content) are section labels or the site's name.
    first_content = next((k for k in range(n) if kinds[k] == CONTENT), n)
    pre = [k for k in range(first_content) if kinds[k] == HEADLINE and not terminal[k]]
    if len(pre) >= 2:
        for pos, k in enumerate(pre):
            if words[k] <= 3 and any(words[m] > 3 for m in pre[pos + 1:]):
                flags[k] = True
            elif words[k] > 3:
                break

    # 3. Blocks of chrome: inside one blank-line block, a short headline-like line (<= 4 words) whose
    #    block-mates are all boilerplate (and there is at least one) is chrome as well.
    start = 0
    while start < n:
        end = start + 1
        while end < n and not new_block[end]:
            end += 1
        if end - start >= 2:
            members = range(start, end)
            short = [k for k in members if not flags[k]]
            if short and len(short) < end - start and all(
                kinds[k] == HEADLINE and words[k] <= 4 for k in short
            ):
                for k in short:
                    flags[k] = True
        start = end

    # 4. Sign-offs: after the last content line, up to three short name-like lines ("Margaret Ellison",
    #    "Hillside", "Jane Doe, London") are a signature or an author line.
    last_content = max((k for k in range(n) if kinds[k] == CONTENT), default=-1)
    tail = [k for k in range(last_content + 1, n) if not flags[k]]
    if last_content >= 0 and 0 < len(tail) <= 3 and all(words[k] <= 4 and names[k] for k in tail):
        for k in tail:
            flags[k] = True
    return flags


def split_paragraphs(text: str) -> list[Paragraph]:
    """Split on blank lines and on single newlines (hard-wrapped text: see :func:`_unwrap`); surrounding
    whitespace is trimmed from each span.

    Paragraphs that are web chrome (see module docstring) get ``boilerplate=True``.
    """
    lines, new_block = _spans(text)
    if not lines:
        return []
    kinds = [line_kind(s) for _, _, s in lines]
    words = [
        len(_WORD.findall(s)) if kinds[k] != CONTENT else HEADLINE_MAX_WORDS + 1
        for k, (_, _, s) in enumerate(lines)
    ]
    terminal = [k == HEADLINE and s[-1] in ".!?…" for k, (_, _, s) in zip(kinds, lines)]
    names = [k == HEADLINE and not ends and bool(_NAME_LINE.match(s))
             for k, ends, (_, _, s) in zip(kinds, terminal, lines)]
    flags = _context_flags(kinds, words, new_block, terminal, names)
    return [Paragraph(k, s, e, t, flags[k]) for k, (s, e, t) in enumerate(lines)]


# --------------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------------

_PUNKT_PATH = Path(__file__).resolve().parent / "data" / "punkt.json"
_TOKENIZER = None
_MAYBE_END = re.compile(r"[.!?…]")


# -- Punkt, applied without nltk ----------------------------------------------------------------------
# The decision procedure of nltk's PunktSentenceTokenizer (nltk.tokenize.punkt, English language
# variables) with fixed parameters, written out so that splitting sentences does not import nltk
# (whose package __init__ pulls in scipy.stats and much more: ~0.7 s of every cold start).  The regular
# expressions, the two annotation passes, the orthographic heuristic and the boundary realignment are
# those of nltk; tests/test_fast_paths.py compares the spans with nltk's on many texts.
# nltk compiles its expressions with the third-party ``regex`` engine (an nltk dependency, ~20 ms to
# import), whose Unicode classes (\s, \w, \d) differ from ``re``'s on a few characters (\x1c-\x1f,
# combining marks, superscript digits); the same engine is used here when it is installed.
try:
    import regex as _rx
except ImportError:  # pragma: no cover - nltk (a dependency) brings it; ``re`` differs only on rare characters
    _rx = re

_PLAIN_CONTEXT = _rx.compile(r"([^\W\d_]{2,})([.?!])\s+\S+")

_PK_SENT_END_CHARS = (".", "?", "!")
_PK_NON_WORD = r"(?:[)\";}\]\*:@\'\({\[\u2018\u2019\u201c\u201d\xab\xbb" + re.escape("?!") + "])"
_PK_MULTI_CHAR = r"(?:\-{2,}|\.{2,}|(?:\.\s){2,}\.)"
_PK_WORD_START = r"[^\(\"\`{\[:;&\#\*@\)}\]\-,]"
_PK_WORD_RE = _rx.compile(
    r"""(
        %(MultiChar)s
        |
        (?=%(WordStart)s)\S+?  # Accept word characters until end is found
        (?= # Sequences marking a word's end
            \s|                                 # White-space
            $|                                  # End-of-string
            %(NonWord)s|%(MultiChar)s|          # Punctuation
            ,(?=$|\s|%(NonWord)s|%(MultiChar)s) # Comma if at end of word
        )
        |
        \S
    )""" % {"NonWord": _PK_NON_WORD, "MultiChar": _PK_MULTI_CHAR, "WordStart": _PK_WORD_START},
    _rx.UNICODE | _rx.VERBOSE,
)
_PK_PERIOD_CONTEXT_RE = _rx.compile(
    r"""
        %(SentEndChars)s             # a potential sentence ending
        (?=(?P<after_tok>
            %(NonWord)s              # either other punctuation
            |
            \s+(?P<next_tok>\S+)     # or whitespace and some other token
        ))""" % {"NonWord": _PK_NON_WORD, "SentEndChars": "[%s]" % re.escape("".join(_PK_SENT_END_CHARS))},
    _rx.UNICODE | _rx.VERBOSE,
)
_PK_REALIGN_RE = _rx.compile(r'["\')\]}\u2018\u2019\u201c\u201d\xab\xbb]+?(?:\s+|(?=--)|$)', _rx.MULTILINE)
_PK_NUMERIC = _rx.compile(r"^-?[\.,]?\d[\d,\.-]*\.?$")
_PK_ELLIPSIS = _rx.compile(r"\.\.+$")
_PK_INITIAL = _rx.compile(r"[^\W\d]\.$", _rx.UNICODE)
_PK_ASCII_WHITESPACE = frozenset(" \t\n\r\x0b\x0c")  # string.whitespace, as nltk uses
_PK_ASCII_WHITESPACE_CHARS = tuple(sorted(_PK_ASCII_WHITESPACE))
_PK_PUNCTUATION = frozenset(";:,.!?")
_ORTHO_BEG_UC, _ORTHO_MID_UC, _ORTHO_UNK_UC = 1 << 1, 1 << 2, 1 << 3
_ORTHO_BEG_LC, _ORTHO_MID_LC, _ORTHO_UNK_LC = 1 << 4, 1 << 5, 1 << 6
_ORTHO_UC = _ORTHO_BEG_UC + _ORTHO_MID_UC + _ORTHO_UNK_UC
_ORTHO_LC = _ORTHO_BEG_LC + _ORTHO_MID_LC + _ORTHO_UNK_LC


class _Tok:
    """A Punkt token: its text, type (lower case, numbers as ``##number##``) and annotations."""

    __slots__ = ("tok", "type", "period_final", "sentbreak", "abbr", "ellipsis")

    def __init__(self, tok: str) -> None:
        self.tok = tok
        self.type = _PK_NUMERIC.sub("##number##", tok.lower())
        self.period_final = tok.endswith(".")
        self.sentbreak = self.abbr = self.ellipsis = None

    @property
    def type_no_period(self) -> str:
        typ = self.type
        return typ[:-1] if len(typ) > 1 and typ[-1] == "." else typ

    @property
    def type_no_sentperiod(self) -> str:
        return self.type_no_period if self.sentbreak else self.type


class Punkt:
    """Sentence spans exactly as nltk's ``PunktSentenceTokenizer(params).span_tokenize`` gives them.

    ``abbrev_types``, ``collocations`` (pairs), ``sent_starters`` and ``ortho_context`` are Punkt's
    parameters (as trained by nltk's PunktTrainer)."""

    def __init__(self, abbrev_types=(), collocations=(), sent_starters=(), ortho_context=None) -> None:
        self.abbrev_types = frozenset(abbrev_types)
        self.collocations = frozenset(tuple(c) for c in collocations)
        self.sent_starters = frozenset(sent_starters)
        self.ortho_context = dict(ortho_context or {})
        self._colloc_heads = frozenset(a for a, _ in self.collocations)

    @classmethod
    def from_json(cls, data: dict) -> "Punkt":
        return cls(data.get("abbrev_types", ()), data.get("collocations", ()), data.get("sent_starters", ()),
                   data.get("ortho_context", {}))

    # -- one candidate context ---------------------------------------------------------------------
    def _first_pass(self, t: _Tok) -> None:
        tok = t.tok
        if tok in _PK_SENT_END_CHARS:
            t.sentbreak = True
        elif _PK_ELLIPSIS.match(tok):
            t.ellipsis = True
        elif t.period_final and not tok.endswith(".."):
            low = tok[:-1].lower()
            if low in self.abbrev_types or low.split("-")[-1] in self.abbrev_types:
                t.abbr = True
            else:
                t.sentbreak = True

    def _ortho_heuristic(self, t: _Tok):
        if t.tok in _PK_PUNCTUATION:
            return False
        context = self.ortho_context.get(t.type_no_sentperiod, 0)
        first = t.tok[0]
        if first.isupper() and (context & _ORTHO_LC) and not (context & _ORTHO_MID_UC):
            return True
        if first.islower() and ((context & _ORTHO_UC) or not (context & _ORTHO_BEG_LC)):
            return False
        return "unknown"

    def _second_pass(self, t1: _Tok, t2: _Tok) -> None:
        if not t1.period_final:
            return
        typ = t1.type_no_period
        next_typ = t2.type_no_sentperiod
        initial = _PK_INITIAL.match(t1.tok)
        if (typ, next_typ) in self.collocations:
            t1.sentbreak = False
            t1.abbr = True
            return
        if (t1.abbr or t1.ellipsis) and not initial:
            starter = self._ortho_heuristic(t2)
            if starter is True:
                t1.sentbreak = True
                return
            if t2.tok[0].isupper() and next_typ in self.sent_starters:
                t1.sentbreak = True
                return
        if initial or typ == "##number##":
            starter = self._ortho_heuristic(t2)
            if starter is False:
                t1.sentbreak = False
                t1.abbr = True
                return
            if (starter == "unknown" and initial and t2.tok[0].isupper()
                    and not (self.ortho_context.get(next_typ, 0) & _ORTHO_LC)):
                t1.sentbreak = False
                t1.abbr = True

    def text_contains_sentbreak(self, text: str) -> bool:
        """True when a token other than the last one ends a sentence (nltk's method of the same name)."""
        m = _PLAIN_CONTEXT.fullmatch(text)
        if m is not None:
            # ``word. Next`` / ``word? Next`` with ``word`` only letters (two or more), not a known
            # abbreviation and not the head of a collocation: the first pass marks a break that no
            # second-pass rule can undo.
            if m.group(2) != ".":
                return True
            typ = m.group(1).lower()
            if typ not in self.abbrev_types and typ not in self._colloc_heads:
                return True
        return self._contains_sentbreak(text)

    def _contains_sentbreak(self, text: str) -> bool:
        tokens = [_Tok(w) for line in text.split("\n") if line.strip() for w in _PK_WORD_RE.findall(line)]
        for t in tokens:
            self._first_pass(t)
        for i in range(len(tokens) - 1):
            t1 = tokens[i]
            self._second_pass(t1, tokens[i + 1])
            if t1.sentbreak:
                return True
        return False

    # -- the text ------------------------------------------------------------------------------------
    def _match_potential_end_contexts(self, text: str):
        previous_start = previous_stop = 0
        previous_match = None
        for match in _PK_PERIOD_CONTEXT_RE.finditer(text):
            before_text = text[previous_stop:match.start()]
            # the last ASCII whitespace in before_text (nltk scans backwards; 0 when there is none, and a space
            # at position 0 reads as none, as in nltk)
            index_after_last_space = max(map(before_text.rfind, _PK_ASCII_WHITESPACE_CHARS))
            if index_after_last_space > 0:
                index_after_last_space += previous_stop + 1
            else:
                index_after_last_space = previous_start
            if previous_match and previous_stop <= index_after_last_space:
                yield previous_match, (text[previous_start:previous_stop] + previous_match.group()
                                       + previous_match.group("after_tok"))
            previous_match = match
            previous_start, previous_stop = index_after_last_space, match.start()
        if previous_match:
            yield previous_match, (text[previous_start:previous_stop] + previous_match.group()
                                   + previous_match.group("after_tok"))

    def _slices_from_text(self, text: str):
        last_break = 0
        for match, context in self._match_potential_end_contexts(text):
            if self.text_contains_sentbreak(context):
                yield last_break, match.end()
                last_break = match.start("next_tok") if match.group("next_tok") else match.end()
        yield last_break, len(text.rstrip())

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        """Sentence spans with closing punctuation realigned, as nltk's ``span_tokenize``."""
        slices = list(self._slices_from_text(text))
        out: list[tuple[int, int]] = []
        realign = 0
        for k, (start1, stop1) in enumerate(slices):
            start1 += realign
            if k + 1 == len(slices):
                if text[start1:stop1]:
                    out.append((start1, stop1))
                continue
            start2, stop2 = slices[k + 1]
            m = _PK_REALIGN_RE.match(text[start2:stop2])
            if m:
                out.append((start1, start2 + len(m.group(0).rstrip())))
                realign = m.end()
            else:
                realign = 0
                if text[start1:stop1]:
                    out.append((start1, stop1))
        return out


def _load_tokenizer() -> Punkt:
    global _TOKENIZER
    if _TOKENIZER is None:
        try:
            data = json.loads(_PUNKT_PATH.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:  # a broken install must not quietly split sentences worse
            from .errors import StanceError

            raise StanceError(f"cannot read the sentence tokenizer parameters {_PUNKT_PATH} ({exc}); reinstall stance") from exc
        _TOKENIZER = Punkt.from_json(data)
    return _TOKENIZER


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences in ``text``.

    Sentences never cross a line break; within a line, boundaries come from Punkt with parameters
    trained on news text.  Spans exclude surrounding whitespace.
    """
    spans: list[tuple[int, int]] = []
    tokenizer = None
    for match in _LINE.finditer(text):
        line = match.group()
        offset = match.start()
        lead = len(line) - len(line.lstrip())
        body = line.strip()
        if not body:
            continue
        offset += lead
        if not _MAYBE_END.search(body, 0, len(body) - 1):
            spans.append((offset, offset + len(body)))  # no inner boundary candidate: one sentence
            continue
        if tokenizer is None:
            tokenizer = _load_tokenizer()
        for s, e in tokenizer.span_tokenize(body):
            if e > s:
                spans.append((offset + s, offset + e))
    return spans


# The stance features of a sentence cost about (mentions in it) x (its length): a "sentence" of thousands of
# words (a list, a page without full stops) would take minutes, so it is judged in pieces of at most this many
# characters. Real sentences are far shorter (news sentences rarely pass 600 characters).
MAX_SENTENCE_CHARS = 1500


def cut_long_sentences(text: str, sentences: list[tuple[int, int]], keep: Sequence[tuple[int, int]] = (),
                       limit: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """``sentences`` (spans in ``text``) with any longer than ``limit`` characters cut at spaces into pieces of at
    most ``limit`` (a piece is longer only where no space is free), never inside one of the ``keep`` spans
    (sorted by start: the actor mentions, so none is lost)."""
    if all(e - s <= limit for s, e in sentences):
        return sentences
    starts = [a for a, _ in keep]
    out: list[tuple[int, int]] = []
    for s, e in sentences:
        while e - s > limit:
            cut = text.rfind(" ", s + 1, s + limit)
            while cut > s:
                i = bisect.bisect_right(starts, cut) - 1  # the last kept span starting at or before the space
                if i < 0 or keep[i][1] <= cut:
                    break
                cut = text.rfind(" ", s + 1, keep[i][0])
            if cut <= s:  # no free space within the limit: the next one after it
                cut = next((j for j in range(s + limit, e) if text[j] == " " and not _inside(keep, starts, j)), e)
            out.append((s, cut))
            s = cut
            while s < e and text[s].isspace():
                s += 1
        if s < e:
            out.append((s, e))
    return out


def _inside(keep: Sequence[tuple[int, int]], starts: list[int], pos: int) -> bool:
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and keep[i][1] > pos
