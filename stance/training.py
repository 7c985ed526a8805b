"""Retraining on your own labelled data, and evaluation.

Data files (one or more paths; a folder is searched recursively)::

    *.jsonl / *.ndjson   one JSON object per line
    *.json               a JSON array of objects (or JSON lines)
    *.csv / *.tsv        a header row, then one row per example (UTF-8; quote fields that hold commas/newlines)
    FOLDER/LABEL/*.txt   plain-text articles in sub-folders named by their genre (like scikit-learn's
                         ``load_files``); *.md counts as text too

Columns / keys (names are case-insensitive; other columns such as ``title`` or ``url`` are ignored):

* ``text`` (required): the article (genre rows) or the sentence / passage (stance rows).  In JSON the text of a
  genre row may also be a list of paragraph strings.
* ``genre`` (or ``label``, in rows / files without an ``actor``): the article's genre, any label you like
  ("analysis", "press release").  The trained model reports exactly the labels found in the data (plus the
  default corpus's with ``include_default_data``).
* ``actor`` + ``stance`` (+ optional ``span``): the stance of the text toward the actor.  ``stance`` is a number
  from -1 to 1 or one of ``negative`` / ``neutral`` / ``positive``; numbers are binned to three classes:
  ``s <= -1/3`` → negative, ``s >= 1/3`` → positive, in between → neutral (:data:`STANCE_BINS`).  ``span`` is
  ``[start, end]`` (JSON), ``"start:end"`` (several joined with ``;``), 0-based character offsets into ``text``,
  end exclusive, covering the actor's mention (the name, part of it, or a pronoun).  Without a span every
  whole-word occurrence of ``actor`` in the text is used.
* ``id`` (optional): rows sharing an id (across all files read together) must agree on their label (for
  stance rows: per actor and span); repeats that agree are dropped.

A row may carry both a genre and a stance label.  Everything is read and checked before anything is fitted; all
problems (up to :data:`MAX_PROBLEMS`) are reported together in one :class:`~stance.errors.TrainingDataError`,
one ``file:line: problem`` per line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, TextIO

import numpy as np

from .errors import ModelError, TrainingDataError
from .model import check_output_folder  # noqa: F401 (public here too: training checks -o with it)

__all__ = [
    "GenreExample", "StanceExample", "LabelledData", "read_labelled", "train", "evaluate", "format_report",
    "predict_genre", "bin_stance", "STANCE_BINS", "MAX_PROBLEMS",
]

MAX_PROBLEMS = 20
#: Stance numbers are binned: ``value <= -1/3`` → -1, ``value >= 1/3`` → 1, otherwise 0.
STANCE_BINS = (-1 / 3, 1 / 3)
STANCE_LABELS = ("negative", "neutral", "positive")
STANCE_WORDS = {
    "negative": -1, "neg": -1, "-": -1, "against": -1,
    "neutral": 0, "neu": 0, "none": 0, "0": 0,
    "positive": 1, "pos": 1, "+": 1, "favor": 1, "favour": 1,
}
TABLE_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".tsv")
TEXT_SUFFIXES = (".txt", ".md")
HOLDOUT_MIN = 5  # at least this many held-out examples for the held-out metrics in meta.json
_PRONOUNS = frozenset("he she him her his hers they them their theirs it its i me my we us our you your".split())


# --------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------
@dataclass
class GenreExample:
    """One labelled article: its content paragraphs (boilerplate dropped, as at prediction time)."""

    paragraphs: list[str]
    label: str
    source: str = ""
    line: int = 0
    id: str | None = None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class StanceExample:
    """One labelled (text, actor) pair: ``label`` in -1/0/1 (``value`` is the number as given)."""

    text: str
    spans: list[tuple[int, int]]
    label: int
    value: float
    actor: str
    source: str = ""
    line: int = 0
    id: str | None = None

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class LabelledData:
    """What :func:`read_labelled` found: genre and stance examples plus provenance of every file."""

    genre: list[GenreExample] = field(default_factory=list)
    stance: list[StanceExample] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)

    @property
    def genre_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(e.label for e in self.genre).items()))

    @property
    def stance_counts(self) -> dict[str, int]:
        c = Counter(e.label for e in self.stance)
        return {name: c.get(v, 0) for name, v in zip(STANCE_LABELS, (-1, 0, 1))}

    def sha256(self) -> str:
        """One digest over the SHA-256 of every file read (order-independent)."""
        digest = hashlib.sha256()
        for f in sorted(self.files, key=lambda f: f["sha256"]):
            digest.update(f["sha256"].encode())
        return digest.hexdigest()

    def summary(self) -> str:
        parts = []
        if self.genre:
            parts.append(f"{len(self.genre)} genre examples ("
                         + ", ".join(f"{k} {v}" for k, v in self.genre_counts.items()) + ")")
        if self.stance:
            parts.append(f"{len(self.stance)} stance examples ("
                         + ", ".join(f"{k} {v}" for k, v in self.stance_counts.items()) + ")")
        return "; ".join(parts) or "no examples"


class _Problems:
    """Collects ``file:line: problem`` messages; raises them all at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, source: str, line: int | None, message: str) -> None:
        self.items.append(f"{source}:{line}: {message}" if line else f"{source}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, what: str = "the training data", consequence: str = "nothing was trained") -> None:
        if not self.items:
            return
        n = len(self.items)
        shown = self.items[:MAX_PROBLEMS]
        more = f"\n  ... and {n - MAX_PROBLEMS} more" if n > MAX_PROBLEMS else ""
        noun = "problem" if n == 1 else "problems"
        err = TrainingDataError(f"{what} has {n} {noun}; fix them and run again ({consequence}):\n  "
                                + "\n  ".join(shown) + more)
        err.problems = list(self.items)  # type: ignore[attr-defined]
        raise err


# --------------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------------
def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode(raw: bytes, source: str, problems: _Problems) -> str | None:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.add(source, 1, "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start:exc.start + 1].hex()
        problems.add(source, line, f"not UTF-8 text: byte 0x{bad} at byte offset {exc.start} (column {column}) "
                                   "cannot be decoded; save the file as UTF-8 "
                                   "(e.g. `iconv -f latin1 -t utf-8 IN > OUT`)")
        return None


def _norm_key(key: Any) -> str:
    return str(key).strip().lower().lstrip("\ufeff")


def _json_error(exc: json.JSONDecodeError) -> str:
    return f"{exc.msg.removesuffix(' starting at')} at column {exc.colno}"  # json's own "... starting at"


def _iter_jsonl(text: str, source: str, problems: _Problems) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            problems.add(source, number, f"not valid JSON ({_json_error(exc)}); each line must be one JSON object")


def _iter_json_array(text: str, source: str, problems: _Problems) -> Iterator[tuple[int, Any]]:
    decoder = json.JSONDecoder()
    ws = re.compile(r"\s*")

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    pos = ws.match(text, 0).end() + 1  # after "["
    while True:
        pos = ws.match(text, pos).end()
        if pos >= len(text):
            problems.add(source, line_of(pos), "the JSON array is not closed with ]")
            return
        if text[pos] == "]":
            return
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            problems.add(source, exc.lineno, f"not valid JSON ({_json_error(exc)})")
            return
        yield line_of(pos), value
        pos = ws.match(text, end).end()
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] != "]":
            problems.add(source, line_of(pos), "not valid JSON (expected , or ] after an array element)")
            return


def _one_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except json.JSONDecodeError:
        return False


def _iter_json(text: str, source: str, problems: _Problems) -> Iterator[tuple[int, Any]]:
    if text.lstrip().startswith("["):
        yield from _iter_json_array(text, source, problems)
    elif text.lstrip().startswith("{") and "\n" in text.strip() and _one_object(text):
        problems.add(source, 1, "the file holds one JSON object spread over several lines; give an array of "
                                "objects ([{...}, {...}]) or one object per line")
    else:
        yield from _iter_jsonl(text, source, problems)


def _iter_csv(text: str, source: str, problems: _Problems, delimiter: str) -> Iterator[tuple[int, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        problems.add(source, 1, f"malformed CSV header ({exc})")
        return
    keys = [_norm_key(h) for h in header]
    found = ", ".join(repr(h) for h in header) or "nothing"
    missing = []
    if "text" not in keys:
        missing.append('a "text" column')
    has_genre = "genre" in keys or ("label" in keys and "actor" not in keys)
    if not has_genre and not ("actor" in keys and "stance" in keys):
        if "actor" in keys:
            missing.append('a "stance" column (stance rows need "actor" and "stance")')
        elif "stance" in keys:
            missing.append('an "actor" column (stance rows need "actor" and "stance")')
        else:
            missing.append('a "genre" column (genre examples) or "actor" and "stance" columns (stance examples)')
    if missing:
        sep = "tab" if delimiter == "\t" else "comma"
        problems.add(source, 1, f"the header row lacks {' and '.join(missing)}; found columns: {found} "
                                f"(the first row must name the columns, {sep}-separated)")
        return
    dupes = sorted({k for k in keys if keys.count(k) > 1 and k})
    if dupes:
        problems.add(source, 1, f"the header names the column(s) {', '.join(dupes)} more than once")
        return
    last = reader.line_num
    while True:
        start = last + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.add(source, start, f"malformed CSV ({exc}); quote fields that contain the delimiter, "
                                        "quotes or line breaks")
            return
        last = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(keys):
            problems.add(source, start, f"the row has {len(row)} fields but the header has {len(keys)}; "
                                        "quote fields that contain the delimiter")
            continue
        yield start, dict(zip(keys, row))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _genre_label(value: Any) -> tuple[str | None, str | None]:
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        return None, f"genre must be a text label; got {json.dumps(value)}"
    if isinstance(value, float) and not math.isfinite(value):
        return None, f"genre must be a text label; got {value}"
    return " ".join(str(value).split()), None


def _stance_value(value: Any) -> tuple[float | None, str | None]:
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        return None, f"stance must be a number from -1 to 1 or negative/neutral/positive; got {json.dumps(value)}"
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        word = str(value).strip().lower()
        if word in STANCE_WORDS:
            return float(STANCE_WORDS[word]), None
        try:
            number = float(word)
        except ValueError:
            return None, (f"unknown stance {str(value).strip()!r}; use a number from -1 to 1 or "
                          "negative / neutral / positive")
    if not math.isfinite(number) or not -1.0 <= number <= 1.0:
        return None, f"stance {value} is outside -1..1; use a number from -1 (negative) to 1 (positive)"
    return number, None


def bin_stance(value: float) -> int:
    """-1 / 0 / 1 for a stance number in [-1, 1] (see :data:`STANCE_BINS`)."""
    lo, hi = STANCE_BINS
    return -1 if value <= lo + 1e-12 else 1 if value >= hi - 1e-12 else 0


def _parse_spans(value: Any) -> tuple[list[tuple[int, int]] | None, str | None]:
    """[s, e] / [[s, e], ...] / "s:e" / "s:e;s:e" → spans, or an error message."""
    bad = (f"bad span {json.dumps(value) if not isinstance(value, str) else repr(value)}; write it as [start, end] "
           'or "start:end" (0-based character offsets, end exclusive; several joined with ";")')
    pairs: list[Any]
    if isinstance(value, str):
        pairs = []
        for piece in value.split(";"):
            if not piece.strip():
                continue
            m = re.fullmatch(r"\s*\[?\s*(-?\d+)\s*[:,]\s*(-?\d+)\s*\]?\s*", piece)
            if not m:
                return None, bad
            pairs.append((int(m.group(1)), int(m.group(2))))
    elif isinstance(value, (list, tuple)) and len(value) == 2 and not isinstance(value[0], (list, tuple)):
        pairs = [value]
    elif isinstance(value, (list, tuple)) and value and all(isinstance(p, (list, tuple)) for p in value):
        pairs = list(value)
    else:
        return None, bad
    spans = []
    for pair in pairs:
        if len(pair) != 2:
            return None, bad
        out = []
        for v in pair:
            if isinstance(v, bool):
                return None, bad
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            if isinstance(v, str) and re.fullmatch(r"\s*\d+\s*", v):
                v = int(v)
            if not isinstance(v, int):
                return None, bad
            out.append(v)
        spans.append((out[0], out[1]))
    if not spans:
        return None, bad
    return spans, None


def _occurrences(text: str, actor: str) -> list[tuple[int, int]]:
    pattern = r"(?<!\w)" + re.escape(actor) + r"(?!\w)"
    found = [m.span() for m in re.finditer(pattern, text)]
    if not found:
        found = [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]
    return found


def _span_matches(covered: str, actor: str) -> bool:
    c, a = " ".join(covered.split()).casefold(), " ".join(actor.split()).casefold()
    if not c.strip(" '’\".,"):
        return False
    c = re.sub(r"[’']s$", "", c).strip(" \"'“”‘’.,;:")
    if not c:
        return False
    if c == a or c in _PRONOUNS or a in c:
        return True
    return re.search(r"(?<!\w)" + re.escape(c) + r"(?!\w)", a) is not None


class _Reader:
    def __init__(self) -> None:
        self.problems = _Problems()
        self.data = LabelledData()
        self.genre_ids: dict[str, tuple[str, str]] = {}
        self.stance_ids: dict[tuple, tuple[int, str]] = {}
        self.label_spelling: dict[str, dict[str, list[tuple[str, int]]]] = {}  # casefold → spelling → rows

    def check_spellings(self) -> None:
        """Genre labels that differ only in case: the rows of the less used spelling are the ones to fix."""
        for spellings in self.label_spelling.values():
            if len(spellings) < 2:
                continue
            usual = max(spellings, key=lambda k: len(spellings[k]))  # ties: the first spelling seen
            for label, rows in spellings.items():
                if label != usual:
                    first = "{}:{}".format(*spellings[usual][0])
                    for source, line in rows:
                        self.problems.add(source, line, f"genre {label!r} differs only in case from {usual!r} "
                                                        f"({first}, {len(spellings[usual])} rows); use one spelling")
                    self.data.genre = [e for e in self.data.genre if e.label != label]

    # -- rows ------------------------------------------------------------------------------------
    def row(self, record: Any, source: str, line: int, counts: Counter) -> None:
        p = self.problems
        if not isinstance(record, dict):
            p.add(source, line, f"expected an object with \"text\" and labels; got {type(record).__name__}")
            return
        rec = {_norm_key(k): v for k, v in record.items()}
        ident = None if _blank(rec.get("id")) else str(rec.get("id")).strip()
        text = rec.get("text")
        genre_value = rec.get("genre")
        if _blank(genre_value) and "actor" not in rec:
            genre_value = rec.get("label")
        has_genre = not _blank(genre_value)
        has_stance = any(not _blank(rec.get(k)) for k in ("actor", "stance", "span"))
        if not has_genre and not has_stance:
            p.add(source, line, 'no label: give a "genre", or an "actor" and a "stance" '
                                f"(keys found: {', '.join(sorted(rec)) or 'none'})")
            return
        if "text" not in rec or text is None:
            p.add(source, line, 'no "text"')
            return
        if isinstance(text, list) and has_genre and not has_stance:
            if not all(isinstance(t, str) for t in text):
                p.add(source, line, '"text" as a list must hold paragraph strings')
                return
            # joined and split again below, as classify("\n\n".join(paragraphs)) would: chrome is dropped
            text = "\n\n".join(t.strip() for t in text if t.strip())
        if not isinstance(text, str):
            p.add(source, line, f'"text" must be a string; got {type(text).__name__}')
            return
        if not text.strip():
            p.add(source, line, 'empty "text"')
            return
        if has_genre:
            self._genre(text, genre_value, ident, source, line, counts)
        if has_stance:
            self._stance(text, rec, ident, source, line, counts)

    def _genre(self, text: str, value: Any, ident: str | None,
               source: str, line: int, counts: Counter) -> None:
        label, error = _genre_label(value)
        if error:
            self.problems.add(source, line, error)
            return
        where = f"{source}:{line}"
        self.label_spelling.setdefault(label.casefold(), {}).setdefault(label, []).append((source, line))
        # without an id, the text itself identifies the article: a repeated row would also leak into the held-out check
        key = ident if ident is not None else "\0text:" + " ".join(text.split())
        seen = self.genre_ids.get(key)
        if seen is not None:
            if seen[0] != label:
                what = f"id {ident!r}" if ident is not None else "the same text"
                self.problems.add(source, line, f"{what} is labelled genre {label!r} here but "
                                                f"{seen[0]!r} at {seen[1]}; one article, one genre")
            else:
                counts["duplicates"] += 1
            return
        self.genre_ids[key] = (label, where)
        self.data.genre.append(GenreExample(_content_paragraphs(text), label, source, line, ident))
        counts["genre"] += 1

    def _stance(self, text: str, rec: dict, ident: str | None, source: str, line: int, counts: Counter) -> None:
        p = self.problems
        actor, value, span_value = rec.get("actor"), rec.get("stance"), rec.get("span")
        if _blank(actor):
            p.add(source, line, 'a stance row needs an "actor" (the name the stance is about)')
            return
        if _blank(value):
            p.add(source, line, f'the row names actor {str(actor)!r} but has no "stance" '
                                "(a number from -1 to 1, or negative/neutral/positive)")
            return
        actor = " ".join(str(actor).split())
        number, error = _stance_value(value)
        if error:
            p.add(source, line, error)
            return
        if _blank(span_value):
            spans = _occurrences(text, actor)
            if not spans:
                p.add(source, line, f"actor {actor!r} does not occur in the text; give the position of its "
                                    'mention with "span": [start, end]')
                return
        else:
            spans, error = _parse_spans(span_value)
            if error:
                p.add(source, line, error)
                return
            for s, e in spans:
                if not 0 <= s < e <= len(text):
                    p.add(source, line, f"span [{s}, {e}] is out of range for a text of {len(text)} characters "
                                        "(need 0 <= start < end <= length; offsets count characters from 0)")
                    return
                covered = text[s:e]
                if not _span_matches(covered, actor):
                    hint = ""
                    near = _occurrences(text, actor)
                    if near:
                        best = min(near, key=lambda o: abs(o[0] - s))
                        hint = f"; {actor!r} is at [{best[0]}, {best[1]}]"
                    p.add(source, line, f"span [{s}, {e}] covers {covered!r}, which does not match actor "
                                        f"{actor!r}{hint}")
                    return
        label = bin_stance(number)
        key = (ident, actor.casefold(), tuple(sorted(spans))) if ident is not None else None
        if key is not None:
            seen = self.stance_ids.get(key)
            if seen is not None:
                if seen[0] != label:
                    p.add(source, line, f"id {ident!r} gives actor {actor!r} stance {STANCE_LABELS[label + 1]} "
                                        f"here but {STANCE_LABELS[seen[0] + 1]} at {seen[1]}")
                else:
                    counts["duplicates"] += 1
                return
            self.stance_ids[key] = (label, f"{source}:{line}")
        self.data.stance.append(StanceExample(text, sorted(spans), label, number, actor, source, line, ident))
        counts["stance"] += 1

    # -- files -----------------------------------------------------------------------------------
    def table(self, path: Path, source: str) -> None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.problems.add(source, None, f"cannot be read ({exc.strerror or exc})")
            return
        record = {"path": source, "sha256": _sha256(raw), "bytes": len(raw), "format": path.suffix.lower()[1:]}
        self.data.files.append(record)
        text = _decode(raw, source, self.problems)
        if text is None:
            return
        if not text.strip():
            self.problems.add(source, None, "the file is empty; it has no examples")
            return
        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv"):
            rows = _iter_csv(text, source, self.problems, "\t" if suffix == ".tsv" else ",")
        else:
            rows = _iter_json(text, source, self.problems)
        counts: Counter = Counter()
        n_rows = 0
        for line, rec in rows:
            n_rows += 1
            self.row(rec, source, line, counts)
        if n_rows == 0 and not any(item.startswith(source + ":") for item in self.problems.items):
            self.problems.add(source, None, "the file has no rows" + (
                " after the header" if suffix in (".csv", ".tsv") else ""))
        record.update(rows=n_rows, genre_examples=counts["genre"], stance_examples=counts["stance"],
                      duplicates_dropped=counts["duplicates"])

    def text_folder(self, root: Path, files: list[Path], shown_root: str) -> None:
        digest = hashlib.sha256()
        counts: Counter = Counter()
        used = 0
        for path in files:
            rel = path.relative_to(root)
            source = str(Path(shown_root) / rel)
            if len(rel.parts) < 2:
                if re.match(r"(readme|license|licence|notice)\b", rel.name, re.IGNORECASE):
                    continue  # documentation next to the data
                self.problems.add(source, None, "a text file directly in the data folder has no label; put it in a "
                                                "sub-folder named after its genre (FOLDER/GENRE/file.txt)")
                continue
            try:
                raw = path.read_bytes()
            except OSError as exc:
                self.problems.add(source, None, f"cannot be read ({exc.strerror or exc})")
                continue
            used += 1
            digest.update(str(rel.as_posix()).encode() + b"\0" + _sha256(raw).encode() + b"\n")
            text = _decode(raw, source, self.problems)
            if text is None:
                continue
            if not text.strip():
                self.problems.add(source, None, "the file is empty")
                continue
            self._genre(text, rel.parts[0], None, source, 1, counts)
        if used:
            self.data.files.append({"path": shown_root, "format": "text-folder", "sha256": digest.hexdigest(),
                                    "files": used, "rows": used, "genre_examples": counts["genre"],
                                    "stance_examples": 0, "duplicates_dropped": 0})

    def path(self, given: str | Path) -> None:
        path = Path(given)
        source = str(given)
        if not path.exists():
            self.problems.add(source, None, "no such file or folder")
            return
        if path.is_file():
            if path.suffix.lower() in TABLE_SUFFIXES:
                self.table(path, source)
            elif path.suffix.lower() in TEXT_SUFFIXES:
                self.problems.add(source, None, "a single text file has no label; put text files in sub-folders "
                                                "named after their genre and pass the folder")
            else:
                self.problems.add(source, None, f"unsupported file type {path.suffix or '(none)'!r}; "
                                                "use .jsonl, .json, .csv, .tsv or a folder")
            return
        tables, texts = [], []
        # a stance model saved inside the data folder (train DATA -o DATA/model) is not training data
        models = {m.parent for m in path.rglob("meta.json") if (m.parent / "genre.json").is_file()}
        for f in sorted(path.rglob("*")):
            rel = f.relative_to(path)
            if any(part.startswith(".") for part in rel.parts):
                continue
            if f.is_symlink() and f.is_dir():  # not walked into (links can loop): say so rather than lose it
                self.problems.add(str(Path(source) / rel), None, "a link to a folder is not followed; pass the "
                                                                "folder it points to as DATA instead")
                continue
            if not f.is_file():
                continue
            if models.intersection(f.parents):
                continue
            if f.suffix.lower() in TABLE_SUFFIXES:
                tables.append(f)
            elif f.suffix.lower() in TEXT_SUFFIXES:
                texts.append(f)
        if not tables and not texts:
            self.problems.add(source, None, "the folder holds no .jsonl/.json/.csv/.tsv files and no .txt files in "
                                            "genre sub-folders")
            return
        for f in tables:
            self.table(f, str(Path(source) / f.relative_to(path)))
        self.text_folder(path, texts, source)


def _content_paragraphs(text: str) -> list[str]:
    """Paragraphs as the pipeline sees them: split, boilerplate dropped (all kept if all look like chrome)."""
    from .text import split_paragraphs

    paragraphs = split_paragraphs(text)
    content = [p.text for p in paragraphs if not p.boilerplate]
    return content or [p.text for p in paragraphs] or [text.strip()]


def _read(paths: Sequence[str | Path] | str | Path) -> tuple[LabelledData, _Problems]:
    if isinstance(paths, (str, Path)):
        paths = [paths]
    reader = _Reader()
    if not paths:
        reader.problems.add("(no data)", None, "no data files given")
    for p in paths:
        reader.path(p)
    reader.check_spellings()
    if not reader.problems and not reader.data.genre and not reader.data.stance:
        reader.problems.add(", ".join(str(p) for p in paths), None, "no examples found")
    return reader.data, reader.problems


def read_labelled(paths: Sequence[str | Path] | str | Path) -> LabelledData:
    """Read and check labelled data (files or folders); raises :class:`TrainingDataError` listing every problem."""
    data, problems = _read(paths)
    problems.raise_if_any()
    return data


def _check_counts(data: LabelledData, problems: _Problems, min_examples: int,
                  extra_genre: Counter | None = None, extra_stance: Counter | None = None) -> None:
    def lines_of(examples: list) -> str:
        by_file: dict[str, list[int]] = defaultdict(list)
        for e in examples:
            by_file[e.source].append(e.line)
        return "; ".join(f"{src} line{'s' if len(ls) > 1 else ''} {', '.join(map(str, ls[:8]))}"
                         + (", ..." if len(ls) > 8 else "") for src, ls in by_file.items())

    if data.genre or extra_genre:
        counts = Counter(e.label for e in data.genre) + (extra_genre or Counter())
        if len(counts) < 2:
            only = next(iter(counts)) if counts else None
            first = data.genre[0] if data.genre else None
            problems.add(first.source if first else "(genre data)", first.line if first else None,
                         f"all genre examples have the label {only!r}; a genre model needs at least two labels")
        for label in sorted(counts):
            if counts[label] < min_examples:
                ex = [e for e in data.genre if e.label == label]
                where = ex[0] if ex else None
                problems.add(where.source if where else "(genre data)", where.line if where else None,
                             f"genre {label!r} has {counts[label]} example{'s' if counts[label] != 1 else ''} "
                             f"({lines_of(ex)}); at least {min_examples} are needed (min_examples)")
    if data.stance or extra_stance:
        counts = Counter(e.label for e in data.stance) + (extra_stance or Counter())
        first = data.stance[0] if data.stance else None
        for value, name in zip((-1, 0, 1), STANCE_LABELS):
            if counts[value] < min_examples:
                ex = [e for e in data.stance if e.label == value]
                where = ex[0] if ex else first
                listed = f" ({lines_of(ex)})" if ex else ""
                problems.add(where.source if where else "(stance data)", where.line if where else None,
                             f"stance class {name} has {counts[value]} example{'s' if counts[value] != 1 else ''}"
                             f"{listed}; at least {min_examples} of each of negative, neutral and positive are "
                             f"needed (min_examples; numbers are binned at ±1/3)")


# --------------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------------
def _say(progress: TextIO | None, message: str) -> None:
    if progress is not None:
        print(f"stance train: {message}", file=progress, flush=True)


def _stratified_split(labels: Sequence[Any], fraction: float, min_examples: int,
                      rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray] | None:
    """Indices (train, test) with ``fraction`` of every label held out, or None when the data is too small."""
    labels = np.asarray([str(v) for v in labels])
    train, test = [], []
    for label in sorted(set(labels.tolist())):
        idx = np.flatnonzero(labels == label)
        rng.shuffle(idx)
        k = int(math.floor(len(idx) * fraction))
        if k < 1 or len(idx) - k < min_examples:
            return None
        test.extend(idx[:k].tolist())
        train.extend(idx[k:].tolist())
    if len(test) < HOLDOUT_MIN:
        return None
    return np.array(sorted(train)), np.array(sorted(test))


def _default_corpus(path: str | Path, want_genre: bool, want_stance: bool):
    import importlib

    try:
        corpus = importlib.import_module("stance.corpus")
    except ImportError as exc:
        raise TrainingDataError(
            "include_default_data needs stance.corpus (the default-corpus builders), which this installation of "
            f"stance does not have ({exc}); train on your own data only") from exc
    folder = Path(path)
    if not folder.is_dir():
        raise TrainingDataError(f"{folder}: no such folder; include_default_data must point to the default corpus "
                                "folder (with genre/ and stance/ inside)")
    genre = stance = None
    try:
        if want_genre:
            genre = corpus.default_genre_examples(folder)
        if want_stance:
            stance = corpus.default_stance_examples(folder)
    except OSError as exc:
        raise TrainingDataError(f"{folder}: cannot read the default corpus ({exc})") from exc
    return genre, stance


def _plain(value: Any) -> Any:
    """JSON-safe copy (provenance from other modules may hold paths or numpy numbers)."""
    return json.loads(json.dumps(value, default=str))


def train(data: Sequence[str | Path] | str | Path | LabelledData, *, output: str | Path | None = None,
          base: Any = None, include_default_data: str | Path | None = None, seed: int = 0,
          min_examples: int = 5, progress: TextIO | None = sys.stderr, name: str = "stance-custom",
          version: str = "1", holdout: float = 0.2, genre_params: dict[str, Any] | None = None,
          stance_params: dict[str, Any] | None = None) -> "Model":
    """Train a model on your labelled data (see the module docstring for formats); returns it, saved to ``output``.

    A part (genre or stance) with no examples in ``data`` is taken unchanged from ``base`` (a loaded model or
    its folder; default: the model shipped with stance). ``output`` is checked before anything is read or
    fitted: it must be a new or empty folder, or a stance model folder (whose files are replaced).  With
    ``include_default_data`` the default corpus found there is added to your examples.  When the data is large enough (every label keeps ``min_examples`` after holding out ``holdout``
    of it, and at least 5 examples are held out) a model is first fitted without the held-out rows and its
    metrics are recorded in ``meta["metrics"]``; the returned model is then fitted on everything.
    Same data + ``seed`` → identical predictions.  ``genre_params`` / ``stance_params`` override the
    classifiers' parameters.
    """
    from .genre import GenreClassifier
    from .model import Model
    from .targets import StanceClassifier

    started = time.time()
    if output is not None:
        check_output_folder(output)
    if base is not None and not hasattr(base, "genre"):
        if not isinstance(base, (str, Path)):
            raise TypeError(f"base= takes a loaded model or its folder, got {type(base).__name__}")
        from .model import load_model

        base = load_model(base)
    for value, what, low in ((seed, "seed", 0), (min_examples, "min_examples", 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{what} must be a whole number >= {low}; got {value!r}")
    if not 0.0 <= holdout < 1.0:
        raise ValueError(f"holdout must be in [0, 1); got {holdout}")
    gp = {"seed": int(seed), **(genre_params or {})}
    sp = dict(stance_params or {})
    for cls, params, what in ((GenreClassifier, gp, "genre_params"), (StanceClassifier, sp, "stance_params")):
        try:
            cls(**params)
        except TypeError as exc:
            raise ValueError(f"{what} has a parameter {cls.__name__} does not take ({exc})") from exc
    if isinstance(data, LabelledData):
        labelled, problems = data, _Problems()
        if not labelled.genre and not labelled.stance:
            problems.add("(data)", None, "no examples found")
    else:
        labelled, problems = _read(data)
    if problems and include_default_data is None and (labelled.genre or labelled.stance):
        _check_counts(labelled, problems, min_examples)  # so that one run lists the label counts' problems too
    problems.raise_if_any()

    # default corpus (read before anything is fitted)
    extra_genre = extra_stance = None
    default_provenance: dict[str, Any] = {}
    if include_default_data is not None:
        _say(progress, f"reading the default corpus from {include_default_data}")
        extra_genre, extra_stance = _default_corpus(include_default_data, True, True)
        if extra_genre is not None:
            default_provenance["genre"] = _plain(extra_genre[2])
        if extra_stance is not None:
            default_provenance["stance"] = _plain(extra_stance[3])
    _check_counts(labelled, problems, min_examples,
                  Counter(extra_genre[1]) if extra_genre else None,
                  Counter(int(v) for v in extra_stance[2]) if extra_stance else None)
    problems.raise_if_any()
    for f in labelled.files:
        _say(progress, f"{f['path']}: {f.get('rows', 0)} rows → {f.get('genre_examples', 0)} genre, "
                       f"{f.get('stance_examples', 0)} stance examples"
                       + (f", {f['duplicates_dropped']} repeated rows dropped" if f.get("duplicates_dropped") else ""))
    _say(progress, f"user data: {labelled.summary()}")

    do_genre = bool(labelled.genre or extra_genre)
    do_stance = bool(labelled.stance or extra_stance)
    if not (do_genre and do_stance) and base is None:
        from .model import load_model

        missing = "stance" if do_genre else "genre"
        try:
            base = load_model()
        except ModelError as exc:
            raise ModelError(f"the data has no {missing} examples, so the {missing} part comes from a base model, "
                             f"but the model shipped with stance cannot be loaded ({exc}); give a base model "
                             f"(--base DIR, or base= in Python), or add {missing} examples") from exc
    rng_seed = int(seed)
    metrics: dict[str, Any] = {}
    parts: dict[str, Any] = {}


    def fit_genre(examples: list[GenreExample], extra):
        articles = [e.paragraphs for e in examples]
        labels = [e.label for e in examples]
        if extra:
            articles += [list(a) for a in extra[0]]
            labels += [str(v) for v in extra[1]]
        return _explain_vocabulary_errors("genre", lambda: GenreClassifier(**gp).fit(articles, labels))

    def fit_stance(examples: list[StanceExample], extra):
        texts = [e.text for e in examples]
        targets = [e.spans for e in examples]
        labels = [e.label for e in examples]
        if extra:
            texts += list(extra[0])
            targets += [list(t) for t in extra[1]]
            labels += [int(v) for v in extra[2]]
        return _explain_vocabulary_errors("stance", lambda: StanceClassifier(**sp).fit(texts, targets, labels))

    for part, examples, extra, fit in (("genre", labelled.genre, extra_genre, fit_genre),
                                       ("stance", labelled.stance, extra_stance, fit_stance)):
        if not (examples or extra):
            parts[part] = getattr(base, part)
            _say(progress, f"{part}: no examples; keeping the {part} part of the base model "
                           f"{base.name} {base.version}")
            continue
        if examples and holdout > 0:
            split = _stratified_split([e.label for e in examples], holdout, min_examples,
                                      np.random.default_rng(rng_seed))
            if split is None:
                _say(progress, f"{part}: too few examples for a held-out check; no held-out metrics recorded")
            else:
                tr, te = split
                _say(progress, f"{part}: held-out check: fitting on {len(tr)}, testing on {len(te)} examples")
                model = fit([examples[i] for i in tr], extra)
                held = [examples[i] for i in te]
                probe = Model(genre=model if part == "genre" else None, stance=model if part == "stance" else None)
                report = _evaluate_genre(held, probe) if part == "genre" else _evaluate_stance(held, probe)
                report.pop("mistakes", None)
                report["heldout_fraction"] = holdout
                metrics[part] = report
                _say(progress, f"{part}: held-out accuracy {report['accuracy']:.3f}, macro-F1 "
                               f"{report['macro_f1']:.3f} on {report['n']} examples")
        n = len(examples) + (len(extra[0]) if extra else 0)
        t0 = time.time()
        _say(progress, f"{part}: fitting on {n} examples" + (f" ({len(extra[0])} from the default corpus)"
                                                                 if extra else ""))
        parts[part] = fit(examples, extra)
        _say(progress, f"{part}: done in {time.time() - t0:.1f} s")

    meta: dict[str, Any] = {
        "name": name,
        "version": str(version),
        "seed": rng_seed,
        "trained_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "labels": {"genre": list(parts["genre"].labels), "stance": list(STANCE_LABELS)},
        "training": {
            "data_sha256": labelled.sha256(),
            "files": _plain(labelled.files),
            "counts": {"genre": labelled.genre_counts, "stance": labelled.stance_counts},
            "stance_bins": {"negative": f"<= {STANCE_BINS[0]:.4f}", "positive": f">= {STANCE_BINS[1]:.4f}"},
            "min_examples": min_examples,
            "parts": {part: _part_origin(bool(ex), bool(extra), base)
                      for part, ex, extra in (("genre", labelled.genre, extra_genre),
                                              ("stance", labelled.stance, extra_stance))},
            "default_corpus": {"path": str(include_default_data), **default_provenance}
            if include_default_data is not None else None,
            "genre_params": _plain(gp),
            "stance_params": _plain(sp),
        },
        "metrics": metrics,
    }
    if base is not None and not (do_genre and do_stance):
        meta["base"] = {"name": base.name, "version": base.version,
                        "path": str(base.path) if base.path is not None else None}
    model = Model(genre=parts["genre"], stance=parts["stance"], meta=meta)
    if output is not None:
        folder = model.save(output, model_card=_model_card(meta))
        _say(progress, f"saved to {folder}")
    _say(progress, f"finished in {time.time() - started:.1f} s")
    return model


_VOCABULARY_ERRORS = ("no terms remain", "empty vocabulary", "max_df corresponds to < documents than min_df")


def _explain_vocabulary_errors(part: str, fit: Callable[[], Any]) -> Any:
    """scikit-learn's word-count errors on too little text, as a TrainingDataError that says what to do."""
    try:
        return fit()
    except ValueError as exc:
        if not any(m in str(exc) for m in _VOCABULARY_ERRORS):
            raise
        raise TrainingDataError(f"{part}: the examples have too few distinct words to learn from (scikit-learn: "
                                f"{exc}); give longer texts or more examples per label") from exc


def _part_origin(user: bool, default: bool, base: Any) -> str:
    if user and default:
        return "trained on the user data and the default corpus"
    if user:
        return "trained on the user data"
    if default:
        return "trained on the default corpus"
    return f"from base model {base.name} {base.version}"


def _model_card(meta: dict[str, Any]) -> str:
    t = meta["training"]
    lines = [f"# {meta['name']} {meta['version']}", "",
             f"Trained with `stance train` on {meta['trained_at']} (seed {meta['seed']}).", "",
             "## Parts", ""]
    for part, how in t["parts"].items():
        lines.append(f"* {part}: {how}")
    lines += ["", "## Labels", "", "* genre: " + ", ".join(meta["labels"]["genre"]),
              "* stance: negative / neutral / positive (numbers binned at ±1/3)", "", "## Training data", ""]
    for f in t["files"]:
        lines.append(f"* `{f['path']}` ({f.get('format')}, sha256 {f['sha256'][:16]}…): {f.get('rows', 0)} rows, "
                     f"{f.get('genre_examples', 0)} genre, {f.get('stance_examples', 0)} stance examples")
    if t.get("default_corpus"):
        lines.append(f"* default corpus from `{t['default_corpus']['path']}`")
    lines += ["", "Examples per label: " + json.dumps(t["counts"]), ""]
    if meta["metrics"]:
        lines += ["## Held-out metrics", ""]
        for part, report in meta["metrics"].items():
            lines.append(f"* {part}: accuracy {report['accuracy']:.3f}, macro-F1 {report['macro_f1']:.3f} on "
                         f"{report['n']} held-out examples ({report['heldout_fraction']:.0%} of the data)")
        lines.append("")
    else:
        lines += ["No held-out metrics: the data was too small to set some aside.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------
def predict_genre(model: Any, text: str | Sequence[str]) -> tuple[str, dict[str, float]]:
    """Article genre and scores, as :func:`stance.classify` computes them.

    ``text`` is the article (split into paragraphs, boilerplate dropped) or a list of its content paragraphs.
    """
    from .genre import article_genre

    paragraphs = _content_paragraphs(text) if isinstance(text, str) else [str(p) for p in text]
    labels = list(model.genre.labels)
    probs = model.genre.predict_proba(list(paragraphs))
    label, scores, _, _ = article_genre(probs, [len(p) for p in paragraphs], labels)
    return label, scores


def classification_metrics(y_true: Sequence[Any], y_pred: Sequence[Any], labels: Sequence[Any]) -> dict[str, Any]:
    """Per-class precision/recall/F1, accuracy, macro-F1 (over the labels that occur) and the confusion matrix.

    The one implementation behind ``stance evaluate`` and the held-out figures in the model card.
    """
    labels = list(labels)
    index = {lab: i for i, lab in enumerate(labels)}
    k = len(labels)
    cm = np.zeros((k, k), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[index[t], index[p]] += 1
    per_class = {}
    f1s = []
    present = set(y_true) | set(y_pred)
    for i, lab in enumerate(labels):
        tp = int(cm[i, i])
        predicted, support = int(cm[:, i].sum()), int(cm[i, :].sum())
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[lab] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                          "support": support, "predicted": predicted}
        if lab in present:
            f1s.append(f1)
    n = len(y_true)
    report = {
        "n": n,
        "labels": labels,
        "per_class": per_class,
        "accuracy": round(float(np.trace(cm)) / n, 4) if n else 0.0,
        "macro_f1": round(float(np.mean(f1s)), 4) if f1s else 0.0,
        "confusion_matrix": cm.tolist(),
        "confusion_matrix_axes": "rows: true label, columns: predicted label, in the order of 'labels'",
    }
    return report


def _classification_report(y_true: list[str], y_pred: list[str], probs: np.ndarray, model_labels: list[str],
                           labels: list[str]) -> dict[str, Any]:
    report = classification_metrics(y_true, y_pred, labels)
    report["calibration"] = _calibration(y_true, probs, model_labels)
    unknown = sorted(set(y_true) - set(model_labels))
    if unknown:
        report["unknown_labels"] = unknown
    return report


def _calibration(y_true: list[str], probs: np.ndarray, model_labels: list[str], bins: int = 10) -> dict[str, Any]:
    """ECE (top-label confidence, equal-width bins) and multi-class Brier score, on rows the model can label."""
    index = {lab: i for i, lab in enumerate(model_labels)}
    rows = [i for i, t in enumerate(y_true) if t in index]
    if not rows:
        return {"ece": None, "brier": None, "n": 0, "bins": bins}
    p = np.asarray(probs, dtype=np.float64)[rows]
    y = np.array([index[y_true[i]] for i in rows])
    onehot = np.eye(len(model_labels))[y]
    brier = float(((p - onehot) ** 2).sum(1).mean())
    conf = p.max(1)
    correct = (p.argmax(1) == y).astype(float)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    ece = 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return {"ece": round(float(ece), 4), "brier": round(brier, 4), "n": len(rows), "bins": bins}


def _evaluate_genre(examples: list[GenreExample], model: Any) -> dict[str, Any]:
    model_labels = list(model.genre.labels)
    y_true, y_pred, probs, mistakes = [], [], [], []
    for e in examples:
        label, scores = predict_genre(model, e.paragraphs)
        y_true.append(e.label)
        y_pred.append(label)
        probs.append([scores[g] for g in model_labels])
        if label != e.label and len(mistakes) < 20:
            mistakes.append({"where": e.where, "id": e.id, "true": e.label, "predicted": label,
                             "score": round(scores[label], 4)})
    labels = model_labels + sorted(set(y_true) - set(model_labels))
    report = _classification_report(y_true, y_pred, np.array(probs).reshape(len(examples), -1), model_labels, labels)
    report["model_labels"] = model_labels
    report["mistakes"] = mistakes
    return report


def _evaluate_stance(examples: list[StanceExample], model: Any) -> dict[str, Any]:
    from .pipeline import target_sentences
    from .scoring import combine_many

    # scored as stance_toward scores a text: one row per sentence holding the target, then combined
    texts, spans, groups = [], [], []
    for e in examples:
        sentences, sentence_spans, _ = target_sentences(e.text, e.spans)
        groups.append(range(len(texts), len(texts) + len(sentences)))
        texts += sentences
        spans += sentence_spans
    combined, probs = combine_many(model.stance.predict_proba(texts, spans), groups, return_probs=True)
    y_true = [STANCE_LABELS[e.label + 1] for e in examples]
    y_pred = [label for _, label, _ in combined]
    mistakes = [{"where": e.where, "id": e.id, "actor": e.actor, "true": t, "predicted": p,
                 "score": round(float(c[0]), 4)}
                for e, t, p, c in zip(examples, y_true, y_pred, combined) if t != p][:20]
    report = _classification_report(y_true, y_pred, probs, list(STANCE_LABELS), list(STANCE_LABELS))
    report["label_rule"] = ("predicted label = the label stance.stance_toward gives the row's text and target spans "
                            "(each sentence holding the target scored, then stance.scoring.combine); calibration "
                            "uses the combined class probabilities")
    report["mistakes"] = mistakes
    return report


def evaluate(data: Sequence[str | Path] | str | Path | LabelledData, model: Any) -> dict[str, Any]:
    """Per-class precision/recall/F1, confusion matrix, accuracy, macro-F1 and calibration (ECE, Brier).

    Reported for whichever parts the data has (``report["genre"]``, ``report["stance"]``); JSON-serialisable.
    Genre labels in the data that the model does not know are listed under ``unknown_labels`` (their recall is 0).
    """
    if isinstance(data, LabelledData):
        labelled = data
    else:
        labelled, problems = _read(data)
        problems.raise_if_any("the evaluation data", "nothing was evaluated")
    if not labelled.genre and not labelled.stance:
        raise TrainingDataError("the evaluation data has no examples")
    report: dict[str, Any] = {
        "model": {"name": model.name, "version": model.version,
                  "path": str(model.path) if getattr(model, "path", None) is not None else None},
        "data": {"sha256": labelled.sha256(), "files": _plain(labelled.files)},
    }
    if labelled.genre:
        report["genre"] = _evaluate_genre(labelled.genre, model)
    if labelled.stance:
        report["stance"] = _evaluate_stance(labelled.stance, model)
    return report


def format_report(report: dict[str, Any]) -> str:
    """A printable text version of :func:`evaluate`'s report (or of ``meta["metrics"]``)."""
    out: list[str] = []
    model = report.get("model")
    if model:
        out.append(f"model: {model.get('name')} {model.get('version')}" +
                   (f" ({model['path']})" if model.get("path") else ""))
    for part in ("genre", "stance"):
        r = report.get(part)
        if not r:
            continue
        labels = r["labels"]
        width = max([len(str(lab)) for lab in labels] + [9])
        out.append("")
        out.append(f"{part}: {r['n']} examples")
        out.append(f"  {'label':<{width}}  precision  recall      f1  support")
        for lab in labels:
            c = r["per_class"][lab]
            out.append(f"  {lab:<{width}}  {c['precision']:>9.3f}  {c['recall']:>6.3f}  {c['f1']:>6.3f}  "
                       f"{c['support']:>7d}")
        cal = r.get("calibration") or {}
        line = f"  accuracy {r['accuracy']:.3f}   macro-F1 {r['macro_f1']:.3f}"
        if cal.get("ece") is not None:
            line += f"   ECE {cal['ece']:.3f}   Brier {cal['brier']:.3f}"
            if cal.get("n", r["n"]) < r["n"]:  # calibration needs a label the model knows
                line += f" (on the {cal['n']} of {r['n']} examples whose label the model knows)"
        out.append(line)
        if r.get("unknown_labels"):
            out.append("  labels the model does not know: " + ", ".join(r["unknown_labels"]))
        out.append("  confusion matrix (rows: true, columns: predicted):")
        cols = [str(lab)[:16] for lab in labels]
        cw = max(max(len(c) for c in cols), 5)
        out.append(f"  {'':<{width}}  " + "  ".join(f"{c:>{cw}}" for c in cols))
        for lab, row in zip(labels, r["confusion_matrix"]):
            out.append(f"  {lab:<{width}}  " + "  ".join(f"{v:>{cw}d}" for v in row))
        if r.get("mistakes"):
            out.append(f"  first mistakes ({len(r['mistakes'])}):")
            for m in r["mistakes"][:10]:
                who = f" {m['actor']!r}" if "actor" in m else ""
                out.append(f"    {m['where']}{who}: true {m['true']}, predicted {m['predicted']}")
    return "\n".join(out) + "\n"


if TYPE_CHECKING:  # pragma: no cover
    from .model import Model  # noqa: F401
