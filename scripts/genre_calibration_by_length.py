"""Genre calibration by paragraph length on the random split of scripts/train_genre.py (no model saved).

    python scripts/genre_calibration_by_length.py [--params '{"rate_prior": 10}'] [--seed 0] [--json OUT]

Fits on the same 80 % split as train_genre.train, fits the temperature the same way (cross-fitted over the
training part), and reports ECE / Brier / max-probability on the held-out paragraphs bucketed by word count
(≤8, 9–25, 26–60, >60), (a) in their articles and (b) each paragraph alone as a one-paragraph "article".
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
for p in (REPO, REPO / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import train_genre  # noqa: E402
from genre_corpus import DEFAULT_DATA, build_corpus  # noqa: E402
from stance.genre import GenreClassifier  # noqa: E402
from stance.linear import softmax  # noqa: E402

BUCKETS = ((0, 8, "<=8"), (9, 25, "9-25"), (26, 60, "26-60"), (61, 10**9, ">60"))


def table(probs, y, nwords):
    out = {}
    for lo, hi, name in BUCKETS + ((0, 10**9, "all"),):
        m = (nwords >= lo) & (nwords <= hi)
        if m.any():
            r = train_genre.ece_brier(probs[m], y[m])
            out[name] = {"n": int(m.sum()), **r, "acc": round(float((probs[m].argmax(1) == y[m]).mean()), 4),
                         "mean_max_p": round(float(probs[m].max(1).mean()), 4)}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--params", default="{}")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    params = {**train_genre.MODEL_PARAMS, **json.loads(args.params)}
    seed = args.seed
    rng = np.random.default_rng(seed)
    articles, labels, groups, _ = build_corpus(DEFAULT_DATA, seed=seed)
    headlines, _ = train_genre.headline_data(DEFAULT_DATA, params, seed)
    la = np.asarray(labels)
    test = train_genre.stratified_split(labels, 0.2, rng)
    fit_idx = np.flatnonzero(~test)
    m = GenreClassifier(seed=seed, **params).fit([articles[i] for i in fit_idx], la[fit_idx],
                                                 groups=[groups[i] for i in fit_idx], headlines=headlines)
    T = train_genre.cross_fitted_temperature(articles, la, groups, fit_idx, headlines, seed, rng, params)
    labs = list(m.labels)
    te = np.flatnonzero(test)
    paras = [p for i in te for p in articles[i]]
    y = np.array([labs.index(labels[i]) for i in te for _ in articles[i]])
    nwords = np.array([len(p.split()) for p in paras])
    in_ctx = np.vstack([softmax(m.decision_function(articles[i]) / T) for i in te])
    alone = np.vstack(m.predict_proba_articles([[p] for p in paras]))
    res = {"params": params, "seed": seed, "temperature": round(T, 4),
           "in_article": table(in_ctx, y, nwords), "one_paragraph": table(alone, y, nwords)}
    for view in ("in_article", "one_paragraph"):
        print(view, f"T={T:.3f}")
        for b, r in res[view].items():
            print(f"  {b:>6} n={r['n']:5d} acc {r['acc']:.3f} ECE {r['ece']:.4f} Brier {r['brier']:.4f} "
                  f"NLL {r['nll']:.3f} mean max p {r['mean_max_p']:.3f}")
    qa = ["Ukraine condemned Russia's brutal attack.", "Italy criticised Spain.", "!!!", "Russia"]
    res["qa_examples"] = {}
    for t in qa:
        p1, p2 = m.predict_proba_stage1([t])[0], m.predict_proba([t])[0]
        res["qa_examples"][t] = {"stage1": dict(zip(labs, np.round(p1, 3).tolist())),
                                 "final": dict(zip(labs, np.round(p2, 3).tolist()))}
        print(f"  {t!r}: stage 1 {np.round(p1, 3).tolist()} final {np.round(p2, 3).tolist()}")
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
