"""Scoring a folder: find the files, read them safely, stream results out as JSON lines."""

from __future__ import annotations

import codecs
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

from .pipeline import iter_classify
from .results import FailedItem

SUFFIXES = (".txt", ".md")
DEFAULT_MAX_BYTES = 5_000_000


class UnreadableFile(Exception):
    """A file that cannot become article text; ``reason`` becomes the error record's type."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def discover(root: Path, suffixes: tuple[str, ...] = SUFFIXES) -> list[Path]:
    """Every file under ``root`` with one of ``suffixes``, recursively, in a stable (path-sorted) order."""
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a folder")
    found = [p for p in root.rglob("*") if p.suffix.lower() in suffixes and p.is_file()]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def read_text(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The file's text, or :class:`UnreadableFile` saying why not (too large, empty, binary, bad encoding)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableFile("too_large", f"{size:,} bytes is over the {max_bytes:,}-byte limit (raise --max-bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile("unreadable", f"cannot read the file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise UnreadableFile("empty", "the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile("encoding", f"starts with a UTF-16 byte-order mark but is not valid UTF-16: {exc}") from exc
    if b"\x00" in data[:8192]:
        raise UnreadableFile("binary", "the file looks binary (it contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "encoding", f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); re-encode the file as UTF-8") from exc


@dataclass
class Summary:
    scored: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.scored + self.failed


def _items(root: Path, paths: list[Path], max_bytes: int, failures: dict[str, FailedItem]) -> Iterator[tuple[str, str]]:
    for path in paths:
        item_id = path.relative_to(root).as_posix()
        try:
            yield item_id, read_text(path, max_bytes)
        except UnreadableFile as exc:
            failures[item_id] = FailedItem(item_id, exc.reason, str(exc))
            yield item_id, ""  # placeholder keeps the output in input order; replaced by the failure record


def score_folder(model, root: Path, out: IO[str], *, n_jobs: int = 1, batch_size: int = 32,
                 max_bytes: int = DEFAULT_MAX_BYTES, progress: IO[str] | None = sys.stderr) -> Summary:
    """Score every article under ``root`` into ``out``, one JSON line each, flushed as it is written."""
    paths = discover(root)
    failures: dict[str, FailedItem] = {}
    summary = Summary()
    results = iter_classify(model, _items(root, paths, max_bytes, failures), n_jobs=n_jobs, batch_size=batch_size)
    for result in results:
        record = failures.pop(result.id, None) or result
        if isinstance(record, FailedItem):
            summary.failed += 1
            if progress is not None:
                print(f"stance: {record.id}: {record.error_type}: {record.message}", file=progress)
        else:
            summary.scored += 1
        out.write(record.to_json() + "\n")
        out.flush()
        if progress is not None and summary.total % 100 == 0:
            print(f"stance: {summary.total}/{len(paths)} files", file=progress)
    return summary
