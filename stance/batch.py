"""Scoring a folder at scale: find the files, read them safely and lazily, stream results out.

Inputs (under the folder, recursively, in a stable order: each folder's entries sorted by name):

* ``*.txt``, ``*.md`` — the file is the article;
* ``*.html``, ``*.htm`` — the page's visible text (see :mod:`stance.htmltext`);
* ``*.jsonl`` — one article per line, ``{"text": ..., "id": ...}``; ``id`` defaults to ``relpath:lineno``;
  blank lines are skipped, a line that is not such a record becomes an error record.

Encodings: UTF-8 (with or without BOM), UTF-16 with BOM; anything else is read as cp1252, and that fallback is
reported (a warning on stderr and a count in the summary) while the article is still scored.

A file that cannot become text (over ``max_bytes``, binary, empty, unreadable, undecodable) becomes an error
record ``{"id", "error": {"type", "message"}}`` in its place and the run goes on. Ids are unique in a run: an
input whose id an earlier one took (a jsonl record's ``id`` equal to another record's or to a file's path)
becomes a ``duplicate_id`` error under its own path or line id, suffixed ``#2``, ``#3``... if that is taken
too. A ``.jsonl`` file that ``stance score`` wrote (an old output left in the folder) is one ``bad_record``
error, not one per line. Error types:
``too_large``, ``binary``, ``empty``, ``unreadable``, ``encoding``, ``bad_record`` and ``duplicate_id`` (jsonl), and the pipeline's
own (``no_content``, ``invalid_input``, ``wrong_type``, ``internal_error``).

Output is written one record at a time, each record with a single ``write`` call, in input order, so a run that
is killed leaves at most one partial last line; ``resume_state`` repairs that and lists the ids already done.

CSV output (``--format csv``), one row per article × actor; columns, in order:

=====================  ==================================================================================
``id``                 the article id: path relative to the folder (``relpath:lineno`` or the record's
                       ``id`` for jsonl inputs)
``genre``              the article's genre (``reporting``, ``opinion``, ``satire``, ``interview``)
``mixed``              ``true`` when the article mixes genres, else ``false``
``genre_<label>``      one column per genre of the model (``genre_reporting``, ``genre_opinion``,
                       ``genre_satire``, ``genre_interview``): the article's genre score, 0–1
``actor``              the actor's canonical name (empty when the article mentions no actor)
``kind``               the actor's kind (e.g. ``country``, ``person``, ``organization``)
``score``              stance toward the actor, -1 (negative) … +1 (positive)
``label``              ``negative`` / ``neutral`` / ``positive``
``confidence``         0–1
``mentions``           how many times the article mentions the actor
``error``              the error type for a file that could not be scored (all other columns but ``id``
                       empty), else empty
``error_message``      what went wrong, in words, else empty
=====================  ==================================================================================

An article with no actors gets one row with the actor columns empty. Rows of one article are contiguous and
written together; fields never contain line breaks, so every row is one line.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import sys
import time
from collections import Counter, deque
from contextlib import contextmanager
from functools import partial
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import IO, Any, Callable, Iterable, Iterator, Sequence

from .actors import actor_list
from .pipeline import iter_classify
from .results import ArticleResult, FailedItem

TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES
DEFAULT_MAX_BYTES = 5_000_000
FORMATS = ("jsonl", "csv")
_SNIFF = 8192
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b") + b"\x7f"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


class UnreadableFile(Exception):
    """A file that cannot become article text; ``reason`` becomes the error record's type."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class BackendError(Exception):
    """The parallel backend cannot be used (dask not installed, scheduler unreachable)."""


class ResumeError(Exception):
    """The existing output cannot be resumed safely (not written by ``stance score``, or another format)."""


# -- finding files -----------------------------------------------------------------------------------

def _matches(relpath: str, globs: Sequence[str] | None) -> bool:
    if not globs:
        return True
    # case-insensitive, as the suffixes are: "*.txt" also selects "NOTES.TXT", which is scored by default
    relpath = relpath.lower()
    pure = PurePosixPath(relpath)
    patterns = {g.lower() for g in globs}
    patterns |= {g.replace("**/", "") for g in patterns if "**/" in g}  # "**/" also matches no folder, as in git
    return any(fnmatchcase(relpath, g) or pure.match(g) for g in patterns)


