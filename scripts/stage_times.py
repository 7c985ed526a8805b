"""CPU seconds per stage of `stance score` on a folder, one worker (not a test; a measuring aid).

    python scripts/stage_times.py FOLDER [--repeats 3] [--repo PATH]

Each stage's functions are wrapped with a CPU timer (time.process_time) and the folder is scored through
``stance.batch.score_folder`` (batch size 16) ``--repeats`` times; the run with the least total is printed.
``--repo`` scores with the stance package of another checkout (e.g. an older commit unpacked with
``git archive``), to compare before and after on the same corpus. Stages:

* read files: ``batch.read_document`` (decoding, HTML to text);
* split paragraphs: ``text.split_paragraphs`` (with boilerplate flags);
* genre: ``GenreClassifier.predict_proba`` / ``predict_proba_articles``;
* actors: ``Gazetteer.find``;
* sentences/examples: ``pipeline._stance_examples`` (sentence splitting of paragraphs with actors);
* stance model (targets.py): ``pipeline._stance_probs``;
* combine (scoring.py): ``combine``, ``mention_scores``, ``mention_confidences`` called from ``_finish``;
* finish: the rest of ``pipeline._finish`` (result objects);
* to_json: ``batch.format_record``;
* other: what is left (batching, ``_prepare``'s own work, article genre, the output writer).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    sys.path.insert(0, args.repo)
    import stance
    from stance import actors, batch, genre, pipeline
    try:
        from stance import scoring
    except ImportError:  # --repo: a checkout from before stance/scoring.py, whose combine was in targets.py
        from stance import targets as scoring

    times: dict[str, float] = {}
    active: dict[str, int] = {}  # a stage's functions calling each other are timed once, at the outermost

    def wrap(owner, name: str, label: str) -> None:
        if not hasattr(owner, name):
            return
        f = getattr(owner, name)

        @functools.wraps(f)
        def timed(*a, **k):
            if active.get(label):
                return f(*a, **k)
            active[label] = 1
            t = time.process_time()
            try:
                return f(*a, **k)
            finally:
                active[label] = 0
                times[label] = times.get(label, 0.0) + time.process_time() - t

        setattr(owner, name, timed)

    wrap(batch, "read_document", "read files")
    wrap(pipeline, "split_paragraphs", "split paragraphs")
    wrap(genre.GenreClassifier, "predict_proba", "genre")
    wrap(genre.GenreClassifier, "predict_proba_articles", "genre")
    wrap(actors.Gazetteer, "find", "actors")
    wrap(pipeline, "_stance_examples", "sentences/examples")
    wrap(pipeline, "_stance_probs", "stance model (targets.py)")
    for name in ("combine", "mention_scores", "mention_confidences"):
        wrap(scoring, name, "combine (scoring.py)")
    wrap(pipeline, "_finish", "_finish")
    wrap(batch, "format_record", "to_json")
    model = stance.load_model()
    best: tuple[float, dict[str, float]] | None = None
    for _ in range(max(args.repeats, 1)):
        times.clear()
        t = time.process_time()
        with open(os.devnull, "wb") as sink:
            batch.score_folder(model, Path(args.folder), sink, n_jobs=1, batch_size=16, progress=None)
        total = time.process_time() - t
        if best is None or total < best[0]:
            best = (total, dict(times))
    total, times = best
    times["finish"] = times.pop("_finish", 0.0) - times.get("combine (scoring.py)", 0.0)
    times["other"] = total - sum(times.values())
    in_stance = times.get("stance model (targets.py)", 0.0) + times.get("combine (scoring.py)", 0.0)
    print(f"{stance.__file__}")
    print(f"total {total:.3f} s CPU; targets.py + scoring.py {in_stance:.3f} s; "
          f"everything else {total - in_stance:.3f} s")
    for label, seconds in sorted(times.items(), key=lambda kv: -kv[1]):
        print(f"  {label:28s} {seconds:7.3f}")


if __name__ == "__main__":
    main()
