"""Finding actors (people, countries, organisations) in news text and grouping their aliases.

Two sources of mentions, resolved together over a whole article:

1. **Gazetteer** (``stance/data/actors.json``): canonical names with aliases, demonyms ("North Korean") and
   metonyms ("Pyongyang", "Kremlin"). Every surface form goes into one character-trie regular expression,
   so a single pass in C finds them all. Matching is case-sensitive (so "US" is not "us", "WHO" is not "who");
   each alias also matches in ALL CAPS when it is at least four characters long, and an alias starting with
   a lowercase word ("al-Qaeda") also matches with that word capitalised. Matches need word boundaries
   on both sides, so "Russia's" and "Russia-North Korea" work and "Russian" is never found inside
   "Russians". "Blockers" (e.g. "Korean", "Korean Peninsula", "Latin America") are matched and dropped, which
   keeps ambiguous forms from being read as a shorter alias.

2. **Personal names** (no NER model is available offline): runs of capitalised tokens (2–4 name tokens,
   with initials, particles such as "bin"/"von der" and hyphens such as "Choe Son-hui") that are preceded by
   a title ("Foreign Minister", "Dr.", "expert" …), start with a known given name (``first_names.txt``, derived
   from the NLTK Names Corpus, plus a short list of non-English given names in ``actors.json``), or are
   followed by a speech verb ("said", "told" …). A single surname ("Thompson") or title + surname
   ("Dr. Thompson") attaches to the full name seen nearest before it in the same article (or after it when
   there is none before), or to a gazetteer person.

Conflicts are settled longest-first (a gazetteer match wins a tie against the name finder, a caller's actor
wins a tie against the default gazetteer). A role alias directly followed by a name ("Russian President
Vladimir Putin", "North Korea's Foreign Minister Kim Jong Gyu") gives way to the name, and the country in
the role ("Russian", "North Korea") is kept as its own mention.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from stance.errors import InvalidInputError

KINDS = ("person", "country", "organization", "other")

PRONOUNS = frozenset(
    "i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself she her "
    "hers herself it its itself they them their theirs themselves one this that these those who whom whose".split()
)

_UPPER = "A-Z" + "".join(chr(c) for c in range(0xC0, 0x250) if chr(c).isupper())
_SPEECH = r"(?:said|says|told|tells|added|adds|stated|noted|wrote|writes|argued|argues|explained|warned|warns|claimed|claims|insisted|declared|announced|stressed|emphasized|emphasised|asked|replied|responded)"
# One name token: "Putin", "Son-hui", "O'Brien", "al-Assad", "J.D.", "R." (a possessive "'s" is left outside).
_TOKEN = (
    rf"(?:(?:[{_UPPER}]\.){{1,3}}(?![\w])"
    rf"|(?:(?:al|el|ad|as|ash|bin|ibn|abu)-)?[{_UPPER}]\w*(?:['’](?!s(?!\w))\w+)*(?:-\w+)*)"
)
_PARTICLE = r"(?:al|el|bin|ibn|bint|abu|de|da|di|du|dos|das|del|della|van|von|der|den|ter|le|la|y|zu)"
_SEP = rf"(?:[ \t\u00a0]+(?:{_PARTICLE}[ \t\u00a0]+)*)"
# The look-behind comes after the first character so that the regex engine can use its fast
# first-character scan (a pattern that starts with an assertion is tried at every position).
_START = rf"[{_UPPER}](?<![\w'’.-].)"
_FIRST_TOKEN = rf"{_START}(?:\.(?:[{_UPPER}]\.){{0,2}}(?!\w)|\w*(?:['’](?!s(?!\w))\w+)*(?:-\w+)*)"
# Two or more name tokens, or one followed by a speech verb ("Bryza said").
_RUN2 = re.compile(rf"{_FIRST_TOKEN}(?:(?:{_SEP}{_TOKEN})+|(?=,?[ \t]+{_SPEECH}\b))")
_RUN1 = re.compile(rf"{_TOKEN}(?:{_SEP}{_TOKEN})*")
_SAID_AFTER = re.compile(rf"(?:['’]s)?,?[ \t]+{_SPEECH}\b")
# a locative preposition right before a name guessed from its speech verb: "officials in Kharkiv said" (a person
# is rarely the object of one of these and the subject of "said" at once; "for", "of", "to" and "from" are left
# out: "the lawyer for Smith said", "a friend of Smith said", "a statement from Smith said")
_LOCATIVE_BEFORE = re.compile(r"(?<![\w'’])(?:[Ii]n|[Aa]t|near|outside|inside|across|throughout|around)"
                              r"[ \t\u00a0]+(?:the[ \t\u00a0]+)?$")
_TOKEN_RE = re.compile(_TOKEN)
_NOT_NAME = re.compile(r"\d|_|['’](?:ve|m|d|re|ll|t)$")  # digits, contractions ("I've", "We're")
_GIVEN_NAME_HYPHEN = re.compile(r"-[a-z]")  # Korean given names: "Son-hui", "Jong-un" (family name first)
_INITIAL = re.compile(rf"(?:[{_UPPER}]\.)+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_GAP_TO_NAME = re.compile(r"[ \t\u00a0]*,?[ \t\u00a0]*")
_NEXT_TOKEN = re.compile(rf"[ \t\u00a0]({_TOKEN})")
_PREV_TOKEN = re.compile(rf"(?<![\w'’.-])({_TOKEN})[ \t\u00a0]$")
# a gazetteer alias that reads as an adjective, a plural or an acronym cannot be a surname ("Austin American")
_DEMONYM_LIKE = re.compile(r"(?:an|ans|ese|ish|ic|i|s)$|^[A-Z]+$")


@dataclass(frozen=True)
class Mention:
    """One mention of an actor: ``text[start:end] == surface``.

    ``surface`` is the form as written, without a possessive ("Putin" in "Putin’s") and, for names found in
    the text, without a leading title ("Thompson" in "Dr. Thompson"); ``actor`` is the canonical name and
    ``kind`` one of "person", "country", "organization", "other".
    """

    start: int
    end: int
    surface: str
    actor: str
    kind: str


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: str
    aliases: tuple[str, ...]


def _trie_pattern(words: Sequence[str]) -> str:
    """A regular expression matching exactly ``words``, longest alternative first (a character trie)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        optional = "" in node
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if optional:
            return (body if len(branches) > 1 else "(?:" + body + ")") + "?"
        return body

    return build(trie)