def iter_files(root: Path, suffixes: tuple[str, ...] = SUFFIXES, globs: Sequence[str] | None = None) -> Iterator[Path]:
    """Files under ``root`` with one of ``suffixes`` (any case), lazily, each folder's entries sorted by name.

    ``globs`` narrows the set: a file is kept when its path relative to ``root`` (with ``/``) matches any of
    them, either as a whole (``fnmatch``: ``*`` also crosses ``/``) or from the right (``*.html`` matches
    ``a/b.html``). Symlinked folders are not followed (no loops); symlinked files are. A sub-folder that
    cannot be listed is yielded itself (a folder, not a file) so the caller can record it.
    """
    root = Path(root)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a folder")

    def walk(folder: Path, prefix: str) -> Iterator[Path]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            if prefix:  # an unreadable sub-folder: yield it so that the run records it instead of losing it
                yield folder
            return
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    yield from walk(Path(entry.path), rel + "/")
                elif entry.name.lower().endswith(suffixes) and entry.is_file() and _matches(rel, globs):
                    yield Path(entry.path)
            except OSError:
                continue

    yield from walk(root, "")


# -- reading -----------------------------------------------------------------------------------------

def decode_bytes(data: bytes, hint: str | None = None) -> tuple[str, str | None]:
    """``(text, fallback)``: ``fallback`` names the encoding used when the bytes were not UTF-8/UTF-16, else None.

    Raises :class:`UnreadableFile` for binary data or bytes no encoding here can read.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            raise UnreadableFile("encoding", f"starts with a UTF-16 byte-order mark but is not valid UTF-16: {exc.reason}") from exc
    head = data[:_SNIFF]
    if b"\x00" in head:
        # every other byte NUL and the rest mostly printable ASCII: UTF-16 text without the byte-order mark
        even, odd = head[0::2], head[1::2]
        other = odd if even.count(0) > odd.count(0) else even
        nuls = max(even.count(0), odd.count(0))
        printable = sum(1 for b in other if 32 <= b < 127 or b in (9, 10, 13))
        utf16 = len(head) >= 4 and nuls >= 0.4 * len(head) / 2 and printable >= 0.9 * len(other)
        if utf16:
            raise UnreadableFile("encoding", "the file looks like UTF-16 without a byte-order mark; re-save it as "
                                 "UTF-8 or as UTF-16 with a BOM")
        raise UnreadableFile("binary", "the file looks binary (it contains NUL bytes), not text")
    if head and sum(head.count(b) for b in _CONTROL) > max(8, len(head) // 20):
        raise UnreadableFile("binary", "the file looks binary (many control bytes), not text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    for encoding in dict.fromkeys(e for e in (hint, "cp1252") if e):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    raise UnreadableFile(
        "encoding", f"neither UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}) nor cp1252; "
                    "re-encode the file as UTF-8")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableFile("too_large", f"{size:,} bytes is over the {max_bytes:,}-byte limit (raise --max-bytes)")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableFile("unreadable", f"cannot read the file: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:  # grew since stat
        raise UnreadableFile("too_large", f"over the {max_bytes:,}-byte limit (raise --max-bytes)")
    return data


def read_document(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, html: bool | None = None) -> tuple[str, str | None]:
    """``(text, fallback_encoding)`` of one .txt/.md/.html file; HTML pages (``html``: None → by the suffix)
    become their visible text."""
    html = Path(path).suffix.lower() in HTML_SUFFIXES if html is None else html
    return _document_text(_read_bytes(Path(path), max_bytes), html)


def read_stream(stream: IO[bytes], max_bytes: int = DEFAULT_MAX_BYTES, html: bool = False) -> tuple[str, str | None]:
    """:func:`read_document` for a byte stream such as standard input (same decoding rules; ``html``: the
    stream is an HTML page, made its visible text)."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnreadableFile("too_large", f"over the {max_bytes:,}-byte limit (raise --max-bytes)")
    return _document_text(data, is_html=html)


def _document_text(data: bytes, is_html: bool) -> tuple[str, str | None]:
    if not data.strip():
        raise UnreadableFile("empty", "the file is empty (or only whitespace)")
    hint = None
    if is_html:
        found = _META_CHARSET.search(data[:4096])
        hint = found.group(1).decode("ascii", "replace").lower() if found else None
    text, fallback = decode_bytes(data, hint)
    if is_html:
        from .htmltext import html_to_text

        text = html_to_text(text)
        if not text.strip():
            raise UnreadableFile("empty", "the page has no visible text")
    return text, fallback


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The file's text, or :class:`UnreadableFile` saying why not (too large, empty, binary, bad encoding)."""
    return read_document(path, max_bytes)[0]


