"""The ``stance`` command: thin argument parsing over the library. Data on stdout, progress and errors on stderr.

Exit status: 0 everything scored, 1 some inputs failed, 2 usage error (bad arguments, unusable model).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import ModelError, StanceError, TrainingDataError

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance", description="Genre and actor stance for news text (offline, on the CPU).")
    parser.add_argument("--version", action="version", version=f"stance {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    model_help = "model folder (default: the model shipped with stance)"
    p = sub.add_parser("classify", help="classify one file (or - for stdin) and print a summary or JSON")
    p.add_argument("file", help="a text file (UTF-8, UTF-16 with a BOM, else read as cp1252), or - for standard input")
    p.add_argument("--json", action="store_true", help="print the full JSON result instead of a summary")
    p.add_argument("--html", action="store_true",
                   help="the input is an HTML page: classify its visible text (automatic for .html/.htm files)")
    _actor_options(p)
    p.add_argument("--max-bytes", type=int, default=5_000_000,
                   help="refuse input larger than this many bytes (default 5000000)")
    p.add_argument("--model", metavar="DIR", help=model_help)

    p = sub.add_parser(
        "score", help="score every article under a folder (.txt .md .html .htm .jsonl) into JSON lines or CSV",
        description="Score every .txt, .md, .html/.htm file and every line of every .jsonl file under FOLDER, "
                    "recursively, in a stable order. Files that cannot be read become error records and the run "
                    "goes on. Exit status: 0 all scored, 1 some failed, 2 usage error.")
    p.add_argument("folder", help="folder to walk recursively")
    p.add_argument("-o", "--output", default="-", help="output file, or - for stdout (default)")
    p.add_argument("-f", "--format", choices=("jsonl", "csv"), default="jsonl",
                   help="jsonl: one JSON result per article (default); csv: one row per article x actor")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (-1 = all cores; default 1)")
    p.add_argument("--batch-size", type=int, default=16, help="articles per worker task (default 16)")
    p.add_argument("--max-bytes", type=int, default=5_000_000,
                   help="files (jsonl: lines) larger than this are recorded as errors (default 5000000)")
    p.add_argument("--glob", action="append", metavar="PATTERN",
                   help="only paths (relative to FOLDER) matching PATTERN, e.g. '*.html' or '2024/**'; repeatable")
    p.add_argument("--resume", action="store_true",
                   help="keep what --output already holds (repairing a line cut off by a kill) and score only the rest")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress, warnings or per-file errors on stderr; the summary line only if some input failed")
    p.add_argument("--progress-every", type=int, default=1000, metavar="N",
                   help="when stderr is not a terminal, print a progress line every N files (default 1000)")
    p.add_argument("--backend", choices=("loky", "dask"), default="loky",
                   help="where workers run: loky (local processes, default) or dask (a Dask cluster; stance[dask])")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address for --backend dask, e.g. tcp://10.0.0.5:8786 (default: a local cluster)")
    _actor_options(p)
    p.add_argument("--model", metavar="DIR", help=model_help)

    p = sub.add_parser("train", help="train a model on your own labelled files or folders")
    p.add_argument("data", nargs="+", help="JSONL/JSON/CSV/TSV files, or folders (FOLDER/GENRE/*.txt)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="model folder to write")
    p.add_argument("--include-default-data", metavar="PATH",
                   help="also train on the default corpus in PATH (the shared data folder with genre/ and stance/)")
    p.add_argument("--base", metavar="DIR", help="model whose parts are kept where your data has none (default: shipped)")
    p.add_argument("--seed", type=int, default=0, help="random seed (same data + seed → identical model)")
    p.add_argument("--min-examples", type=int, default=5, help="fewest examples a label may have (default 5)")
    p.add_argument("--name", default="stance-custom", help="model name recorded in meta.json")
    p.add_argument("--model-version", default="1", help="model version recorded in meta.json")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")

    p = sub.add_parser("evaluate", help="precision/recall/F1, confusion matrix and calibration on labelled data")
    p.add_argument("data", nargs="+", help="labelled files or folders, as for train")
    p.add_argument("--model", metavar="DIR", help=model_help)
    p.add_argument("-o", "--output", metavar="REPORT.json", help="also write the report as JSON")

    p = sub.add_parser("info", help="print a model's metadata as JSON (--card: its model card instead)")
    p.add_argument("model", nargs="?", help=model_help)
    p.add_argument("--card", action="store_true", help="print the model card (markdown) instead of the metadata")
    return parser


def _actor_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--actors", metavar="JSON",
                   help='a JSON file of your own actors, {"Name": ["alias", ...]}; they extend the default ones')
    p.add_argument("--replace-actors", action="store_true",
                   help="find only the actors of --actors (no default gazetteer, no guessed personal names)")


def _read_actors(args):
    """The --actors file as an ActorList (None without one); raises _UsageError saying what is wrong."""
    from .actors import actor_list
    from .errors import InvalidInputError

    if not args.actors:
        if args.replace_actors:
            raise _UsageError("--replace-actors needs --actors FILE, the actors to find instead of the default ones")
        return None
    try:
        actors = json.loads(Path(args.actors).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _UsageError(f"cannot read --actors {args.actors}: {exc}") from exc
    try:
        return actor_list(actors, args.replace_actors)
    except (InvalidInputError, TypeError) as exc:
        raise _UsageError(f"--actors {args.actors}: {exc}") from exc


class _UsageError(Exception):
    """Bad arguments: printed as ``stance: MESSAGE`` with exit status 2."""


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
    from .batch import JSONL_SUFFIXES, UnreadableFile, read_document, read_stream

    if args.max_bytes < 1:
        raise _UsageError("--max-bytes must be at least 1")
    actors = _read_actors(args)
    if args.file != "-" and not Path(args.file).exists():
        raise _UsageError(f"{args.file}: no such file")
    if args.file != "-" and Path(args.file).is_dir():
        raise _UsageError(f"{args.file} is a folder; score the files in it with `stance score {args.file}`")
    if args.file.lower().endswith(JSONL_SUFFIXES):
        raise _UsageError(f"{args.file} holds many articles (JSON lines); score it with "
                          f"`stance score {Path(args.file).parent} --glob {Path(args.file).name}`")
    source = "<stdin>" if args.file == "-" else args.file
    try:  # the same decoding as `stance score`, for a file or a pipe
        if args.file == "-":
            text, fallback = read_stream(sys.stdin.buffer, args.max_bytes, html=args.html)
        else:  # a file's suffix says whether it is HTML unless --html says so
            text, fallback = read_document(Path(args.file), args.max_bytes, html=args.html or None)
    except UnreadableFile as exc:
        print(f"stance: {source}: {exc}", file=sys.stderr)
        return EXIT_SOME_FAILED
    if fallback:
        print(f"stance: warning: {source}: not UTF-8, read as {fallback}", file=sys.stderr)
    model = _load(args.model)
    try:
        result = model.classify(text, actors=actors, id=None if args.file == "-" else args.file)
    except StanceError as exc:
        print(f"stance: {source}: {exc}", file=sys.stderr)
        return EXIT_SOME_FAILED
    print(result.to_json(indent=2) if args.json else _summary(result, source))
    return EXIT_OK


def _score(args) -> int:
    from . import batch

    root = Path(args.folder)
    if not root.is_dir():
        print(f"stance: {root} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    actors = _read_actors(args)
    problems = []
    if args.jobs == 0 or args.jobs < -1:
        problems.append("--jobs must be a positive number or -1 (all cores)")
    if args.batch_size < 1:
        problems.append("--batch-size must be at least 1")
    if args.max_bytes < 1:
        problems.append("--max-bytes must be at least 1")
    if args.progress_every < 1:
        problems.append("--progress-every must be at least 1")
    if args.resume and args.output == "-":
        problems.append("--resume needs -o FILE: there is nothing to resume on stdout")
    if args.scheduler and args.backend != "dask":
        problems.append("--scheduler goes with --backend dask")
    if problems:
        for problem in problems:
            print(f"stance: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.backend == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            print("stance: --backend dask needs dask and distributed: pip install 'stance[dask]'", file=sys.stderr)
            return EXIT_USAGE

    model = _load(args.model)
    genres = tuple(model.genres)
    resume = None
    if args.resume:
        try:
            resume = batch.resume_state(args.output, args.format, genres)
        except batch.ResumeError as exc:
            print(f"stance: cannot resume: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except OSError as exc:
            print(f"stance: cannot resume {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        if not args.quiet:
            note = f" (cut {resume.repaired_bytes} bytes of an unfinished record)" if resume.repaired_bytes else ""
            print(f"stance: resuming: {resume.records} records already in {args.output}{note}", file=sys.stderr)
    exclude = None
    if args.output != "-":
        try:
            exclude = Path(args.output).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    if exclude is not None and not batch.may_overwrite(Path(args.output), genres):
        print(f"stance: -o {args.output} is one of the inputs under {root} (it exists and is not output of "
              "`stance score`); write the results somewhere else", file=sys.stderr)
        return EXIT_USAGE
    n_jobs = -1 if args.backend == "dask" and args.jobs == 1 else args.jobs
    with contextlib.ExitStack() as stack:
        try:  # connect first: a wrong scheduler address must not truncate an existing output
            stack.enter_context(batch.parallel_backend(args.backend, args.scheduler))
        except batch.BackendError as exc:
            print(f"stance: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if args.output == "-":
            out = sys.stdout
        else:
            try:
                out = stack.enter_context(batch.open_output(args.output, append=args.resume))
            except OSError as exc:
                print(f"stance: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
                return EXIT_USAGE
        try:
            summary = batch.score_folder(
                model, root, out, n_jobs=n_jobs, batch_size=args.batch_size, max_bytes=args.max_bytes,
                progress=None if args.quiet else sys.stderr, fmt=args.format, globs=args.glob, resume=resume,
                progress_every=args.progress_every, exclude=exclude, actors=actors)
        except KeyboardInterrupt:
            print("stance: interrupted; every record written is complete: rerun with --resume to finish",
                  file=sys.stderr)
            return 130
        except (ModelError, BrokenPipeError):
            raise
        except Exception as exc:  # e.g. a worker killed by the OS: say what happened and how to go on
            print(f"stance: the run stopped early ({type(exc).__name__}: {exc}); every record written is complete: "
                  "rerun with --resume to finish", file=sys.stderr)
            return EXIT_SOME_FAILED
    failed = bool(summary.failed or summary.previous_failed)
    if failed or not args.quiet:
        print(f"stance: {summary.line()}", file=sys.stderr)
    if summary.total == 0 and summary.skipped == 0 and not args.quiet:  # a mistyped --glob must not pass unnoticed
        globs = f" matching {' or '.join(args.glob)}" if args.glob else ""
        print(f"stance: warning: no {'/'.join(batch.SUFFIXES)} files{globs} under {root}", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _info(args) -> int:
    model = _load(args.model)
    if not args.card:  # JSON only, so that `stance info | jq` works
        print(json.dumps(model.meta, indent=2, ensure_ascii=False))
        return EXIT_OK
    card = model.path / "MODEL_CARD.md" if model.path else None
    if card is None or not card.is_file():
        print(f"stance: {model.path or 'this model'} has no MODEL_CARD.md", file=sys.stderr)
        return EXIT_SOME_FAILED
    print(card.read_text(encoding="utf-8"))
    return EXIT_OK


def _train(args) -> int:
    from .training import check_output_folder, train

    if args.seed < 0 or args.min_examples < 1:
        raise _UsageError(f"--seed must be >= 0 and --min-examples >= 1; got {args.seed} and {args.min_examples}")
    try:  # before hours of training, not after
        check_output_folder(args.output)
    except ValueError as exc:
        raise _UsageError(f"-o: {exc}") from exc
    base = _load(args.base) if args.base else None
    model = train(args.data, output=args.output, base=base, include_default_data=args.include_default_data,
                  seed=args.seed, min_examples=args.min_examples, name=args.name, version=args.model_version,
                  progress=None if args.quiet else sys.stderr)
    if not args.quiet:
        print(f"stance: wrote {args.output} (genres: {', '.join(model.genres)})", file=sys.stderr)
    return EXIT_OK


def _evaluate(args) -> int:
    from .training import evaluate, format_report

    if args.output and not Path(args.output).resolve().parent.is_dir():
        raise _UsageError(f"-o {args.output}: the folder {Path(args.output).parent} does not exist")
    if args.output and Path(args.output).is_dir():
        raise _UsageError(f"-o {args.output} is a folder; give the path of the JSON file to write")
    report = evaluate(args.data, _load(args.model))
    if args.output:  # before printing: a closed pipe on stdout (`| head`) must not lose the report
        Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(format_report(report))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        commands = {"classify": _classify, "score": _score, "train": _train, "evaluate": _evaluate, "info": _info}
        return commands[args.command](args)
    except ModelError as exc:
        print(f"stance: model error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (TrainingDataError, _UsageError) as exc:
        print(f"stance: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `stance score DIR | head`
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