def _bounded_trie(words: Sequence[str], end: bool = True) -> str:
    """Trie pattern with word boundaries. The "not after a word character" check sits after the first
    character (``(?<!\\w.)``) so the regex engine can still skip ahead on the set of first characters."""
    by_first: dict[str, list[str]] = {}
    for w in words:
        by_first.setdefault(w[0], []).append(w[1:])
    branches = [re.escape(first) + r"(?<!\w.)" + _trie_pattern(rests) for first, rests in sorted(by_first.items())]
    return "(?:" + "|".join(branches) + ")" + (r"(?!\w)" if end else "")


def _variants(alias: str) -> set[str]:
    forms = {alias}
    if "'" in alias:
        forms.add(alias.replace("'", "’"))
    if "’" in alias:
        forms.add(alias.replace("’", "'"))
    for form in list(forms):
        if form[:1].islower():
            forms.add(form[0].upper() + form[1:])
    for form in list(forms):
        if len(form) >= 4 and any(c.islower() for c in form):
            forms.add(form.upper())
    return forms


class _Matcher:
    """Surface forms → entry indices, found with one trie regex (index -1 marks a blocker).

    Forms that start lowercase ("al-Qaeda", "von der Leyen") are indexed from their first capital letter
    ("Qaeda", "Leyen") and the lowercase prefix is checked in Python: a trie whose alternatives may start
    with "a", "e" or "t" would be tried at almost every position of the text and run twice as slowly.
    """

    def __init__(self, surfaces: Mapping[str, int], offset: int = 0):
        self.surfaces: dict[str, int] = {}
        self.prefixed: dict[str, list[tuple[str, int]]] = {}
        lower: dict[str, int] = {}
        for form, idx in surfaces.items():
            value = idx + offset if idx >= 0 else -1
            if not form[:1].islower():
                self.surfaces[form] = value
                continue
            k = next((j for j, ch in enumerate(form) if ch.isupper()), -1)
            if k > 0:
                self.prefixed.setdefault(form[k:], []).append((form[:k], value))
            else:
                lower[form] = value
        self.lower = lower
        words = sorted(set(self.surfaces) | set(self.prefixed), key=len, reverse=True)
        self.regex = re.compile(_bounded_trie(words)) if words else None
        self.lower_regex = (
            re.compile(r"(?<!\w)(?:" + _trie_pattern(sorted(lower, key=len, reverse=True)) + r")(?!\w)") if lower else None
        )

    def spans(self, text: str, priority: int, start: int = 0, end: int | None = None) -> list[tuple]:
        """Candidates ``(start, end, entry index, priority, None)``; blockers get index -1."""
        end = len(text) if end is None else end
        out: list[tuple] = []
        if self.regex is not None:
            get, prefixed = self.surfaces.get, self.prefixed
            for m in self.regex.finditer(text, start, end):
                g = m.group()
                if prefixed and g in prefixed:
                    s = m.start()
                    for prefix, value in prefixed[g]:
                        ps = s - len(prefix)
                        if ps >= start and text.startswith(prefix, ps) and (ps == 0 or not _is_word_char(text[ps - 1])):
                            out.append((ps, m.end(), value, priority, None))
                            break
                    else:
                        value = get(g)
                        if value is not None:
                            out.append((s, m.end(), value, priority, None))
                    continue
                out.append((m.start(), m.end(), get(g), priority, None))
        if self.lower_regex is not None:
            out.extend((m.start(), m.end(), self.lower[m.group()], priority, None) for m in self.lower_regex.finditer(text, start, end))
        return out


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class _Cover:
    """Sorted, non-overlapping spans with a fast "does [s, e) touch any span" query."""

    def __init__(self, spans: Sequence[tuple[int, int]]):
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def hits(self, s: int, e: int) -> bool:
        i = bisect.bisect_right(self.starts, e - 1) - 1
        return i >= 0 and self.ends[i] > s


