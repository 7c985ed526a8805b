"""Print the genre training corpus statistics and input SHA-256s (the builder is stance.corpus.build_genre_corpus).

    python scripts/genre_corpus.py [--data ../shared/data] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from stance.corpus import build_genre_corpus  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data"


def build_corpus(data_dir: Path = DEFAULT_DATA, seed: int = 0):
    return build_genre_corpus(data_dir, seed)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    _articles, _labels, _groups, prov = build_genre_corpus(args.data, args.seed)
    print(json.dumps({k: v for k, v in prov.items() if k != "files"}, indent=1))
    for f, info in prov["files"].items():
        print(f, info["sha256"])
