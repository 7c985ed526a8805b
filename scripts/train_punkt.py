#!/usr/bin/env python
"""Train nltk's Punkt sentence-boundary parameters on raw news text and save them as plain JSON.

Reads the ``text`` field of ``<data>/genre/*.jsonl`` and ``<data>/stance/*.jsonl`` (headline-only rows
are skipped, duplicate texts are read once, very large files are capped), trains
``nltk.tokenize.punkt.PunktTrainer`` and writes ``stance/data/punkt.json``:

    {"abbrev_types": [...], "collocations": [[a, b], ...], "sent_starters": [...],
     "ortho_context": {type: flags, ...}, "meta": {...}}

Only learned statistics (word types and flags) are saved, never the training text itself.  The
orthographic context is pruned to frequent word types to keep the file small; a type missing from it
simply counts as "unknown" for Punkt's orthographic heuristic.

Usage: python scripts/train_punkt.py [--data ../shared/data] [--out stance/data/punkt.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Abbreviations that must never end a sentence in news text, added to whatever Punkt learns (lower-case,
# without the final period, as Punkt stores them).
CURATED_ABBREVIATIONS = """
mr mrs ms dr prof sen rep gov lt col gen maj capt sgt cpl pvt adm cmdr gen rev fr sr jr st mt ft hon pres
supt insp det atty amb sens reps messrs mmes
jan feb mar apr jun jul aug sep sept oct nov dec
mon tue tues wed thu thur thurs fri sat sun
u.s u.k u.n u.s.a e.u d.c l.a n.y u.a.e u.s.s.r
brig mex inc corp co ltd llc plc bros dept univ assn est approx vs etc al cf
no nos vol vols pp fig figs ed eds op cit ibid
ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss mo mont neb nebr nev
okla ore pa tenn tex va vt wash wis wyo
a.m p.m i.e e.g
""".split()

TITLES = "mr mrs ms dr prof sen rep gov gen lt col capt sgt st rev".split()

# Learned "abbreviations" that are really sentence-final words in the training text (speaker tags in
# transcripts, etc.) and would suppress real boundaries in news.
REJECT_ABBREVIATIONS = {"q", "a"}

_DOTTED = re.compile(r"[a-z]+(?:[.\-][a-z]+)+")
_SHORT = re.compile(r"[a-z]{1,4}")
_SHORT_WORD = re.compile(r"[a-z]+")
_COLLOC_WORD = re.compile(r"[a-z][a-z'\-]*")
_WORDS = re.compile(r"[A-Za-z]+")


def _case_counts(texts: list[str], words: set[str]) -> tuple[Counter, Counter]:
    """How often each word occurs in lower case and capitalised (any position) in the corpus."""
    lower: Counter = Counter()
    upper: Counter = Counter()
    for text in texts:
        for tok in _WORDS.findall(text):
            low = tok.lower()
            if low in words:
                (lower if tok[0].islower() else upper)[low] += 1
    return lower, upper


# Titles that follow abbreviations in news ("U.S. President", "Gov. Senator-elect") but start speaker
# turns in transcripts.
REJECT_STARTERS = set(
    "president senator governor secretary minister chairman reporter congressman congresswoman mayor "
    "ambassador general judge justice speaker leader prime chancellor director professor dr mr mrs ms "
    "image file photo advertisement click https update daily".split()
)

# Function words that start sentences after an abbreviation ("... in the U.S. The next day ..."); added
# to the learned starters.  Only consulted after abbreviations, never after initials.
CURATED_STARTERS = set(
    "the in but and it he she they we this that these those there on at for after when while if as "
    "however some many his her their its our yet so still meanwhile".split()
)

MAX_CHARS_PER_FILE = 3_000_000  # the transcripts are large; a few MB of each source is plenty
MIN_ORTHO_FREQ = 4  # keep orthographic flags only for word types seen this often
MAX_ORTHO_TYPES = 40_000


def read_texts(data: Path, rng: random.Random) -> tuple[list[str], dict]:
    files = sorted((data / "genre").glob("*.jsonl")) + sorted((data / "stance").glob("*.jsonl"))
    if not files:
        sys.exit(f"no *.jsonl under {data}/genre or {data}/stance")
    seen: set[str] = set()
    texts: list[str] = []
    meta: dict[str, dict] = {}
    for path in files:
        rows = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                if row.get("granularity") == "headline":
                    continue
                text = (row.get("text") or "").strip()
                digest = hashlib.sha1(text.encode("utf-8")).digest()
                if not text or digest in seen:
                    continue
                seen.add(digest)
                rows.append(text)
        rng.shuffle(rows)
        used, chars = 0, 0
        for text in rows:
            if chars >= MAX_CHARS_PER_FILE:
                break
            texts.append(text)
            chars += len(text)
            used += 1
        meta[path.name] = {"rows": used, "chars": chars,
                           "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        print(f"{path.name}: {used} texts, {chars:,} chars", file=sys.stderr)
    return texts, meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "stance" / "data" / "punkt.json")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    from nltk.tokenize.punkt import PunktTrainer

    texts, meta = read_texts(args.data, random.Random(args.seed))
    trainer = PunktTrainer()
    # Train in chunks: one call per document would re-run the expensive finalisation statistics.
    chunk: list[str] = []
    size = 0
    for text in texts:
        chunk.append(text)
        size += len(text)
        if size > 1_000_000:
            trainer.train("\n\n".join(chunk), finalize=False)
            chunk, size = [], 0
    if chunk:
        trainer.train("\n\n".join(chunk), finalize=False)
    trainer.finalize_training()
    params = trainer.get_params()

    type_freq = trainer._type_fdist  # noqa: SLF001 - Punkt keeps its type counts here
    abbrevs, dropped = set(CURATED_ABBREVIATIONS), []
    # Punkt keeps an opening curly quote on the token ("“Mr."), so titles need quoted variants too.
    abbrevs |= {q + t for t in TITLES for q in "“‘"}
    for typ in params.abbrev_types:
        if typ in abbrevs:
            continue
        # Keep dotted/hyphenated letter groups (F.B.I., D-Ill.) and short, repeatedly seen forms (Brig.);
        # drop rare words and names that merely happened to end sentences in the training text.
        if typ not in REJECT_ABBREVIATIONS and (
            _DOTTED.fullmatch(typ) or (_SHORT.fullmatch(typ) and type_freq[typ + "."] >= 3)
        ):
            abbrevs.add(typ)
        else:
            dropped.append(typ)
    print(f"dropped learned abbreviations: {sorted(dropped)}", file=sys.stderr)

    # Sentence starters must be ordinary words: names and titles learned from transcript speaker tags
    # ("Biden.", "The President.") would split "Sen. Cruz" or "U.S. President Biden".
    lower, upper = _case_counts(texts, params.sent_starters)
    starters = {
        w for w in params.sent_starters
        if _SHORT_WORD.fullmatch(w) and w not in REJECT_STARTERS and 2 * lower[w] >= upper[w]
    }
    starters |= CURATED_STARTERS
    print(f"dropped sentence starters: {sorted(params.sent_starters - starters)}", file=sys.stderr)
    collocations = sorted([a, b] for a, b in params.collocations if _COLLOC_WORD.fullmatch(b))
    frequent = sorted(
        (t for t, flags in params.ortho_context.items() if flags and type_freq[t] >= MIN_ORTHO_FREQ),
        key=lambda t: (-type_freq[t], t),
    )[:MAX_ORTHO_TYPES]
    # Abbreviation handling needs the flags of the words that *follow* abbreviations, which are
    # typically frequent words anyway; sorted keys keep the file diff-friendly.
    ortho = {t: params.ortho_context[t] for t in sorted(frequent)}
    out = {
        "format": "stance-punkt-1",
        "abbrev_types": sorted(abbrevs),
        "collocations": collocations,
        "sent_starters": sorted(starters),
        "ortho_context": ortho,
        "meta": {
            "trainer": "nltk.tokenize.punkt.PunktTrainer (defaults)",
            "curated_abbreviations": len(CURATED_ABBREVIATIONS),
            "ortho_context_min_freq": MIN_ORTHO_FREQ,
            "sources": meta,
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n",
                        encoding="utf-8")
    print(f"wrote {args.out}: {len(abbrevs)} abbreviations, {len(collocations)} collocations, "
          f"{len(starters)} sentence starters, {len(ortho)} ortho types, "
          f"{args.out.stat().st_size:,} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