_ID_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _record_id(record: dict, default: str) -> str:
    value = record.get("id")
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise UnreadableFile("bad_record", f"\"id\" must be a string or an integer, got {type(value).__name__}")
    if not value.strip():
        raise UnreadableFile("bad_record", "\"id\" is empty; give the record an id or leave \"id\" out")
    if _ID_CONTROL.search(value):  # a line break in an id would change it in CSV output and break --resume
        raise UnreadableFile("bad_record", f"\"id\" {value!r} contains a line break or control character")
    return value


def _check_unicode(value: str, what: str) -> None:
    """Lone surrogates ("\\ud800" escapes in JSON) are not Unicode text: no UTF-8 output can hold them."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnreadableFile("encoding", f"{what} holds a lone surrogate (a \"\\u{ord(value[exc.start]):04x}\" escape) "
                                         f"at character {exc.start}, which is not valid Unicode text") from exc


def _own_id(record: Any, default: str) -> str | None:
    """The record's own valid id, if it has one."""
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        return None
    try:
        item_id = _record_id(record, default)
        _check_unicode(item_id, "id")
    except UnreadableFile:
        return None
    return item_id


def unique_id(candidate: str, seen: set[str]) -> str:
    """``candidate``, or ``candidate#2``, ``#3``... the first that no earlier record of the run has."""
    if candidate not in seen:
        return candidate
    n = 2
    while f"{candidate}#{n}" in seen:
        n += 1
    return f"{candidate}#{n}"


def _looks_like_output(record: Any) -> bool:
    """A record that ``stance score`` wrote (a result or an error record), not an input record."""
    return isinstance(record, dict) and "text" not in record and "id" in record and (
        "paragraphs" in record or "genre" in record or "error" in record)


_OUTPUT_FILE = ("this looks like stance's own output (records with \"id\" and \"genre\" or \"error\", no \"text\"), "
                "not input; move it out of the folder or narrow the run with --glob")


def _first_record(handle: IO[bytes], limit: int = 1 << 20) -> Any:
    """The first non-blank line parsed as JSON (None if it is not JSON, or longer than ``limit`` bytes)."""
    while raw := handle.readline(limit):
        if raw.strip():
            try:
                return json.loads(raw.decode("utf-8-sig"))
            except ValueError:  # also a line cut at the limit
                return None
    return None


def iter_jsonl(path: Path, relpath: str, max_bytes: int,
               seen: set[str] | None = None) -> Iterator[tuple[str, str | None, str | None, UnreadableFile | None]]:
    """``(id, text, fallback, error)`` per non-blank line of a .jsonl file, lazily (one line in memory).

    ``seen``: the ids given out so far in the run (the caller adds each id it gets). No two records get one
    id: a record whose id (its own, or its default "file.jsonl:LINE") is taken already becomes a
    ``duplicate_id`` error, under :func:`unique_id` of its line's id; two records under one id could not be
    told apart in the output, and ``--resume`` would take the second for done. A file that stance itself
    wrote (its first record is a result or error record) is one ``bad_record`` error, not one per line."""
    taken = seen if seen is not None else set()

    def whole_file(reason: str, message: str):
        return unique_id(relpath, taken), None, None, UnreadableFile(reason, message)

    try:
        handle = open(path, "rb")
    except OSError as exc:
        yield whole_file("unreadable", f"cannot read the file: {exc.strerror or exc}")
        return
    with handle:
        records = 0
        try:
            head = handle.read(_SNIFF)
            if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                yield whole_file("binary", "the file looks binary (it contains NUL bytes), not JSON lines")
                return
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                yield whole_file("encoding", "JSON lines must be UTF-8, this file is UTF-16; re-save it as UTF-8")
                return
            handle.seek(0)
            if _looks_like_output(_first_record(handle)):
                yield whole_file("bad_record", _OUTPUT_FILE)
                return
            handle.seek(0)
            for lineno, raw in enumerate(handle, start=1):
                if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                if not raw.strip():
                    continue
                records += 1
                default_id = f"{relpath}:{lineno}"
                if len(raw) > max_bytes:
                    yield unique_id(default_id, taken), None, None, UnreadableFile(
                        "too_large", f"line {lineno} has {len(raw):,} bytes, over the {max_bytes:,}-byte limit (raise --max-bytes)")
                    continue
                record: Any = None
                try:
                    line, fallback = decode_bytes(raw)
                    try:
                        record = json.loads(line)
                    except ValueError as exc:
                        raise UnreadableFile("bad_record", f"line {lineno} is not valid JSON: {exc}") from exc
                    if not isinstance(record, dict):
                        raise UnreadableFile("bad_record", f"line {lineno} is a JSON {type(record).__name__}, not an object with \"text\"")
                    item_id = _record_id(record, default_id)
                    _check_unicode(item_id, f"line {lineno}: \"id\"")
                    text = record.get("text")
                    if not isinstance(text, str):
                        raise UnreadableFile("bad_record", f"line {lineno} has no \"text\" string")
                    _check_unicode(text, f"line {lineno}: \"text\"")
                    if item_id in taken:
                        whose = "its id" if item_id != default_id else "its default id (it has none of its own)"
                        yield unique_id(default_id, taken), None, None, UnreadableFile(
                            "duplicate_id", f"line {lineno}: {whose} {item_id!r} is taken by an earlier record; "
                                            "give every record its own id (this one is not scored)")
                        continue
                except UnreadableFile as exc:  # under the record's own id when that id is a usable one
                    own = _own_id(record, default_id)
                    yield (own if own and own not in taken else unique_id(default_id, taken)), None, None, exc
                    continue
                yield item_id, text, fallback, None
        except OSError as exc:
            yield whole_file("unreadable", f"reading failed: {exc.strerror or exc}")
            return
        if records == 0:
            yield whole_file("empty", "the file has no records")