# A candidate mention is a tuple (start, end, entry, priority, person) where entry indexes the gazetteer
# entries (caller entries follow the default ones), -1 is a blocker and -2 a name found in the text (then
# person is (normalised name, name tokens)). Priority settles ties: caller 3, gazetteer 2, name finder 1.


class Gazetteer:
    """Actors known by name, plus the rules for finding personal names in text."""

    def __init__(
        self,
        entries: Sequence[_Entry],
        blockers: Sequence[str] = (),
        *,
        titles: Sequence[str] = (),
        first_names: Mapping[str, bool] | None = None,
        non_names: Sequence[str] = (),
        family_name_first: Sequence[str] = (),
        places: Sequence[str] = (),
        find_people: bool = True,
    ):
        self.entries: list[_Entry] = list(entries)
        self.find_people = find_people
        self._by_name = {e.name: i for i, e in enumerate(self.entries)}
        surfaces: dict[str, int] = {}
        for b in blockers:
            for form in _variants(b):
                surfaces[form] = -1
        for i, entry in enumerate(self.entries):
            for alias in (entry.name, *entry.aliases):
                for form in _variants(alias):
                    surfaces[form] = i
        self._matcher = _Matcher(surfaces)
        self._roles = {
            i: frozenset(a for a in e.aliases if not _shares_name_token(a, e.name))
            for i, e in enumerate(self.entries)
            if e.kind == "person"
        }
        self._first_names = dict(first_names or {})
        self._non_names = frozenset(non_names)
        self._family_first = frozenset(family_name_first)
        place_words = sorted({p for p in places if p}, key=len, reverse=True)
        self._places = (re.compile(r"(?<!\w)(?:" + _trie_pattern(place_words) + r")(?!\w)")
                        if place_words else None)
        title_words = sorted({t for t in titles if t}, key=len, reverse=True)
        # Titles are found in the reversed text, starting from the capital letter of the name that follows:
        # capitals are rare, so this is much faster than trying every lowercase title at every letter.
        self._title_rev = (
            re.compile(
                rf"[{_UPPER}][ \t\u00a0]+(?:,[ \t\u00a0]*)?(?:" + _trie_pattern([t[::-1] for t in title_words]) + r")(?!\w)"
            )
            if title_words
            else None
        )
        self._caller_cache: dict = {}
        self._token_cache: dict[str, tuple[str, ...]] = {}

    # ------------------------------------------------------------------ loading
    @classmethod
    def default(cls) -> "Gazetteer":
        """The gazetteer shipped in ``stance/data/actors.json`` (loaded once)."""
        return _default_gazetteer()

    @classmethod
    def from_json(cls, data: Mapping) -> "Gazetteer":
        """Build from the ``actors.json`` structure (see that file's header)."""
        entries = []
        for raw in data.get("actors", []):
            kind = raw.get("kind", "other")
            if kind not in KINDS:
                raise InvalidInputError(f"actor {raw.get('name')!r} has kind {kind!r}; use one of {', '.join(KINDS)}")
            aliases = tuple(raw.get("aliases", [])) + tuple(raw.get("demonyms", [])) + tuple(raw.get("metonyms", []))
            entries.append(_Entry(raw["name"], kind, aliases))
        first = {}
        for name in _read_first_names():
            common = name.endswith("*")
            first[name.rstrip("*")] = common
        for name in data.get("extra_first_names", []):
            first[name] = False
        return cls(
            entries,
            data.get("blockers", []),
            titles=list(data.get("titles", [])) + list(data.get("lower_titles", [])),
            first_names=first,
            non_names=data.get("non_names", []),
            family_name_first=data.get("family_name_first", []),
            places=data.get("places", []),
        )

    def __reduce__(self):
        # The shipped gazetteer travels to worker processes by name, not as 200 kB of patterns.
        if _default_gazetteer.cache_info().currsize and self is _default_gazetteer():
            return (Gazetteer.default, ())
        return super().__reduce__()

    def __len__(self) -> int:
        return len(self.entries)

    def kind_of(self, name: str) -> str | None:
        """The kind of a gazetteer actor, or None when the name is not in the gazetteer."""
        i = self._by_name.get(name)
        return None if i is None else self.entries[i].kind

    # ------------------------------------------------------------------ finding
    def find(
        self,
        text: str,
        *,
        actors: Mapping[str, Sequence[str] | Mapping] | None = None,
        replace: bool = False,
    ) -> list[Mention]:
        """Mentions of actors in ``text``, sorted by start and non-overlapping (longest match wins).

        ``actors`` maps a canonical name to its aliases (or to ``{"aliases": [...], "kind": "person"}``). By
        default they extend this gazetteer, and win over it on a tie; with ``replace=True`` only they are
        found, and no personal names are guessed.
        """
        if not isinstance(text, str):
            raise InvalidInputError(f"text must be a str, got {type(text).__name__}")
        if actors is not None and not replace and isinstance(actors, Mapping) and len(actors) == 0:
            actors = None  # an empty extension changes nothing
        caller = self._caller_matcher(actors) if actors is not None else None
        if replace and caller is None:
            raise InvalidInputError("replace=True needs an actors= mapping of the actors to find")
        if not text:
            return []

        entries = self.entries
        cands: list[tuple] = []
        if caller is not None:
            c_entries, c_matcher, all_entries = caller
            cands = c_matcher.spans(text, 3)
        else:
            all_entries = entries
        if not replace:
            cands.extend(self._matcher.spans(text, 2))
            if self.find_people:
                cands.extend(self._person_candidates(text, cands, all_entries))

        chosen = _resolve(cands)
        chosen = self._fix_roles(text, chosen, all_entries)
        return self._to_mentions(text, chosen, all_entries)

    # ------------------------------------------------------------------ caller actors
    def _caller_matcher(self, actors):
        key = _freeze_actors(actors)
        hit = self._caller_cache.get(key)
        if hit is not None:
            return hit
        c_entries: list[_Entry] = []
        surfaces: dict[str, int] = {}
        for name, aliases, kind in key:
            if kind is None:
                kind = self.kind_of(name) or "other"
            usable = [a for a in (name, *aliases) if a.strip().lower() not in PRONOUNS]
            if not usable:
                raise InvalidInputError(f"actor {name!r} has only pronouns as aliases; pronouns are never actors")
            idx = len(c_entries)
            c_entries.append(_Entry(name, kind, tuple(usable)))
            for alias in usable:
                for form in _variants(alias.strip()):
                    surfaces[form] = idx
        result = (c_entries, _Matcher(surfaces, len(self.entries)), self.entries + c_entries)
        if len(self._caller_cache) > 64:
            self._caller_cache.clear()
        self._caller_cache[key] = result
        return result

    # ------------------------------------------------------------------ person finder
    def _person_candidates(self, text: str, gaz: list[tuple], entries: Sequence[_Entry]) -> list[tuple]:
        blocking: list[tuple[int, int]] = []
        covers: dict[int, int] = {}
        person_spans: set[tuple[int, int]] = set()
        for s, e, i, _, _ in gaz:
            if covers.get(s, -1) < e:
                covers[s] = e
            if i >= 0 and entries[i].kind == "person":
                person_spans.add((s, e))
            else:
                blocking.append((s, e))
        # a gazetteer match of exactly one name token may still be part of a personal name
        one_word = {(s, e): entries[i] for s, e, i, _, _ in gaz if i >= 0 and entries[i].kind != "person"}
        blocked = _Cover(_merge(blocking))
        titles: dict[int, int] = {}  # name start → title start
        title_spans: list[tuple[int, int]] = []
        if self._title_rev is not None:
            n = len(text)
            for m in self._title_rev.finditer(text[::-1]):
                name_start, title_start = n - 1 - m.start(), n - m.end()
                titles[name_start] = title_start
                title_spans.append((title_start, name_start))
        titled = _Cover(_merge(title_spans))

        runs = [(m.start(), m.end()) for m in _RUN2.finditer(text)]
        for start in titles:
            m = _RUN1.match(text, start)
            if m:
                runs.append((m.start(), m.end()))

        segments: dict[tuple[int, int], list[str]] = {}
        non_names = self._non_names
        for rs, re_ in runs:
            if covers.get(rs, -1) >= re_:
                continue  # the whole run is one gazetteer match ("North Korea", "Vladimir Putin")
            check = blocked.hits(rs, re_) or titled.hits(rs, re_)
            cur: list[str] = []
            cur_s = cur_e = 0
            # a short run is listed for the name-part look-ahead; a long one (a list, a page of capitals) is streamed
            tokens = list(_TOKEN_RE.finditer(text, rs, re_)) if re_ - rs <= 200 else None
            for k, tm in enumerate(tokens if tokens is not None else _TOKEN_RE.finditer(text, rs, re_)):
                tok = tm.group()
                ts, te = tm.span()
                if (check and tokens is not None and (ts, te) in one_word
                        and self._name_part(tok, one_word[ts, te], cur, tokens, k, blocked)):
                    pass  # "Michael Jordan", "Chad Johnson": a country's name as a surname or given name
                elif (
                    tok in non_names
                    or (check and (blocked.hits(ts, te) or titled.hits(ts, te)))
                    or _NOT_NAME.search(tok)
                    or (len(tok) > 1 and tok.isupper() and not _INITIAL.fullmatch(tok))
                ):
                    if cur:
                        segments.setdefault((cur_s, cur_e), cur)
                        cur = []
                    continue
                if not cur:
                    cur_s = ts
                cur.append(tok)
                cur_e = te
            if cur:
                segments.setdefault((cur_s, cur_e), cur)

        out: list[tuple] = []
        headline_cache: dict[int, bool] = {}
        for (s, e), toks in segments.items():
            if (s, e) in person_spans:
                continue  # the gazetteer already has exactly this span
            words = [t for t in toks if not _INITIAL.fullmatch(t)]
            if not words or len(words) > 4:
                continue
            trigger = s in titles or _SAID_AFTER.match(text, e) is not None
            if not trigger:
                if len(words) == 1 or not self._first_name_trigger(words[0], text, s, headline_cache):
                    continue
            elif s not in titles and self._reads_as_place(text, s, e):
                continue
            out.append((s, e, -2, 1, (" ".join(words), tuple(words), " ".join(text[s:e].split()))))
        return out

    def _reads_as_place(self, text: str, start: int, end: int) -> bool:
        """Whether a name guessed from the speech verb after it is a place speaking for its people: it lies inside
        a known place ("Gaza said", "New York said", whose "New" is no name) or a locative preposition comes
        right before it ("officials in Kharkiv said")."""
        if _LOCATIVE_BEFORE.search(text, max(0, start - 24), start):
            return True
        if self._places is None:
            return False
        for m in self._places.finditer(text, max(0, start - 40), min(len(text), end + 40)):
            if m.start() <= start and end <= m.end():
                return True
        return False

    def _name_part(self, tok: str, entry: _Entry, cur: list[str], tokens: list, k: int, blocked: "_Cover") -> bool:
        """Whether a one-word gazetteer match (a country, an organisation) in a run of capitalised words is part
        of a two-word personal name instead:

        * the surname ending the run after a given name that is not also a common word ("Michael Jordan",
          "Steve Holland", "Mark Cuban"), unless it is an alias that reads as a demonym, a plural or an acronym
          ("Austin American", "Carolina Democrats");
        * a given name that is the country's own name ("Chad Johnson", "Israel Adesanya", "Jordan Bardella")
          before the run's last word, a surname that is no other match and no plural ("Georgia Baptists");
          aliases such as "Washington" or "French" never are ("Washington Examiner").

        The two words must be one space apart: "Atlanta  Georgia" is a place whose comma was lost."""
        if k == len(tokens) - 1:
            return (len(cur) == 1 and self._first_names.get(cur[0]) is False and _one_space(tokens[k - 1], tokens[k])
                    and ((tok == entry.name and not tok.isupper()) or not _DEMONYM_LIKE.search(tok)))
        if cur or k != len(tokens) - 2:
            return False
        nxt = tokens[k + 1]
        return (tok == entry.name and tok in self._first_names and _one_space(tokens[k], nxt)
                and not blocked.hits(*nxt.span())
                and nxt.group() not in self._non_names and not nxt.group().endswith("s"))

    def _first_name_trigger(self, word: str, text: str, start: int, cache: dict[int, bool]) -> bool:
        common = self._first_names.get(word)
        if common is None and "-" in word:
            common = self._first_names.get(word.split("-", 1)[0])  # "Jean-Pierre"
        if common is None:
            return False
        if common and _sentence_initial(text, start):
            return False
        line_start = text.rfind("\n", 0, start) + 1
        headline = cache.get(line_start)
        if headline is None:
            line_end = text.find("\n", start)
            headline = _is_title_case(text[line_start : len(text) if line_end < 0 else line_end])
            cache[line_start] = headline
        return not headline

    def _inside_longer_name(self, text: str, start: int, end: int) -> bool:
        after = _NEXT_TOKEN.match(text, end)
        if after and after.group(1) not in self._non_names:
            return True
        before = _PREV_TOKEN.search(text, max(0, start - 40), start)
        return bool(before and before.group(1) not in self._non_names and not _sentence_initial(text, before.start(1)))

    # ------------------------------------------------------------------ post-processing
    def _fix_roles(self, text: str, chosen: list[tuple], entries: Sequence[_Entry]) -> list[tuple]:
        """Drop a role alias ("Russian President") right before a name; keep the country inside it."""
        roles = self._roles
        out: list[tuple] = []
        last = len(chosen) - 1
        for k, c in enumerate(chosen):
            s, e, i = c[0], c[1], c[2]
            if k < last and i in roles and text[s:e] in roles[i]:
                nxt = chosen[k + 1]
                gap = _GAP_TO_NAME.match(text, e)
                if (nxt[2] == -2 or (nxt[2] >= 0 and entries[nxt[2]].kind == "person")) and gap.end() == nxt[0]:
                    for sub in self._matcher.spans(text, 2, s, e - 1):
                        if sub[2] >= 0 and entries[sub[2]].kind != "person":
                            out.append(sub)
                    continue
            out.append(c)
        return out

    def _to_mentions(self, text: str, chosen: list[tuple], entries: Sequence[_Entry]) -> list[Mention]:
        # People named in full in this article (found names and gazetteer people), by name token and position.
        index: dict[str, list[tuple[int, str]]] = {}
        canonical_of: dict[str, str] = {}  # found name without initials → first full form seen
        family_first, non_names = self._family_first, self._non_names
        for s, e, i, _, person in chosen:
            if i == -2:
                if len(person[1]) < 2:
                    continue
                tokens, canonical = person[1], canonical_of.setdefault(person[0], person[2])
            elif i >= 0 and entries[i].kind == "person" and " " in text[s:e]:
                canonical = entries[i].name  # a full name ("Joe Biden"), not a bare "Biden" or a role
                tokens = self._tokens_of(canonical)
            else:
                continue
            keys = {tokens[-1]}
            if tokens[0] in family_first or _GIVEN_NAME_HYPHEN.search(tokens[-1]):
                keys.add(tokens[0])
            for key in keys:
                if len(key) >= 2 and key not in non_names:
                    index.setdefault(key, []).append((s, canonical))

        mentions: list[Mention] = []
        append = mentions.append
        for s, e, i, _, person in chosen:
            if i >= 0:
                entry = entries[i]
                surface = text[s:e]
                if entry.kind == "person" and surface in index:
                    # A bare surname goes to the person last named in full ("Hunter Biden … Biden").
                    latest = _latest_before(index[surface], s)
                    append(Mention(s, e, surface, latest or entry.name, "person"))
                    continue
                append(Mention(s, e, surface, entry.name, entry.kind))
            elif i == -2:
                if len(person[1]) >= 2:
                    canonical = canonical_of[person[0]]
                else:
                    canonical = _nearest(index.get(person[0]), s) or person[0]
                append(Mention(s, e, text[s:e], canonical, "person"))

        # Bare surnames of people named in full elsewhere in the article ("Thompson" after "Jane Thompson").
        if index:
            taken = _Cover([(m.start, m.end) for m in mentions])
            extra = []
            for surname, seen in index.items():
                for ms, me in _occurrences(text, surname):
                    if taken.hits(ms, me) or self._inside_longer_name(text, ms, me):
                        continue  # already a mention, or part of a different name ("Mark Thompson")
                    extra.append(Mention(ms, me, surname, _nearest(seen, ms), "person"))
            if extra:
                mentions.extend(extra)
                mentions.sort(key=lambda m: m.start)
        return mentions

    def _tokens_of(self, name: str) -> tuple[str, ...]:
        tokens = self._token_cache.get(name)
        if tokens is None:
            tokens = tuple(t for t in _TOKEN_RE.findall(name) if not _INITIAL.fullmatch(t)) or (name,)
            self._token_cache[name] = tokens
        return tokens


