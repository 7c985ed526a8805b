"""The ``stance`` command: thin argument parsing over the library. Data on stdout, progress and errors on stderr.

Exit status: 0 everything scored, 1 some inputs failed, 2 usage error (bad arguments, unusable model).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import ModelError, StanceError

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance", description="Genre and actor stance for news text (offline, on the CPU).")
    parser.add_argument("--version", action="version", version=f"stance {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    model_help = "model folder (default: the model shipped with stance)"
    p = sub.add_parser("classify", help="classify one file (or - for stdin) and print a summary or JSON")
    p.add_argument("file", help="a UTF-8 text file, or - to read standard input")
    p.add_argument("--json", action="store_true", help="print the full JSON result instead of a summary")
    p.add_argument("--actors", metavar="JSON", help='a JSON file of your own actors: {"Name": ["alias", ...]}')
    p.add_argument("--model", metavar="DIR", help=model_help)

    p = sub.add_parser("score", help="score every *.txt / *.md file under a folder into JSON lines")
    p.add_argument("folder", help="folder to walk recursively")
    p.add_argument("-o", "--output", default="-", help="output JSONL file, or - for stdout (default)")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (-1 = all cores; default 1)")
    p.add_argument("--batch-size", type=int, default=16, help="articles per worker task (default 16)")
    p.add_argument("--max-bytes", type=int, default=5_000_000, help="files larger than this are recorded as errors")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--model", metavar="DIR", help=model_help)

    p = sub.add_parser("info", help="print a model's metadata and model card")
    p.add_argument("model", nargs="?", help=model_help)
    return parser


def _load(path: str | None):
    from .model import load_model

    return load_model(path)


def _summary(result, source: str) -> str:
    lines = [f"{source}: {result.genre}" + (" (mixed: " + ", ".join(
        f"{g} {share:.0%}" for g, share in sorted(result.genre_mix.items(), key=lambda kv: -kv[1]) if share > 0) + ")"
        if result.mixed else "")]
    boiler = sum(p.boilerplate for p in result.paragraphs)
    lines.append(f"  paragraphs: {len(result.paragraphs)} ({boiler} boilerplate)")
    scores = ", ".join(f"{g} {p:.2f}" for g, p in result.genre_scores.items())
    lines.append(f"  genre scores: {scores}")
    if result.actors:
        lines.append("  actors (score, label, confidence, mentions):")
        for a in result.actors:
            lines.append(f"    {a.name:<28} {a.kind:<12} {a.score:+.2f} {a.label:<8} conf {a.confidence:.2f}  x{a.mentions}")
    else:
        lines.append("  actors: none found")
    return "\n".join(lines)


def _classify(args) -> int:
    if args.file == "-":
        text, source = sys.stdin.read(), "<stdin>"
    else:
        from .batch import UnreadableFile, read_text

        try:
            text, source = read_text(Path(args.file)), args.file
        except UnreadableFile as exc:
            print(f"stance: {args.file}: {exc}", file=sys.stderr)
            return EXIT_SOME_FAILED
    actors = None
    if args.actors:
        try:
            actors = json.loads(Path(args.actors).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"stance: cannot read --actors {args.actors}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    model = _load(args.model)
    try:
        result = model.classify(text, actors=actors, id=None if args.file == "-" else args.file)
    except StanceError as exc:
        print(f"stance: {source}: {exc}", file=sys.stderr)
        return EXIT_SOME_FAILED
    print(result.to_json(indent=2) if args.json else _summary(result, source))
    return EXIT_OK


def _score(args) -> int:
    from .batch import score_folder

    root = Path(args.folder)
    if not root.is_dir():
        print(f"stance: {root} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs == 0 or args.batch_size < 1:
        print("stance: --jobs must be a positive number or -1, and --batch-size at least 1", file=sys.stderr)
        return EXIT_USAGE
    model = _load(args.model)
    progress = None if args.quiet else sys.stderr
    if args.output == "-":
        summary = score_folder(model, root, sys.stdout, n_jobs=args.jobs, batch_size=args.batch_size,
                               max_bytes=args.max_bytes, progress=progress)
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            summary = score_folder(model, root, out, n_jobs=args.jobs, batch_size=args.batch_size,
                                   max_bytes=args.max_bytes, progress=progress)
    print(f"stance: {summary.scored} scored, {summary.failed} failed, {summary.total} files", file=sys.stderr)
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def _info(args) -> int:
    model = _load(args.model)
    print(json.dumps(model.meta, indent=2, ensure_ascii=False))
    card = model.path / "MODEL_CARD.md" if model.path else None
    if card is not None and card.is_file():
        print()
        print(card.read_text(encoding="utf-8"))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return {"classify": _classify, "score": _score, "info": _info}[args.command](args)
    except ModelError as exc:
        print(f"stance: model error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `stance score DIR | head`
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
