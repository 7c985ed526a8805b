"""Build the acceptance folder for batch scoring: N pages (default 20,000) of which 1% are broken.

    python scripts/make_broken_corpus.py /tmp/stance-20k            # 20,000 files, 200 broken
    python scripts/make_broken_corpus.py /tmp/small --files 2000 --broken-rate 0.01

Pages are varied slices of the repository seeds (a run of paragraphs, sometimes two seeds joined), written
as .txt (about 80%), .html (15%, with scripts, styles and navigation chrome) and .md (5%); a few good pages
are UTF-16 (with BOM), UTF-8 with BOM, or cp1252 (read with a reported fallback, still scored).

The broken files (``--broken-rate`` of all files, split evenly and spread through the folders) are:

* ``binary``: random bytes with NULs (a scraped image saved as .txt);
* ``empty``: zero bytes;
* ``encoding``: bytes that are neither UTF-8 nor cp1252 (0x81, 0x8d, 0x8f, 0x90, 0x9d);
* ``too_large``: a real text page over 5 MB (the default ``--max-bytes``).

``manifest.json`` next to the folder (``DIR.manifest.json``) lists every broken file's path and expected
error type, so an acceptance run can be checked against it.
"""

from __future__ import annotations

import argparse
import codecs
import json
import random
import sys
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("binary", "empty", "encoding", "too_large")
OVERSIZE = 5_200_000


def seed_paragraphs() -> list[list[str]]:
    return [[line.strip() for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
            for p in sorted((ROOT / "seeds").glob("*.txt"))]


def page_text(rng: random.Random, seeds: list[list[str]]) -> list[str]:
    paragraphs = seeds[rng.randrange(len(seeds))]
    start = rng.randrange(max(1, len(paragraphs) - 2))
    chosen = paragraphs[start:start + rng.randint(2, 12)]
    if rng.random() < 0.2:  # two seeds joined: a mixed page
        other = seeds[rng.randrange(len(seeds))]
        chosen = chosen + other[: rng.randint(1, 5)]
    if not any(len(p) > 250 for p in chosen):  # every good page has article text, not only chrome
        chosen.append(rng.choice([p for p in paragraphs if len(p) > 250]))
    return chosen


def html_page(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{escape(p)}</p>\n" for p in paragraphs)
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>News</title>"
            "<style>body{font-family:sans-serif}</style><script>var ads=[1,2,3];</script></head><body>"
            "<nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/world\">World</a></li></ul></nav>"
            f"<article><h1>{escape(paragraphs[0][:90])}</h1>\n{body}</article>"
            "<footer><p>&copy; 2024 Example News</p></footer></body></html>")


def broken_bytes(kind: str, rng: random.Random, seeds: list[list[str]]) -> bytes:
    if kind == "binary":
        return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(rng.randint(200, 4000))
    if kind == "empty":
        return b""
    if kind == "encoding":
        text = " ".join(page_text(rng, seeds)).encode("utf-8")
        return text[:200] + b" \x81\x8d\x8f\x90\x9d " + text[200:]
    one = ("\n\n".join(sum(seeds, []))).encode("utf-8")
    return one * (OVERSIZE // len(one) + 1)


def build(folder: Path, files: int, broken_rate: float, seed: int = 0) -> dict:
    rng = random.Random(seed)
    seeds = seed_paragraphs()
    folder.mkdir(parents=True, exist_ok=True)
    n_broken = round(files * broken_rate)
    broken_at = sorted(rng.sample(range(files), n_broken))
    kinds = {i: KINDS[k % len(KINDS)] for k, i in enumerate(broken_at)}
    manifest: dict = {"files": files, "broken": {}, "cp1252": [], "formats": {}}
    for i in range(files):
        sub = folder / f"site{i % 20:02d}" / f"day{(i // 20) % 50:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        if i in kinds:
            path = sub / f"page{i:05d}.txt"
            path.write_bytes(broken_bytes(kinds[i], rng, seeds))
            manifest["broken"][path.relative_to(folder).as_posix()] = kinds[i]
            continue
        paragraphs = page_text(rng, seeds)
        roll = rng.random()
        if roll < 0.15:
            path, data = sub / f"page{i:05d}.html", html_page(paragraphs).encode("utf-8")
        else:
            path = sub / f"page{i:05d}.{'md' if roll < 0.2 else 'txt'}"
            text = "\n\n".join(paragraphs) + "\n"
            flavour = rng.random()
            if flavour < 0.01:
                data = text.encode("utf-16")
            elif flavour < 0.02:
                data = codecs.BOM_UTF8 + text.encode("utf-8")
            elif flavour < 0.025:
                data = text.encode("cp1252", errors="replace")
                if data != text.encode("utf-8"):  # only pages that really differ count as cp1252
                    manifest["cp1252"].append(path.relative_to(folder).as_posix())
            else:
                data = text.encode("utf-8")
        path.write_bytes(data)
        manifest["formats"][path.suffix] = manifest["formats"].get(path.suffix, 0) + 1
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="where to build the corpus (created; existing files are overwritten)")
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--broken-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    manifest = build(folder, args.files, args.broken_rate, args.seed)
    manifest_path = folder.parent / f"{folder.name}.manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for kind in manifest["broken"].values():
        counts[kind] = counts.get(kind, 0) + 1
    print(f"{folder}: {args.files} files, {len(manifest['broken'])} broken ({counts}), "
          f"{len(manifest['cp1252'])} cp1252 pages; manifest {manifest_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