# ---------------------------------------------------------------------- helpers
def _one_space(a: re.Match, b: re.Match) -> bool:
    return a.string[a.end():b.start()] == " "


def _resolve(cands: list[tuple]) -> list[tuple]:
    """Non-overlapping subset: longest first, then higher priority, then earlier start."""
    cands.sort(key=lambda c: (c[0], -c[1]))
    chosen: list[tuple] = []
    cluster: list[tuple] = []
    cluster_end = -1
    for c in cands:
        if c[0] >= cluster_end:
            if len(cluster) == 1:
                chosen.append(cluster[0])
            elif cluster:
                chosen.extend(_resolve_cluster(cluster))
            cluster = [c]
            cluster_end = c[1]
        else:
            cluster.append(c)
            if c[1] > cluster_end:
                cluster_end = c[1]
    if len(cluster) == 1:
        chosen.append(cluster[0])
    elif cluster:
        chosen.extend(_resolve_cluster(cluster))
    return chosen


def _resolve_cluster(cluster: list[tuple]) -> list[tuple]:
    picked: list[tuple] = []
    for c in sorted(cluster, key=lambda c: (c[0] - c[1], -c[3], c[0])):
        if all(c[1] <= p[0] or c[0] >= p[1] for p in picked):
            picked.append(c)
    picked.sort(key=lambda c: c[0])
    return picked


