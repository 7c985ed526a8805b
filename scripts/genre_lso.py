"""Fast genre experiment loop: leave-source-out only (+ optional seeds), no random split, no model save.

    python scripts/genre_lso.py [--params '{"C": 2.0}'] [--corpus '{"class_caps": {"reporting": 600}}'] [--seeds]
    python scripts/genre_lso.py --seeds --params '{"headline_feature": false}'   # without the headline feature

Besides article and paragraph macro-F1 it prints two page-level figures from the held-out articles of each fold:
the share of single-genre articles flagged ``mixed`` (false alarms), and, on ``--mixed-pages`` pages glued from
runs of 3-14 consecutive paragraphs of 2-3 held-out articles of different genres (the shape of seeds/001), the
share of paragraphs that get their own run's genre and the share of pages flagged ``mixed``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
for p in (REPO, REPO / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import train_genre  # noqa: E402
from genre_corpus import DEFAULT_DATA  # noqa: E402
from stance.corpus import build_genre_corpus  # noqa: E402
from stance.genre import GENRES, GenreClassifier, article_genre  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--params", default="{}")
    ap.add_argument("--corpus", default="{}")
    ap.add_argument("--seeds", action="store_true")
    ap.add_argument("--shuffle-headline-labels", action="store_true",
                    help="control for the headline feature: train its model on permuted labels")
    ap.add_argument("--seed", type=int, default=0, help="corpus sample, folds and model seed")
    ap.add_argument("--model-seed", type=int, default=None,
                    help="the model's own seed (out-of-fold folds, synthetic pages) when it should differ from --seed")
    ap.add_argument("--T", type=float, default=1.0)
    ap.add_argument("--mixed-pages", type=int, default=200, help="glued mixed pages scored over all folds")
    ap.add_argument("--score-exclude", default="", help="comma-separated groups left out of the scores")
    args = ap.parse_args()
    params = {**train_genre.MODEL_PARAMS, **json.loads(args.params)}
    model_seed = args.seed if args.model_seed is None else args.model_seed
    t0 = time.time()
    articles, labels, groups, prov = build_genre_corpus(DEFAULT_DATA, args.seed, **json.loads(args.corpus))
    print("corpus", prov["articles_per_genre"], f"{time.time() - t0:.0f}s", flush=True)
    headlines, _ = train_genre.headline_data(DEFAULT_DATA, params, args.seed)
    if headlines is not None and args.shuffle_headline_labels:
        headlines = (headlines[0], list(np.random.default_rng(99).permutation(headlines[1])))
    rng = np.random.default_rng(args.seed)
    # same rng consumption as train_genre.train before the LSO folds
    test = train_genre.stratified_split(labels, 0.2, rng)
    tr_idx = np.flatnonzero(~test)
    train_genre.stratified_split(np.asarray(labels)[tr_idx], 0.15, rng)
    folds = train_genre.group_folds(labels, groups, 4, rng)
    la = np.asarray(labels)
    a_true, a_pred, p_true, p_pred, per_group = [], [], [], [], {}
    false_mixed, mixed_right, mixed_all, mixed_flagged, mixed_pages = 0, 0, 0, 0, 0
    page_rng = np.random.default_rng(args.seed + 7)  # its own stream: the figures above do not depend on it
    for f in range(4):
        tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        mf = GenreClassifier(seed=model_seed, **params).fit([articles[i] for i in tr], la[tr],
                                                           groups=[groups[i] for i in tr], headlines=headlines)
        mf.temperature = args.T
        labs = list(mf.labels)
        for i in te:
            if groups[i] in args.score_exclude.split(","):
                continue
            pr = mf.predict_proba(articles[i])
            lab, _, mixed, _ = article_genre(pr, [len(p) for p in articles[i]], labs)
            false_mixed += mixed
            a_true.append(labels[i]); a_pred.append(lab)
            pp = [labs[j] for j in pr.argmax(1)]
            p_true += [labels[i]] * len(pp); p_pred += pp
            d = per_group.setdefault(groups[i].split(":")[0] if groups[i].startswith("golbeck") else groups[i], [0, 0])
            d[0] += lab == labels[i]; d[1] += 1
        by_genre = {g: [i for i in te if labels[i] == g and len(articles[i]) >= 3] for g in labs}
        present = [g for g in labs if by_genre[g]]
        for _ in range(args.mixed_pages // 4 if len(present) >= 2 else 0):
            page, gold = [], []
            for g in page_rng.choice(present, size=min(len(present), int(page_rng.integers(2, 4))), replace=False):
                a = articles[int(page_rng.choice(by_genre[g]))]
                size = min(len(a), int(page_rng.integers(3, 15)))
                start = int(page_rng.integers(0, len(a) - size + 1))
                page += a[start:start + size]
                gold += [g] * size
            pr = mf.predict_proba(page)
            mixed_right += sum(labs[j] == g for j, g in zip(pr.argmax(1), gold))
            mixed_all += len(gold)
            mixed_flagged += article_genre(pr, [len(p) for p in page], labs)[2]
            mixed_pages += 1
        print(f"fold {f} {time.time() - t0:.0f}s", flush=True)
    A = train_genre.prf(a_true, a_pred, list(GENRES))
    P = train_genre.prf(p_true, p_pred, list(GENRES))
    f1 = lambda r: " ".join(f"{g[:3]} {r['per_class'][g]['f1']:.3f}" for g in GENRES) if "per_class" in r else ""
    print(f"LSO article macro-F1 {A['macro_f1']:.3f} | {f1(A)}")
    print(f"LSO paragraph macro-F1 {P['macro_f1']:.3f} | {f1(P)}")
    print("confusion", A["confusion"]["matrix"])
    print(f"single-genre articles flagged mixed {false_mixed / max(len(a_true), 1):.3f} | glued mixed pages: "
          f"paragraphs right {mixed_right / max(mixed_all, 1):.3f}, pages flagged mixed "
          f"{mixed_flagged / max(mixed_pages, 1):.3f} ({mixed_pages} pages)")
    print({g: f"{v[0]}/{v[1]}" for g, v in sorted(per_group.items()) if v[0] < v[1]})
    if args.seeds:
        m = GenreClassifier(seed=model_seed, **params).fit(articles, labels, groups=groups, headlines=headlines)
        s = train_genre.seed_eval(m)
        print(f"seeds paragraph acc {s['paragraph_accuracy']:.3f} articles {s['articles_correct']}/{s['articles']}")
        own = train_genre.genre_texts_eval(m)
        print(f"own texts (tests/fixtures/genre_texts) articles {own['articles_correct']}/{own['articles']}",
              {k: v["pred_article"] for k, v in own["per_text"].items() if not k.startswith(v["pred_article"])})
        for name, r in s["per_seed"].items():
            print(" ", name, r["gold_article"], r["pred_article"], r["mixed"], r["paragraph_accuracy"],
                  [(e.get("gold"), e.get("pred")) for e in r["errors"]])
    print(f"total {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
