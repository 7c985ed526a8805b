"""Train the target-dependent stance model (stance.targets.StanceClassifier) from the shared data.

    python scripts/train_stance.py --out /tmp/stance_state            # default: NewsMTSC train
    python scripts/train_stance.py --data ../shared/data --extra finentity --out DIR

Reads ``<data>/stance/newsmtsc_train.jsonl`` (and optional extra sentence-level sets) by path; nothing from
the data folder is copied into the repository. 10 % of the NewsMTSC training sentences (grouped by sentence,
so the targets of one sentence stay together) are held out to fit the softmax temperature and to report a
validation score; the final weights are then refitted on all training rows and keep that temperature.
Writes ``stance.json`` (config + provenance) and ``stance.npz`` (numeric arrays) to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from stance.corpus import STANCE_TERMS as TERMS, read_stance_rows  # noqa: E402
from stance.model import sha256_file as sha256  # noqa: E402
from stance.errors import TrainingDataError  # noqa: E402
from stance.targets import StanceClassifier  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
MAIN_FILE = "newsmtsc_train.jsonl"
EXTRA_FILES = {
    "finentity": "finentity.jsonl",
    "basil": "basil_sentences.jsonl",
}
# cues/cue_scale: the hand-written conflict cue lexicon (stance/data/stance_cues.json) added as logit offsets;
# NewsMTSC has almost no war news, so its offsets are written, not fitted (see stance.targets.cue_offsets).
# C=4: best of 2/3/4/5 on NewsMTSC dev-mt with the role features (5-fold CV on the training sentences: 3 and 5 equal).
# roles: the target's role in its clause (stance.words.target_role) as features; on NewsMTSC dev-rw +0.01
# macro-F1, on 5-fold cross-validation over the training sentences unchanged; PerSenT dev documents as shipped
# (argmax of the weighted mean probabilities) -0.01 to -0.02, with tuned thresholds +0.02 (both noisy, 301 documents).
# predicates: the predicate of a subject noun phrase past a parenthetical (stance.predicate.predicate_range); fires
# on 1.4 % of the training rows; NewsMTSC dev-rw/dev-mt and 5-fold CV unchanged within noise, PerSenT documents as
# shipped unchanged; makes "TGT's age …, further exacerbated by …, gradually erode their strength" negative.
# A decrease verb without a polar object composed with its subject ("TGT's popularity has eroded" negative, "TGT's
# deficit has shrunk" positive) fires on 2 training rows; dev-rw/dev-mt/5-fold CV unchanged within noise; on 26
# hand-written sentences 22 in the right direction (12 before).
DEFAULT_PARAMS = dict(C=4.0, dense_weight=0.5, window=6, clause=True, speech_acts=True, mask_entities=False,
                      cues=True, cue_scale=1.0, roles=True, predicates=True)


def load_rows(path: Path) -> tuple[list[str], list[list[tuple[int, int]]], np.ndarray, int]:
    texts, spans, labels, skipped = read_stance_rows(path)
    return texts, spans, np.asarray(labels, dtype=int), skipped


def grouped_split(texts: list[str], fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, held-out) with all targets of one sentence on the same side."""
    unique = sorted(set(texts))
    rng = np.random.default_rng(seed)
    held = set(rng.choice(len(unique), size=max(1, int(round(fraction * len(unique)))), replace=False).tolist())
    held_texts = {unique[i] for i in held}
    mask = np.array([t in held_texts for t in texts])
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def _take(seq, idx):
    return [seq[i] for i in idx]


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score
    return float(f1_score(y_true, y_pred, labels=[-1, 0, 1], average="macro", zero_division=0))


def train(data_dir: Path, seed: int = 0, extra: tuple[str, ...] = (), params: dict | None = None,
          calibration_fraction: float = 0.1) -> tuple[StanceClassifier, dict]:
    """Fit the stance model; return it with a provenance/metrics dict (file hashes, label counts, scores)."""
    data_dir = Path(data_dir)
    params = {**DEFAULT_PARAMS, **(params or {})}
    files = [MAIN_FILE] + [EXTRA_FILES[name] for name in extra]
    provenance: dict = {"files": {}, "params": params, "seed": seed}
    texts, spans, labels = [], [], []
    main_rows = 0
    for name in files:
        path = data_dir / "stance" / name
        if not path.exists():
            raise TrainingDataError(f"{path} not found; pass --data pointing at the shared data folder")
        t, s, y, skipped = load_rows(path)
        provenance["files"][name] = {
            "sha256": sha256(path), "rows_used": len(t), "rows_skipped_actor_not_found": skipped,
            "label_counts": {str(k): int(v) for k, v in sorted(Counter(y.tolist()).items())},
            "terms": TERMS.get(name, ""),
        }
        if name == MAIN_FILE:
            main_rows = len(t)
        texts += t
        spans += s
        labels.append(y)
    y_all = np.concatenate(labels)
    provenance["label_counts"] = {str(k): int(v) for k, v in sorted(Counter(y_all.tolist()).items())}

    # calibration split: only from the NewsMTSC part (the extra sets always stay in training)
    fit_idx, cal_idx = grouped_split(texts[:main_rows], calibration_fraction, seed)
    fit_idx = np.concatenate([fit_idx, np.arange(main_rows, len(texts))])
    t0 = time.time()
    model = StanceClassifier(**params).fit(_take(texts, fit_idx), _take(spans, fit_idx), y_all[fit_idx])
    cal_texts, cal_spans, cal_y = _take(texts, cal_idx), _take(spans, cal_idx), y_all[cal_idx]
    val_pred = model.predict(cal_texts, cal_spans)
    temperature = model.calibrate(cal_texts, cal_spans, cal_y)
    provenance["validation"] = {
        "rows": int(len(cal_idx)), "macro_f1": macro_f1(cal_y, val_pred),
        "accuracy": float((val_pred == cal_y).mean()), "temperature": temperature,
    }
    # refit on everything, keep the temperature fitted on held-out rows
    final = StanceClassifier(**params).fit(texts, spans, y_all)
    final.model_.temperature = temperature
    provenance["train_seconds"] = round(time.time() - t0, 1)
    provenance["train_rows"] = int(len(texts))
    return final, provenance


def save(model: StanceClassifier, provenance: dict, out: Path) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    config, arrays = model.get_state()
    config = {**config, "provenance": provenance}
    (out / "stance.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    np.savez_compressed(out / "stance.npz", **arrays)


def load(folder: Path) -> StanceClassifier:
    folder = Path(folder)
    config = json.loads((folder / "stance.json").read_text(encoding="utf-8"))
    with np.load(folder / "stance.npz", allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return StanceClassifier.from_state(config, arrays)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder (default ../shared/data)")
    ap.add_argument("--out", type=Path, required=True, help="output folder for stance.json + stance.npz")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--extra", nargs="*", default=[], choices=sorted(EXTRA_FILES),
                    help="extra sentence-level training sets")
    args = ap.parse_args(argv)
    model, provenance = train(args.data, args.seed, tuple(args.extra))
    save(model, provenance, args.out)
    size = sum(p.stat().st_size for p in args.out.glob("stance.*"))
    print(json.dumps({k: provenance[k] for k in ("validation", "label_counts", "train_rows", "train_seconds")}, indent=1))
    print(f"wrote {args.out}/stance.json + stance.npz ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