# -- output ------------------------------------------------------------------------------------------

def csv_header(genres: Sequence[str]) -> list[str]:
    return (["id", "genre", "mixed"] + [f"genre_{g}" for g in genres]
            + ["actor", "kind", "score", "label", "confidence", "mentions", "error", "error_message"])


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value == value else ""
    return " ".join(str(value).splitlines())


def _csv_text(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([_clean(v) for v in row] for row in rows)
    return buffer.getvalue()


def csv_rows(record: ArticleResult | FailedItem, genres: Sequence[str]) -> list[list[Any]]:
    """The CSV rows of one record (see the module docstring for the columns)."""
    if isinstance(record, FailedItem):
        return [[record.id, "", ""] + [""] * len(genres) + ["", "", "", "", "", "", record.error_type, record.message]]
    head = [record.id, record.genre, record.mixed] + [round(float(record.genre_scores.get(g, 0.0)), 4) for g in genres]
    if not record.actors:
        return [head + ["", "", "", "", "", "", "", ""]]
    return [head + [a.name, a.kind, round(float(a.score), 4), a.label, round(float(a.confidence), 4), a.mentions, "", ""]
            for a in record.actors]


def format_record(record: ArticleResult | FailedItem, fmt: str = "jsonl", genres: Sequence[str] = ()) -> str:
    """One record as the text to append: a JSON line, or its CSV rows."""
    if fmt == "csv":
        return _csv_text(csv_rows(record, genres))
    return record.to_json() + "\n"


@dataclass(frozen=True)
class _Rendered:
    """A record as the worker hands it back: its id, its output text, and the failure if it is one."""

    id: str
    text: str
    failure: FailedItem | None


def _render(record: ArticleResult | FailedItem, fmt: str, genres: Sequence[str]) -> _Rendered:
    return _Rendered(record.id, format_record(record, fmt, genres), record if isinstance(record, FailedItem) else None)


class _Writer:
    """Appends whole records: one ``write`` call each (looping only on a short write), flushed at once."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.binary = isinstance(out, (io.RawIOBase, io.BufferedIOBase))

    def write(self, text: str) -> None:
        if not self.binary:
            self.out.write(text)
            self.out.flush()
            return
        data = text.encode("utf-8")
        while data:
            written = self.out.write(data)
            if written is None:  # non-blocking raw stream with nothing written; try again
                continue
            data = data[written:]
        flush = getattr(self.out, "flush", None)
        if flush is not None:
            flush()


def open_output(path: str | Path, *, append: bool) -> io.RawIOBase:
    """An unbuffered binary file for :func:`score_folder`: every record reaches the OS in one write."""
    return open(path, "ab" if append else "wb", buffering=0)


# -- resume ------------------------------------------------------------------------------------------

@dataclass
class ResumeState:
    done: set[str] = field(default_factory=set)
    failed: int = 0
    records: int = 0
    repaired_bytes: int = 0   # bytes of a partial last line (or incomplete last CSV article) cut off
    has_header: bool = False


def _truncate_to_last_newline(handle: IO[bytes]) -> int:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    if size == 0:
        return 0
    pos = size
    while pos > 0:
        step = min(65536, pos)
        handle.seek(pos - step)
        chunk = handle.read(step)
        cut = chunk.rfind(b"\n")
        if cut >= 0:
            keep = pos - step + cut + 1
            break
        pos -= step
    else:
        keep = 0
    if keep != size:
        handle.truncate(keep)
    return size - keep


def may_overwrite(path: Path, genres: Sequence[str] = ()) -> bool:
    """Whether ``path`` (an output that lies inside the folder being scored) may be written: it does not exist,
    is empty, or holds output of ``stance score`` (a JSON record or this CSV header first), not an input."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return not path.is_dir()
        with open(path, "rb") as handle:
            if handle.readline() == ",".join(csv_header(genres)).encode("utf-8") + b"\n":
                return True
            handle.seek(0)
            return _looks_like_output(_first_record(handle))
    except OSError:
        return True  # opening it for output will say what is wrong


def resume_state(path: str | Path, fmt: str = "jsonl", genres: Sequence[str] = ()) -> ResumeState:
    """Repair an output left by a killed run and list the ids it already holds.

    A partial last line is cut back to the last newline. For CSV, the last article's rows are dropped too
    (it may have been cut between rows) so it is scored again. Raises :class:`ResumeError` when a complete
    line is not a record of this format (then the file was not written by ``stance score``).
    """
    state = ResumeState()
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return state
    with open(path, "r+b") as handle:
        state.repaired_bytes = _truncate_to_last_newline(handle)
        handle.seek(0)
        if fmt == "csv":
            header = ",".join(csv_header(genres)).encode("utf-8") + b"\n"
            first = handle.readline()
            if not first:
                return state
            if first != header:
                raise ResumeError(f"{path} does not start with this CSV header ({header.decode().strip()}); "
                                  "was it written with another --format or model?")
            state.has_header = True
            last_id, last_failed, last_start, offset = None, False, handle.tell(), handle.tell()
            for lineno, line in enumerate(handle, start=2):
                try:
                    row = next(csv.reader([line.decode("utf-8")]))
                except (UnicodeDecodeError, csv.Error, StopIteration) as exc:
                    raise ResumeError(f"line {lineno} of {path} is not a CSV row ({exc})") from exc
                if not row or len(row) != len(csv_header(genres)):
                    raise ResumeError(f"line {lineno} of {path} does not have the CSV columns of this run")
                if row[0] != last_id:
                    if last_id is not None:
                        state.done.add(last_id)
                        state.records += 1
                        state.failed += last_failed
                    last_id, last_start = row[0], offset
                    last_failed = bool(row[-2])
                offset += len(line)
            if last_id is not None:  # drop the last article's rows: the kill may have cut them short
                state.repaired_bytes += offset - last_start
                handle.truncate(last_start)
            return state
        for lineno, line in enumerate(handle, start=1):
            try:
                record = json.loads(line)
                item_id = record["id"]
            except (ValueError, KeyError, TypeError) as exc:
                raise ResumeError(
                    f"line {lineno} of {path} is not a stance JSON record ({type(exc).__name__}); "
                    "was it written with another --format?") from exc
            state.done.add(item_id)
            state.records += 1
            if "error" in record:
                state.failed += 1
    return state


# -- the run -----------------------------------------------------------------------------------------

@dataclass
class Summary:
    scored: int = 0
    failed: int = 0
    skipped: int = 0          # already in the output (--resume)
    previous_failed: int = 0  # error records among those
    fallback_encodings: Counter = field(default_factory=Counter)  # not UTF-8/UTF-16: meta charset or cp1252
    errors: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.scored + self.failed

    @property
    def fallback(self) -> int:
        """Inputs read with a fallback encoding."""
        return sum(self.fallback_encodings.values())

    def line(self) -> str:
        text = f"{self.scored} scored, {self.failed} failed, {self.total} records"
        if self.skipped:
            text += f"; {self.skipped} already in the output ({self.previous_failed} of them errors)"
        if self.fallback:
            text += "; not UTF-8: " + ", ".join(
                f"{n} read as {encoding}" for encoding, n in sorted(self.fallback_encodings.items()))
        if self.errors:
            text += "; errors: " + ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items()))
        if self.seconds:
            text += f"; {self.seconds:.1f} s"
        return text


