"""Readers for the default training corpus (the ``shared/data`` layout described in its README).

Third-party text is never copied into stance: these functions read it from a path at training time. They
are used by ``scripts/train_model.py`` (the shipped model) and by ``stance train --include-default-data``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

from .errors import TrainingDataError

STANCE_FILE = "stance/newsmtsc_train.jsonl"
STANCE_TERMS = {
    "newsmtsc_train.jsonl": "NewsMTSC (Hamborg & Donnay, EACL 2021), MIT",
    "finentity.jsonl": "FinEntity (Tang et al. 2023), no licence file",
    "basil_sentences.jsonl": "BASIL (Fan et al. 2019), no licence file",
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_stance_rows(path: Path) -> tuple[list[str], list[list[tuple[int, int]]], list[int], int]:
    """Sentence-level stance rows → (texts, target spans, labels, rows skipped because the actor is absent).

    Rows with ``span: null`` get the first case-sensitive occurrence of the actor (then a case-insensitive one).
    """
    texts, spans, labels, skipped = [], [], [], 0
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, actor, label = row["text"], row["actor"], int(row["stance"])
            except (ValueError, KeyError, TypeError) as exc:
                raise TrainingDataError(f"{path}:{line_no}: not a stance row ({exc})") from exc
            if label not in (-1, 0, 1):
                raise TrainingDataError(f"{path}:{line_no}: stance must be -1, 0 or 1, got {label}")
            span = row.get("span")
            if span is None:
                start = text.find(actor) if actor else -1
                if start < 0 and actor:
                    start = text.lower().find(actor.lower())
                if start < 0:
                    skipped += 1
                    continue
                span = (start, start + len(actor))
            start, end = int(span[0]), int(span[1])
            if not 0 <= start < end <= len(text):
                raise TrainingDataError(f"{path}:{line_no}: span {span} is out of range for a {len(text)}-character text")
            texts.append(text)
            spans.append([(start, end)])
            labels.append(label)
    return texts, spans, labels, skipped


def default_stance_examples(data_dir: str | Path, files: tuple[str, ...] = (STANCE_FILE,)):
    """The default stance corpus → (texts, targets, labels, provenance)."""
    data_dir = Path(data_dir)
    texts: list[str] = []
    targets: list[list[tuple[int, int]]] = []
    labels: list[int] = []
    provenance: list[dict[str, Any]] = []
    for name in files:
        path = data_dir / name
        if not path.is_file():
            raise TrainingDataError(f"{path} not found; point the data path at the shared data folder (it holds genre/ and stance/)")
        t, s, y, skipped = read_stance_rows(path)
        provenance.append({
            "file": name, "sha256": sha256_of(path), "rows": len(t), "skipped_actor_not_found": skipped,
            "label_counts": {str(k): v for k, v in sorted(Counter(y).items())},
            "terms": STANCE_TERMS.get(Path(name).name, ""),
        })
        texts += t
        targets += s
        labels += y
    return texts, targets, labels, provenance
