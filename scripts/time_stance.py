"""Time the stance stage (featurisation, cue lexicon, linear model, combine) on many sentence/target pairs.

    python scripts/time_stance.py [--model models/stance-default] [--n 5000] [--profile]

Uses the NewsMTSC train sentences (read by path from ../shared/data) as sentence/target pairs; reports the
best of three runs per part (CPU time of this process, so other load on the machine counts less), in mentions per second.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import stance  # noqa: E402
from stance import scoring, targets as T  # noqa: E402
from stance.corpus import read_stance_rows  # noqa: E402


def best(fn, repeats=3):
    out = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        out = min(out, time.process_time() - t0)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "stance-default")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    model = stance.load_model(args.model).stance
    texts, spans, _, _ = read_stance_rows(args.data / "stance" / "newsmtsc_train.jsonl")
    texts, spans = texts[:args.n], spans[:args.n]
    n = len(texts)
    probs = model.predict_proba(texts, spans)
    groups = [probs[i:i + 3] for i in range(0, n - 2, 3)]
    index_groups = [list(range(i, i + 3)) for i in range(0, n - 2, 3)]
    parts = {
        "featurize": lambda: T.featurize(texts, spans, model.window, model.clause, model.mask_entities,
                                         model.speech_acts),
        "cue_offsets": lambda: T.cue_offsets(texts, spans, model.cues_),
        "features+cues (model path)": lambda: T._featurize_batch(
            texts, spans, model.window, model.clause, model.mask_entities, model.speech_acts, model.cues_,
            roles=model.roles),
        "predict_proba (all)": lambda: model.predict_proba(texts, spans),
        "combine (n/3 groups of 3)": lambda: [scoring.combine(g) for g in groups],
        "combine_many (same groups)": lambda: scoring.combine_many(probs, index_groups),
    }
    if args.profile:
        import cProfile, pstats
        cProfile.runctx("model.predict_proba(texts, spans)", globals(), locals(), "/tmp/stance.prof")
        pstats.Stats("/tmp/stance.prof").sort_stats("cumulative").print_stats(25)
    for name, fn in parts.items():
        s = best(fn)
        print(f"{name:<28} {s:7.3f} s  {n / s:9.0f} mentions/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