def _occurrences(text: str, word: str):
    """(start, end) of ``word`` in ``text`` as a whole word (a possessive or a dash may follow)."""
    find, n, i = text.find, len(text), text.find(word)
    while i >= 0:
        j = i + len(word)
        before = text[i - 1] if i else " "
        after = text[j] if j < n else " "
        if not (before.isalnum() or before in "_'’.-") and not (after.isalnum() or after == "_"):
            if not (after == "-" and j + 1 < n and text[j + 1].isalnum()):
                yield i, j
        i = find(word, j)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _latest_before(positions: list[tuple[int, str]], pos: int) -> str | None:
    before = [name for p, name in positions if p < pos]
    return before[-1] if before else None


def _nearest(positions: list[tuple[int, str]] | None, pos: int) -> str | None:
    """Canonical name seen nearest before ``pos``, else the first one after it."""
    if not positions:
        return None
    before = [name for p, name in positions if p < pos]
    if before:
        return before[-1]
    return positions[0][1]


def _shares_name_token(alias: str, name: str) -> bool:
    name_tokens = {t.lower() for t in re.findall(r"\w+", name)}
    return any(t.lower() in name_tokens for t in re.findall(r"\w+", alias))


def _sentence_initial(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t\u00a0\"'“”‘’([*#>-–—•":
        i -= 1
    return i < 0 or text[i] in ".!?:;\n\r…"


def _is_title_case(line: str) -> bool:
    """A headline-style line: most words of four letters or more are capitalised."""
    if line.rstrip(" \t\"'”’*").endswith("."):
        return False  # headlines do not end with a full stop; sentences do
    words = [w for w in _WORD.findall(line) if len(w) >= 4]
    if len(words) < 3:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= 0.75


def _freeze_actors(actors) -> tuple:
    if not isinstance(actors, Mapping):
        raise InvalidInputError(
            f"actors= must be a mapping of canonical name to a list of aliases, got {type(actors).__name__}"
        )
    frozen = []
    for name, value in actors.items():
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(f"actor names must be non-empty strings, got {name!r}")
        kind = None
        if isinstance(value, Mapping):
            kind = value.get("kind")
            if kind is not None and kind not in KINDS:
                raise InvalidInputError(f"actor {name!r} has kind {kind!r}; use one of {', '.join(KINDS)}")
            unknown = set(value) - {"aliases", "kind"}
            if unknown:
                raise InvalidInputError(f"actor {name!r} has unknown keys {sorted(unknown)}; use 'aliases' and 'kind'")
            value = value.get("aliases", [])
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise InvalidInputError(
                f"aliases for actor {name!r} must be a list of strings, got {type(value).__name__}"
            )
        if len(value) == 0:
            raise InvalidInputError(f"actor {name!r} has an empty alias list; give at least one alias")
        for alias in value:
            if not isinstance(alias, str):
                raise InvalidInputError(f"alias {alias!r} of actor {name!r} is a {type(alias).__name__}, not a string")
            if not alias.strip():
                raise InvalidInputError(f"actor {name!r} has an empty alias; remove it")
        frozen.append((name.strip(), tuple(a.strip() for a in value), kind))
    if not frozen:
        raise InvalidInputError("actors= is empty and replaces the default actors, so there is nothing to find; "
                                "give at least one actor")
    return tuple(frozen)


@dataclass(frozen=True)
class ActorList:
    """A caller's actors as the pipeline passes them on: ``actors`` maps a name to its aliases (or to
    ``{"aliases": [...], "kind": ...}``); ``replace`` says whether only they are found or they extend the
    default gazetteer."""

    actors: Mapping
    replace: bool = False


def actor_list(actors: Mapping | ActorList | None, replace: bool = False) -> ActorList | None:
    """Check a caller's ``actors=`` once, up front, so that a bad list is one clear error rather than one
    failure per text; ``None`` when there is nothing to add to the default gazetteer."""
    if isinstance(actors, ActorList):
        return actors
    if not isinstance(replace, bool):
        raise TypeError(f"replace_actors must be True or False, got {replace!r}")
    if actors is None:
        if replace:
            raise InvalidInputError("replace_actors=True needs actors=, the actors to find instead of the default ones")
        return None
    if isinstance(actors, Mapping) and len(actors) == 0 and not replace:
        return None  # an empty extension changes nothing
    _freeze_actors(actors)  # raises saying what is wrong
    return ActorList(actors, replace)


def _read_first_names() -> list[str]:
    text = (resources.files("stance") / "data" / "first_names.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    raw = (resources.files("stance") / "data" / "actors.json").read_text(encoding="utf-8")
    return Gazetteer.from_json(json.loads(raw))