class _Progress:
    """tqdm bar on a terminal; otherwise a line every ``every`` records; nothing when quiet."""

    def __init__(self, stream: IO[str] | None, total: int | None, initial: int = 0, every: int = 1000,
                 bar: bool | None = None) -> None:
        self.stream, self.every, self.count, self.total, self.initial = stream, every, initial, total, initial
        self.start = time.perf_counter()
        self.bar = None
        if stream is not None and (bar if bar is not None else getattr(stream, "isatty", lambda: False)()):
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=initial, unit="file", file=stream, dynamic_ncols=True,
                            smoothing=0.1, desc="stance")

    def message(self, text: str) -> None:
        if self.stream is None:
            return
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def advance(self) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.stream is not None and self.count % self.every == 0:
            rate = (self.count - self.initial) / max(time.perf_counter() - self.start, 1e-9)
            of = f"/{self.total}" if self.total is not None else ""
            print(f"stance: {self.count}{of} files ({rate:.1f} files/s)", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def count_items(root: Path, globs: Sequence[str] | None = None, exclude: str | None = None) -> int:
    """How many records a run will produce: one per file, one per non-blank line of each .jsonl file."""
    total = 0
    for path in iter_files(root, SUFFIXES, globs):
        if exclude is not None and path.relative_to(root).as_posix() == exclude:
            continue
        if path.suffix.lower() in JSONL_SUFFIXES:
            try:
                with open(path, "rb") as handle:
                    n = 1 if _looks_like_output(_first_record(handle)) else 0
                    handle.seek(0)
                    n = n or sum(1 for line in handle if line.strip())
            except OSError:
                n = 1
            total += max(n, 1)
        else:
            total += 1
    return total


def _sources(root: Path, globs: Sequence[str] | None, max_bytes: int, done: set[str] | frozenset,
             slots: deque, summary: Summary, exclude: str | None = None,
             id_key: Callable[[str], str] = str) -> Iterator[tuple[str, str]]:
    """The (id, text) stream for the model. Every input also gets a slot, in order: a finished error record,
    or the id whose result the model will return. Files are read only when the model asks for more.
    ``id_key``: an id as the output holds it (CSV output writes ids through ``_clean``), to compare with ``done``."""
    seen: set[str] = set()  # every id of the run, so that no two records share one (see iter_jsonl)
    for path in iter_files(root, SUFFIXES, globs):
        relpath = path.relative_to(root).as_posix()
        if relpath == exclude:
            continue
        if path.is_dir():
            if id_key(relpath + "/") not in done:
                slots.append((FailedItem(relpath + "/", "unreadable", "cannot list this folder (permissions?)"), None))
            continue
        if path.suffix.lower() in JSONL_SUFFIXES:
            for item_id, text, fallback, error in iter_jsonl(path, relpath, max_bytes, seen):
                seen.add(item_id)
                if id_key(item_id) in done:
                    summary.skipped += 1
                    continue
                if error is not None:
                    slots.append((FailedItem(item_id, error.reason, str(error)), None))
                else:
                    slots.append((item_id, fallback))
                    yield item_id, text
            continue
        item_id = unique_id(relpath, seen)
        seen.add(item_id)
        if id_key(item_id) in done:
            summary.skipped += 1
            continue
        if item_id != relpath:
            slots.append((FailedItem(item_id, "duplicate_id", f"the file's id {relpath!r} is taken by an earlier "
                                     "JSONL record's id; give that record another id (this file is not scored)"), None))
            continue
        try:
            text, fallback = read_document(path, max_bytes)
        except UnreadableFile as exc:
            slots.append((FailedItem(relpath, exc.reason, str(exc)), None))
            continue
        except Exception as exc:  # never let one odd file end the run
            slots.append((FailedItem(relpath, "unreadable", f"{type(exc).__name__}: {exc}"), None))
            continue
        slots.append((relpath, fallback))
        yield relpath, text


def score_folder(model, root: Path, out: Any, *, n_jobs: int = 1, batch_size: int = 16,
                 max_bytes: int = DEFAULT_MAX_BYTES, progress: IO[str] | None = sys.stderr, fmt: str = "jsonl",
                 globs: Sequence[str] | None = None, resume: ResumeState | None = None,
                 write_header: bool = True, progress_bar: bool | None = None, progress_every: int = 1000,
                 count_total: bool = True, exclude: str | None = None, actors: Any = None) -> Summary:
    """Score every input under ``root`` into ``out``, one record at a time, in input order.

    ``out`` is a text stream (written and flushed per record) or a binary stream such as
    :func:`open_output` returns (one ``write`` per record). ``exclude`` is a path relative to ``root`` that is
    not an input (the output file itself, when it lies inside the folder). ``resume`` (from :func:`resume_state`) skips the
    ids already in the output. ``progress`` gets the bar or progress lines, warnings and per-file errors
    (``None``: silent). ``actors``: a caller's actors, as for ``classify`` (a mapping, or an
    :class:`~stance.actors.ActorList` to replace the default ones). Returns the :class:`Summary`; the caller prints it.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    root = Path(root)
    started = time.perf_counter()
    genres = tuple(getattr(model, "genres", ()))
    writer = _Writer(out)
    summary = Summary()
    done: set[str] | frozenset = resume.done if resume is not None else frozenset()
    if resume is not None:
        summary.previous_failed = resume.failed
    if fmt == "csv" and write_header and not (resume is not None and resume.has_header):
        writer.write(_csv_text([csv_header(genres)]))
    total = count_items(root, globs, exclude) if (progress is not None and count_total) else None
    bar = _Progress(progress, total, initial=len(done) if total is not None else 0, every=progress_every,
                    bar=progress_bar)
    slots: deque = deque()

    def emit(record: _Rendered, fallback: str | None) -> None:
        if fallback:
            summary.fallback_encodings[fallback] += 1
            bar.message(f"stance: warning: {record.id}: not UTF-8, read as {fallback}")
        failure = record.failure
        if failure is not None:
            summary.failed += 1
            summary.errors[failure.error_type] += 1
            bar.message(f"stance: {failure.id}: {failure.error_type}: {failure.message}")
        else:
            summary.scored += 1
        writer.write(record.text)
        bar.advance()

    def drain_failures() -> None:
        while slots and isinstance(slots[0][0], FailedItem):
            failure, _ = slots.popleft()
            emit(_render(failure, fmt, genres), None)

    try:
        # records are formatted where they are scored (in the workers of a parallel run)
        sources = _sources(root, globs, max_bytes, done, slots, summary, exclude, _clean if fmt == "csv" else str)
        stream = iter_classify(model, sources,
                               n_jobs=n_jobs, batch_size=batch_size, actors=actor_list(actors),
                               render=partial(_render, fmt=fmt, genres=genres))
        for result in stream:
            drain_failures()
            item_id, fallback = slots.popleft()
            if result.id != item_id:  # cannot happen unless the model reorders; never write under a wrong id
                raise RuntimeError(f"result for {result.id!r} arrived where {item_id!r} was expected")
            emit(result, fallback)
        drain_failures()
    finally:
        bar.close()
        summary.seconds = time.perf_counter() - started
    return summary


# -- running elsewhere -------------------------------------------------------------------------------

@contextmanager
def parallel_backend(backend: str = "loky", scheduler: str | None = None) -> Iterator[None]:
    """Run :func:`score_folder`'s workers on ``backend``: ``loky`` (local processes, the default) or ``dask``
    (the Dask cluster at ``scheduler``, through joblib's dask backend; needs ``pip install 'stance[dask]'``)."""
    if backend in (None, "loky"):
        yield
        return
    if backend != "dask":
        raise BackendError(f"backend must be 'loky' or 'dask', got {backend!r}")
    try:
        from distributed import Client
    except ImportError as exc:
        raise BackendError("--backend dask needs dask and distributed: pip install 'stance[dask]'") from exc
    import joblib

    try:
        client = Client(scheduler, timeout="30s") if scheduler else Client(processes=True, dashboard_address=None)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BackendError(f"cannot reach the Dask scheduler at {scheduler or '(local cluster)'}: {exc}") from exc
    try:
        with joblib.parallel_config(backend="dask"):
            yield
    finally:
        client.close()
