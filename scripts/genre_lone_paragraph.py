"""How the genre model labels one paragraph of another genre inside an article (not a test; a measuring aid).

    python scripts/genre_lone_paragraph.py [--data ../shared/data] [--seed 0] [--pages 400]

Trains on train_genre's random-split training part (the shipped parameters), then builds pages from the
held-out articles only: a host article of at least 4 paragraphs with one paragraph of at least 25 words from a
held-out article of another genre put at a random position.  Prints the share of those lone paragraphs that get
their own genre, and the share of the host's paragraphs that keep the host's genre.  Stage 2 learnt from
articles whose paragraphs all carry the article's label and from synthetic pages of 2-10-paragraph blocks, so
it reads a lone paragraph as part of the article around it.
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
from genre_corpus import DEFAULT_DATA  # noqa: E402
from stance.corpus import build_genre_corpus  # noqa: E402
from stance.genre import GenreClassifier  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pages", type=int, default=400)
    args = ap.parse_args()
    articles, labels, groups, _ = build_genre_corpus(args.data, args.seed)
    labels = np.asarray(labels)
    test = train_genre.stratified_split(labels, 0.2, np.random.default_rng(args.seed))
    train_idx, test_idx = np.flatnonzero(~test), np.flatnonzero(test)
    headlines, _ = train_genre.headline_data(args.data, train_genre.MODEL_PARAMS, args.seed)
    model = GenreClassifier(seed=args.seed, **train_genre.MODEL_PARAMS).fit(
        [articles[i] for i in train_idx], labels[train_idx], groups=[groups[i] for i in train_idx],
        headlines=headlines)
    genres = list(model.labels)
    hosts = {g: [i for i in test_idx if labels[i] == g and len(articles[i]) >= 4] for g in genres}
    donors = {g: [p for i in test_idx if labels[i] == g for p in articles[i] if len(p.split()) >= 25] for g in genres}
    rng = np.random.default_rng(args.seed + 1)
    lone_right = {g: [0, 0] for g in genres}
    host_right = host_all = 0
    for _ in range(args.pages):
        host_genre = str(rng.choice(genres))
        lone_genre = str(rng.choice([g for g in genres if g != host_genre]))
        host = articles[int(rng.choice(hosts[host_genre]))]
        lone = donors[lone_genre][int(rng.integers(len(donors[lone_genre])))]
        at = int(rng.integers(1, len(host)))
        pred = [genres[j] for j in model.predict_proba(host[:at] + [lone] + host[at:]).argmax(1)]
        lone_right[lone_genre][0] += pred[at] == lone_genre
        lone_right[lone_genre][1] += 1
        host_right += sum(p == host_genre for j, p in enumerate(pred) if j != at)
        host_all += len(pred) - 1
    report = {
        "pages": args.pages,
        "lone_paragraph_accuracy": round(sum(r for r, _ in lone_right.values()) / args.pages, 3),
        "lone_paragraph_accuracy_by_genre": {g: f"{r}/{n}" for g, (r, n) in lone_right.items()},
        "host_paragraph_accuracy": round(host_right / max(host_all, 1), 3),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
