"""The actors two checkouts find in the same files (not a test; a measuring aid for gazetteer and name-finder changes).

    python scripts/actors_diff.py OLD_REPO FILE_OR_FOLDER [...] [--new-repo PATH]

``OLD_REPO`` is another checkout's root (e.g. ``git archive COMMIT stance | tar -x -C /tmp/old``); the new side is
this checkout unless ``--new-repo`` names another. Each side runs in its own process (two versions of the package
cannot share one), finds the (actor, kind) pairs of every file with ``Gazetteer.default().find`` over the file's
text, and the pairs that only one side finds are counted over the files.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

_FIND = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from stance import batch
from stance.actors import Gazetteer
g = Gazetteer.default()
out = {}
for name in sys.argv[2:]:
    text = batch.read_document(Path(name))[0]
    out[name] = sorted({(m.actor, m.kind) for m in g.find(text)})
print(json.dumps(out))
"""


def files_of(paths: list[str]) -> list[str]:
    out: list[str] = []
    for p in map(Path, paths):
        out += sorted(str(f) for f in p.rglob("*") if f.is_file()) if p.is_dir() else [str(p)]
    return out


def actors_by_file(repo: str, files: list[str]) -> dict[str, set[tuple[str, str]]]:
    done = subprocess.run([sys.executable, "-c", _FIND, repo, *files], capture_output=True, text=True, check=True)
    return {name: {tuple(pair) for pair in pairs} for name, pairs in json.loads(done.stdout).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old_repo")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--new-repo", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    files = files_of(args.paths)
    old, new = actors_by_file(args.old_repo, files), actors_by_file(args.new_repo, files)
    gone, found = Counter(), Counter()
    for name in files:
        gone.update(old[name] - new[name])
        found.update(new[name] - old[name])
    print(f"{len(files)} files")
    print(f"only the old checkout finds ({sum(gone.values())} file-actor pairs):",
          ", ".join(f"{a} ({k}) x{n}" for (a, k), n in gone.most_common()) or "none")
    print(f"only the new checkout finds ({sum(found.values())} file-actor pairs):",
          ", ".join(f"{a} ({k}) x{n}" for (a, k), n in found.most_common()) or "none")


if __name__ == "__main__":
    main()
