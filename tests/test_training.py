"""Retraining on user data (stance.training): formats, bad-data errors, reproducibility, evaluation.

Training is kept tiny (30 short articles, 36 stance rows, no subjectivity lexicon) so the file runs in seconds.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from stance.errors import ModelError, TrainingDataError
from stance.training import (
    MAX_PROBLEMS,
    LabelledData,
    bin_stance,
    check_output_folder,
    evaluate,
    format_report,
    predict_genre,
    read_labelled,
    train,
)

ROOT = Path(__file__).resolve().parent.parent
FIX = Path(__file__).resolve().parent / "fixtures" / "training"
GENRE = FIX / "genre.jsonl"
GENRE_EVAL = FIX / "genre_eval.jsonl"
STANCE = FIX / "stance.csv"
LABELS = ("analysis", "press release", "review")
FAST = {"genre_params": {"subjectivity_zip": None, "oof_folds": 3, "synthetic_mixed": 0.3}, "progress": None}

PRESS = ("Halcyon Labs today announced the opening of a research office in Austin, Texas.\n\n"
         "\"We are proud to join this community,\" said Chief Executive Dana Wu.\n\n"
         "About Halcyon Labs: Halcyon builds sensors. Media contact: press@halcyon.example.")
REVIEW = ("The new bakery's sourdough is superb, crusty outside and soft within.\n\n"
          "The cakes are too sweet, though, and the coffee was lukewarm.\n\n"
          "Worth a visit for the bread alone. Four stars.")
STANCE_PROBE = (["Critics condemned Orbis Bank for its shameful greed.", "Orbis Bank opened on Monday."],
                [[(18, 28)], [(0, 10)]])


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _jsonl(path: Path, records: list) -> Path:
    return _write(path, "".join(json.dumps(r) + "\n" for r in records))


def _genre_probe(model, texts=(PRESS, REVIEW)) -> np.ndarray:
    from stance.training import _content_paragraphs

    return np.vstack([model.genre.predict_proba(_content_paragraphs(t)) for t in texts])


@pytest.fixture(scope="module")
def base_model():
    """A model with both parts trained on the fixtures: the base for the part-only retraining tests."""
    return train([GENRE, STANCE], holdout=0, name="fixture-base", version="7", **FAST)


# --------------------------------------------------------------------------------------------------
# training, saving, loading
# --------------------------------------------------------------------------------------------------
def test_new_genre_labels_saved_and_loaded_in_new_process(base_model, tmp_path):
    assert base_model.genres == LABELS
    assert predict_genre(base_model, PRESS)[0] == "press release"
    folder = base_model.save(tmp_path / "custom")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "fixture-base" and meta["version"] == "7" and meta["seed"] == 0
    assert meta["genres"] == list(LABELS)
    assert meta["labels"]["genre"] == list(LABELS)
    shas = {Path(f["path"]).name: f["sha256"] for f in meta["training"]["files"]}
    import hashlib

    assert shas == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (GENRE, STANCE)}
    assert meta["training"]["counts"]["genre"] == {lab: 10 for lab in LABELS}
    assert meta["training"]["counts"]["stance"] == {"negative": 12, "neutral": 12, "positive": 12}

    script = (
        "import json, sys\n"
        "from stance.model import load_model\n"
        "from stance.training import predict_genre\n"
        "from stance.text import split_paragraphs\n"
        "m = load_model(sys.argv[1])\n"
        "texts = json.loads(sys.argv[2])\n"
        "print(json.dumps({'genres': list(m.genres),\n"
        "  'labels': [predict_genre(m, t)[0] for t in texts],\n"
        "  'probs': [m.genre.predict_proba([p.text for p in split_paragraphs(t) if not p.boilerplate]).tolist()\n"
        "            for t in texts],\n"
        "  'stance': m.stance.predict_proba(*json.loads(sys.argv[3])).tolist(),\n"
        "  'classify': m.classify(texts[0], actors={'Halcyon Labs': ['Halcyon']}).to_dict()}))\n")
    done = subprocess.run([sys.executable, "-c", script, str(folder), json.dumps([PRESS, REVIEW]),
                           json.dumps(STANCE_PROBE)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["genres"] == list(LABELS)
    assert out["labels"] == ["press release", "review"]
    assert out["classify"]["genre"] == "press release"
    assert set(out["classify"]["genre_scores"]) == set(LABELS)
    assert "Halcyon Labs" in [a["name"] for a in out["classify"]["actors"]]
    for got, want in zip(out["probs"], [_genre_probe(base_model, [t]) for t in (PRESS, REVIEW)]):
        np.testing.assert_allclose(np.array(got), want, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.array(out["stance"]), base_model.stance.predict_proba(*STANCE_PROBE),
                               rtol=1e-6, atol=1e-7)


def test_genre_only_data_keeps_base_stance_and_writes_model(base_model, tmp_path, capsys):
    import sys as _sys

    model = train([GENRE], base=base_model, output=tmp_path / "m", seed=1, progress=_sys.stderr,
                  genre_params=FAST["genre_params"])
    assert model.stance is base_model.stance
    assert model.genres == LABELS
    err = capsys.readouterr().err
    assert "stance train:" in err and "keeping the stance part of the base model fixture-base 7" in err
    assert "saved to" in err
    meta = json.loads((tmp_path / "m" / "meta.json").read_text(encoding="utf-8"))
    assert meta["training"]["parts"] == {"genre": "trained on the user data",
                                        "stance": "from base model fixture-base 7"}
    assert meta["base"]["name"] == "fixture-base"
    # 10 per label, 20 % held out → 6 held-out articles → metrics recorded
    genre_metrics = meta["metrics"]["genre"]
    assert genre_metrics["n"] == 6 and 0.0 <= genre_metrics["accuracy"] <= 1.0
    assert "stance" not in meta["metrics"]
    assert (tmp_path / "m" / "MODEL_CARD.md").read_text(encoding="utf-8").startswith("# stance-custom 1")


def test_retrain_only_stance_keeps_base_genre(base_model, tmp_path):
    # a different stance training set: every row but the last two of each class, numbers as words
    rows = list(csv.DictReader(io.StringIO(STANCE.read_text(encoding="utf-8"))))
    keep = rows[:10] + rows[12:22] + rows[24:34]
    path = _jsonl(tmp_path / "stance_only.jsonl", [
        {"text": r["text"], "actor": r["actor"], "stance": r["stance"]} for r in keep])
    model = train([path], base=base_model, output=tmp_path / "m2", holdout=0, progress=None)
    assert model.genre is base_model.genre
    assert model.meta["training"]["parts"]["genre"].startswith("from base model")
    assert model.meta["training"]["parts"]["stance"] == "trained on the user data"
    from stance.model import load_model

    loaded = load_model(tmp_path / "m2")
    assert loaded.genres == base_model.genres
    np.testing.assert_array_equal(_genre_probe(loaded), _genre_probe(base_model))
    assert loaded.stance.predict_proba(*STANCE_PROBE).shape == (2, 3)
    assert not np.array_equal(model.stance.predict_proba(*STANCE_PROBE), base_model.stance.predict_proba(*STANCE_PROBE))


def test_same_data_and_seed_give_identical_predictions(base_model):
    kwargs = dict(base=base_model, seed=3, **FAST)
    a = train([GENRE, STANCE], **kwargs)
    b = train([GENRE, STANCE], **kwargs)
    np.testing.assert_array_equal(_genre_probe(a), _genre_probe(b))
    np.testing.assert_array_equal(a.stance.predict_proba(*STANCE_PROBE), b.stance.predict_proba(*STANCE_PROBE))
    assert a.meta["metrics"] == b.meta["metrics"]
    assert a.meta["seed"] == 3
    assert a.meta["training"]["data_sha256"] == b.meta["training"]["data_sha256"]


def test_missing_part_without_base_needs_the_shipped_model(monkeypatch):
    import stance.model

    def broken(path=None):
        raise ModelError("no model at models/stance-default")

    monkeypatch.setattr(stance.model, "load_model", broken)
    with pytest.raises(ModelError, match="no stance examples, so the stance part comes from a base model"):
        train([GENRE], **FAST)


def test_include_default_data_adds_the_default_corpus(monkeypatch, tmp_path):
    import types

    calls = []
    extra = ["Breaking: the river burst its banks overnight, officials said.\n\nRoads were closed."] * 6

    def default_genre_examples(data_dir):
        calls.append(("genre", Path(data_dir)))
        return [[p for p in a.split("\n\n")] for a in extra], ["reporting"] * 6, {"files": {"x.jsonl": "abc"}}

    def default_stance_examples(data_dir):
        calls.append(("stance", Path(data_dir)))
        return ["Acme lied again."] * 5, [[(0, 4)]] * 5, [-1] * 5, {"files": {"y.jsonl": "def"}}

    fake = types.ModuleType("stance.corpus")
    fake.default_genre_examples, fake.default_stance_examples = default_genre_examples, default_stance_examples
    monkeypatch.setitem(sys.modules, "stance.corpus", fake)
    model = train([GENRE, STANCE], include_default_data=tmp_path, holdout=0, **FAST)
    assert calls == [("genre", tmp_path), ("stance", tmp_path)]
    assert model.genres == ("reporting",) + LABELS
    corpus_meta = model.meta["training"]["default_corpus"]
    assert corpus_meta == {"path": str(tmp_path), "genre": {"files": {"x.jsonl": "abc"}},
                           "stance": {"files": {"y.jsonl": "def"}}}
    assert model.meta["training"]["parts"] == {"genre": "trained on the user data and the default corpus",
                                               "stance": "trained on the user data and the default corpus"}
    # the user's counts stay the user's
    assert model.meta["training"]["counts"]["genre"] == {lab: 10 for lab in LABELS}
    with pytest.raises(TrainingDataError, match="no such folder"):
        train([GENRE], include_default_data=tmp_path / "missing", **FAST)

    monkeypatch.setitem(sys.modules, "stance.corpus", None)  # as if the module did not exist
    with pytest.raises(TrainingDataError, match="include_default_data needs stance.corpus"):
        train([GENRE], include_default_data=tmp_path, **FAST)


# --------------------------------------------------------------------------------------------------
# formats
# --------------------------------------------------------------------------------------------------
def test_txt_folder_with_label_subfolders(base_model, tmp_path):
    root = tmp_path / "corpus"
    for i, row in enumerate(_rows(GENRE)):
        _write(root / row["genre"] / f"{i:02d}.txt", row["text"])
    _write(root / "notes" / ".hidden.txt", "ignored")  # hidden files are skipped
    _write(root / "README.md", "About this corpus.")  # so is documentation at the top
    (root / "stance").mkdir()
    (root / "stance" / "rows.csv").write_bytes(STANCE.read_bytes())  # tables inside a folder are read too
    data = read_labelled([root])
    assert data.genre_counts == {lab: 10 for lab in LABELS}
    assert len(data.stance) == 36
    folder_record = [f for f in data.files if f["format"] == "text-folder"][0]
    assert folder_record["files"] == 30 and len(folder_record["sha256"]) == 64
    model = train(data, base=base_model, holdout=0, **FAST)
    assert model.genres == LABELS
    assert predict_genre(model, REVIEW)[0] == "review"


def test_json_array_csv_genre_tsv_and_spans(tmp_path):
    arr = _write(tmp_path / "a.json", json.dumps([
        {"TEXT": "Para one.\n\nPara two.", "Label": "x"},
        {"text": ["First paragraph.", "Second paragraph."], "genre": "y", "id": 5},
    ], indent=1))
    genre_csv = _write(tmp_path / "g.csv", 'text,genre,title\n"A, quoted\nmultiline text",z,t\n')
    tsv = _write(tmp_path / "s.tsv", "text\tactor\tspan\tstance\n"
                                     "He said NATO was wrong; NATO denied it.\tNATO\t8:12;24:28\t-0.5\n"
                                     "He was right.\tJohn Smith\t0:2\t0.2\n")
    spans = _jsonl(tmp_path / "s.jsonl", [
        {"text": "Putin's speech angered Kyiv.", "actor": "Vladimir Putin", "span": [0, 7], "stance": "negative"},
        {"text": "nato met; NATO agreed.", "actor": "NATO", "stance": 1},
        {"text": "Praise for Acme and Acme.", "actor": "Acme", "span": [[11, 15], [20, 24]], "stance": 0.34},
    ])
    data = read_labelled([arr, genre_csv, tsv, spans])
    assert [(e.label, e.paragraphs) for e in data.genre] == [
        ("x", ["Para one.", "Para two."]), ("y", ["First paragraph.", "Second paragraph."]),
        ("z", ["A, quoted", "multiline text"])]
    assert [e.line for e in data.genre] == [2, 6, 2]
    got = [(e.actor, e.spans, e.label) for e in data.stance]
    assert got == [("NATO", [(8, 12), (24, 28)], -1), ("John Smith", [(0, 2)], 0),
                   ("Vladimir Putin", [(0, 7)], -1), ("NATO", [(10, 14)], 1), ("Acme", [(11, 15), (20, 24)], 1)]


def test_stance_binning_thresholds():
    assert [bin_stance(v) for v in (-1, -0.34, -1 / 3, -0.33, 0, 0.33, 1 / 3, 0.5, 1)] == [-1, -1, -1, 0, 0, 0, 1, 1, 1]


# --------------------------------------------------------------------------------------------------
# bad data: TrainingDataError naming file and line
# --------------------------------------------------------------------------------------------------
OK = {"text": "A fine sentence about Acme.", "genre": "review"}

BAD_JSONL = {
    "missing text": ({"genre": "review"}, 'no "text"'),
    "empty text": ({"text": "   ", "genre": "review"}, 'empty "text"'),
    "no label": ({"text": "Some text."}, 'no label: give a "genre", or an "actor" and a "stance"'),
    "genre not a label": ({"text": "Some text.", "genre": ["a", "b"]}, "genre must be a text label"),
    "stance out of range": ({"text": "Acme lied.", "actor": "Acme", "stance": 1.5}, "stance 1.5 is outside -1..1"),
    "unknown stance word": ({"text": "Acme lied.", "actor": "Acme", "stance": "awful"}, "unknown stance 'awful'"),
    "stance boolean": ({"text": "Acme lied.", "actor": "Acme", "stance": True}, "stance must be a number"),
    "actor without stance": ({"text": "Acme lied.", "actor": "Acme"}, "names actor 'Acme' but has no \"stance\""),
    "stance without actor": ({"text": "Acme lied.", "stance": -1}, 'a stance row needs an "actor"'),
    "span out of range": ({"text": "Acme lied.", "actor": "Acme", "span": [4, 40], "stance": -1},
                          "span [4, 40] is out of range for a text of 10 characters"),
    "span not matching": ({"text": "Yesterday Acme lied.", "actor": "Acme", "span": [0, 4], "stance": -1},
                          "span [0, 4] covers 'Yest', which does not match actor 'Acme'; 'Acme' is at [10, 14]"),
    "span malformed": ({"text": "Acme lied.", "actor": "Acme", "span": "first", "stance": -1}, "bad span 'first'"),
    "actor not in text": ({"text": "Acme lied.", "actor": "Globex", "stance": -1},
                          "actor 'Globex' does not occur in the text"),
    "not an object": (["text", "genre"], "expected an object"),
}


@pytest.mark.parametrize("case", sorted(BAD_JSONL))
def test_bad_jsonl_row_names_file_and_line(case, tmp_path):
    record, message = BAD_JSONL[case]
    path = _jsonl(tmp_path / "data.jsonl", [OK, OK, record, OK])
    with pytest.raises(TrainingDataError) as info:
        read_labelled([path])
    text = str(info.value)
    assert f"{path}:3: " in text
    assert message in text
    assert "nothing was trained" in text
    assert info.value.problems and len(info.value.problems) == 1


def _raises(paths, *expected: str) -> str:
    with pytest.raises(TrainingDataError) as info:
        read_labelled(paths)
    for e in expected:
        assert e in str(info.value), str(info.value)
    return str(info.value)


def test_malformed_json_line(tmp_path):
    path = _write(tmp_path / "d.jsonl", json.dumps(OK) + "\n\n" + '{"text": "x", "genre": }\n')
    _raises([path], f"{path}:3: not valid JSON (Expecting value at column 24)")


def test_malformed_json_array(tmp_path):
    path = _write(tmp_path / "d.json", '[\n {"text": "a", "genre": "x"},\n {"text": "b" "genre": "y"}\n]')
    _raises([path], f"{path}:3: not valid JSON (Expecting ',' delimiter")


def test_csv_missing_columns(tmp_path):
    path = _write(tmp_path / "d.csv", "body,genre\nSome text,review\n")
    _raises([path], f'{path}:1: the header row lacks a "text" column', "found columns: 'body', 'genre'")
    path = _write(tmp_path / "e.csv", "text,actor\nAcme lied,Acme\n")
    _raises([path], f'{path}:1: the header row lacks a "stance" column')
    path = _write(tmp_path / "f.csv", "text,category\nAcme lied,x\n")
    _raises([path], f'{path}:1: the header row lacks a "genre" column (genre examples) or "actor" and "stance"')


def test_csv_malformed_rows(tmp_path):
    path = _write(tmp_path / "d.csv", "text,genre\nfine,review\ntoo,many,fields\n\"unclosed,review\n")
    text = _raises([path], f"{path}:3: the row has 3 fields but the header has 2", f"{path}:4: malformed CSV")
    assert text.startswith("the training data has 2 problems")


def test_csv_header_only_and_empty_file(tmp_path):
    header_only = _write(tmp_path / "h.csv", "text,genre\n")
    empty = _write(tmp_path / "e.jsonl", "")
    blank = _write(tmp_path / "b.jsonl", "\n  \n")
    _raises([header_only, empty, blank], f"{header_only}: the file has no rows after the header",
            f"{empty}: the file is empty", f"{blank}: the file is empty")


def test_duplicate_ids_with_conflicting_labels(tmp_path):
    path = _jsonl(tmp_path / "d.jsonl", [
        {"id": "a1", "text": "One.", "genre": "review"},
        {"id": "a2", "text": "Two.", "genre": "analysis"},
        {"id": "a1", "text": "One.", "genre": "review"},        # exact repeat: dropped, no error
        {"id": "a1", "text": "One.", "genre": "analysis"},      # conflict
        {"id": "s", "text": "Acme lied.", "actor": "Acme", "stance": -0.9},
        {"id": "s", "text": "Acme lied.", "actor": "Acme", "stance": "positive"},
    ])
    _raises([path], f"{path}:4: id 'a1' is labelled genre 'analysis' here but 'review' at {path}:1",
            f"{path}:6: id 's' gives actor 'Acme' stance positive here but negative at {path}:5")


def test_duplicate_identical_rows_are_dropped(tmp_path):
    rows = [{"id": f"r{i % 10}", "text": f"Text number {i % 10}.", "genre": "ab"[i % 2]} for i in range(20)]
    data = read_labelled([_jsonl(tmp_path / "d.jsonl", rows)])
    assert len(data.genre) == 10 and data.files[0]["duplicates_dropped"] == 10


def test_labels_differing_only_in_case(tmp_path):
    path = _jsonl(tmp_path / "d.jsonl", [{"text": "a", "genre": "Review"}, {"text": "b", "genre": "review"}])
    _raises([path], f"{path}:2: genre 'review' differs only in case from 'Review' ({path}:1, 1 rows)")
    # the usual spelling is kept and only the odd rows are blamed, wherever the odd one comes first
    rows = [{"text": f"t{i}", "genre": "Opinion" if i in (0, 6) else "opinion"} for i in range(8)]
    text = _raises([_jsonl(tmp_path / "e.jsonl", rows)], "e.jsonl:1: genre 'Opinion' differs only in case from "
                   "'opinion' (", "e.jsonl:7: genre 'Opinion'", "6 rows")
    assert text.count("differs only in case") == 2


def test_repeated_genre_rows_without_ids_are_dropped_once_and_conflicts_reported(tmp_path):
    rows = [{"text": "Same words here.", "genre": "news"}, {"text": "Same  words here.", "genre": "news"},
            {"text": "Other words.", "genre": "news"}]
    data = read_labelled([_jsonl(tmp_path / "d.jsonl", rows)])
    assert len(data.genre) == 2 and data.files[0]["duplicates_dropped"] == 1
    rows.append({"text": "Other words.", "genre": "opinion"})
    _raises([_jsonl(tmp_path / "e.jsonl", rows)], "e.jsonl:4: the same text is labelled genre 'opinion' here but 'news'")


def test_list_paragraphs_lose_their_chrome_and_model_folders_in_the_data_are_skipped(tmp_path):
    chrome = ["Read also: Ten things", "12:30 PM, 4 March 2024", "It is time we admitted that the depot is a mistake.",
              "Nobody asked the residents, and nobody will pay for it but them."]
    data = read_labelled([_jsonl(tmp_path / "d.jsonl", [{"text": chrome, "genre": "opinion"}])])
    assert data.genre[0].paragraphs == chrome[2:]
    model = tmp_path / "model"
    model.mkdir()
    (model / "meta.json").write_text("{}")
    (model / "genre.json").write_text("{}")
    data = read_labelled([tmp_path])
    assert len(data.genre) == 1 and [f["path"] for f in data.files] == [str(tmp_path / "d.jsonl")]


def test_wrong_encoding_gives_byte_offset(tmp_path):
    raw = (json.dumps(OK) + "\n").encode() + '{"text": "Caf\u00e9 review", "genre": "review"}\n'.encode("latin-1")
    path = _write(tmp_path / "d.jsonl", raw)
    offset = raw.index(b"\xe9")
    _raises([path], f"{path}:2: not UTF-8 text: byte 0xe9 at byte offset {offset}", "save the file as UTF-8")
    txt = _write(tmp_path / "folder" / "review" / "x.txt", b"ok\n\xff bad")
    _raises([tmp_path / "folder"], f"{txt}:2: not UTF-8 text: byte 0xff at byte offset 3")
    utf16 = _write(tmp_path / "u.csv", "text,genre\nx,y\n".encode("utf-16"))
    _raises([utf16], f"{utf16}:1: the file is UTF-16")


def test_missing_path_unsupported_file_and_no_examples(tmp_path):
    _raises([tmp_path / "nope.jsonl"], f"{tmp_path / 'nope.jsonl'}: no such file or folder")
    odd = _write(tmp_path / "data.xlsx", "x")
    _raises([odd], f"{odd}: unsupported file type '.xlsx'")
    (tmp_path / "empty_dir").mkdir()
    _raises([tmp_path / "empty_dir"], "the folder holds no .jsonl/.json/.csv/.tsv files")
    loose = _write(tmp_path / "loose" / "a.txt", "text without a label folder")
    _raises([tmp_path / "loose"], f"{loose}: a text file directly in the data folder has no label")
    _raises([], "no data files given")


def test_too_few_examples_per_label(tmp_path):
    rows = _rows(GENRE)
    few = [r for r in rows if r["genre"] != "review"] + [r for r in rows if r["genre"] == "review"][:3]
    path = _jsonl(tmp_path / "few.jsonl", few)
    out = tmp_path / "never"
    with pytest.raises(TrainingDataError) as info:
        train([path], output=out, **FAST)
    text = str(info.value)
    assert f"{path}:21: genre 'review' has 3 examples ({path} lines 21, 22, 23); at least 5 are needed" in text
    assert not out.exists()
    stance_rows = list(csv.DictReader(io.StringIO(STANCE.read_text(encoding="utf-8"))))
    no_positive = _jsonl(tmp_path / "s.jsonl", [{"text": r["text"], "actor": r["actor"], "stance": r["stance"]}
                                                for r in stance_rows[:24]])
    with pytest.raises(TrainingDataError, match="stance class positive has 0 examples; at least 5"):
        train([no_positive], **FAST)
    with pytest.raises(TrainingDataError, match="a genre model needs at least two labels"):
        train([_jsonl(tmp_path / "one.jsonl", [r for r in rows if r["genre"] == "review"])], **FAST)


def test_many_problems_reported_together_and_nothing_trained(tmp_path):
    bad = _jsonl(tmp_path / "bad.jsonl", [{"text": ""} for _ in range(MAX_PROBLEMS + 5)])
    out = tmp_path / "never"
    with pytest.raises(TrainingDataError) as info:
        train([GENRE, bad], output=out, **FAST)  # one good file does not get trained alone
    text = str(info.value)
    assert text.startswith(f"the training data has {MAX_PROBLEMS + 5} problems")
    assert f"{bad}:1: " in text and f"{bad}:{MAX_PROBLEMS}: " in text
    assert f"{bad}:{MAX_PROBLEMS + 1}: " not in text and "... and 5 more" in text
    assert len(info.value.problems) == MAX_PROBLEMS + 5
    assert not out.exists()


# --------------------------------------------------------------------------------------------------
# evaluation
# --------------------------------------------------------------------------------------------------
def _check_part(part: dict, labels, n: int) -> None:
    k = len(labels)
    assert part["labels"] == list(labels) and part["n"] == n
    cm = np.array(part["confusion_matrix"])
    assert cm.shape == (k, k) and cm.sum() == n and (cm >= 0).all()
    for i, lab in enumerate(labels):
        c = part["per_class"][lab]
        assert set(c) >= {"precision", "recall", "f1", "support"}
        assert all(0.0 <= c[m] <= 1.0 for m in ("precision", "recall", "f1"))
        assert c["support"] == cm[i].sum()
        if c["precision"] + c["recall"]:
            assert c["f1"] == pytest.approx(2 * c["precision"] * c["recall"] / (c["precision"] + c["recall"]),
                                            abs=1e-3)
    assert part["accuracy"] == pytest.approx(np.trace(cm) / n, abs=1e-4)
    assert 0.0 <= part["macro_f1"] <= 1.0
    assert 0.0 <= part["calibration"]["ece"] <= 1.0 and 0.0 <= part["calibration"]["brier"] <= 2.0


def test_evaluate_reports_per_class_metrics_and_confusion(base_model, tmp_path):
    report = evaluate([GENRE_EVAL, STANCE], base_model)
    _check_part(report["genre"], LABELS, 6)
    assert np.array(report["genre"]["confusion_matrix"]).sum(axis=1).tolist() == [2, 2, 2]
    assert report["genre"]["accuracy"] >= 0.5  # unseen but easy articles
    _check_part(report["stance"], ("negative", "neutral", "positive"), 36)
    assert report["stance"]["accuracy"] >= 0.8  # training rows
    json.dumps(report)  # the CLI writes it as JSON
    table = format_report(report)
    assert "precision" in table and "press release" in table and "confusion matrix" in table
    assert "genre: 6 examples" in table and "stance: 36 examples" in table

    genre_only = evaluate([GENRE_EVAL], base_model)
    assert "stance" not in genre_only and "genre" in genre_only

    unknown = _jsonl(tmp_path / "u.jsonl", _rows(GENRE_EVAL) + [{"text": PRESS, "genre": "obituary"}])
    report = evaluate(unknown, base_model)
    assert report["genre"]["unknown_labels"] == ["obituary"]
    _check_part(report["genre"], LABELS + ("obituary",), 7)
    assert report["genre"]["per_class"]["obituary"]["recall"] == 0.0
    assert report["genre"]["calibration"]["n"] == 6
    assert "(on the 6 of 7 examples whose label the model knows)" in format_report(report)


def test_evaluate_labels_stance_rows_as_stance_toward_does(base_model, tmp_path):
    import stance

    rows = [{"text": "Blake won praise. Blake was later sued for fraud and Blake lied.", "actor": "Blake",
             "stance": "negative"},
            {"text": "Helix Bank opened. Helix Bank was praised for its service.", "actor": "Helix Bank",
             "stance": "positive"},
            {"text": "Mara thanked the nurses. Critics said Mara had failed the town.", "actor": "Mara",
             "stance": "negative"}]
    report = evaluate(_jsonl(tmp_path / "s.jsonl", rows), base_model)["stance"]
    by_api = [stance.stance_toward(r["text"], r["actor"], model=base_model).label for r in rows]
    predicted = {m["id"] or m["where"]: m["predicted"] for m in report["mistakes"]}
    wrong = [r["stance"] != p for r, p in zip(rows, by_api)]
    assert len(report["mistakes"]) == sum(wrong)  # the report's mistakes are exactly the API's
    assert sorted(predicted.values()) == sorted(p for p, w in zip(by_api, wrong) if w)


def test_evaluate_rejects_bad_data(base_model, tmp_path):
    with pytest.raises(TrainingDataError, match="no label"):
        evaluate(_jsonl(tmp_path / "x.jsonl", [{"text": "nothing"}]), base_model)
    with pytest.raises(TrainingDataError, match="no examples"):
        evaluate(LabelledData(), base_model)


def test_stance_only_retraining_keeps_the_shipped_genre_model(tmp_path):
    import stance

    shipped = stance.load_model()
    model = train([FIX / "stance.csv"], output=tmp_path / "m", seed=0, progress=None)
    reloaded = stance.load_model(tmp_path / "m")
    paragraphs = ["The ministry said on Tuesday that 40 people were hurt.", "I think this is a disgrace."]
    assert np.array_equal(reloaded.genre.predict_proba(paragraphs), shipped.genre.predict_proba(paragraphs))
    assert reloaded.genres == shipped.genres
    sentence, spans = ["Acme praised the new rules."], [[(0, 4)]]
    assert not np.array_equal(model.stance.predict_proba(sentence, spans), shipped.stance.predict_proba(sentence, spans))


def test_base_may_be_a_model_folder(base_model, tmp_path):
    base_model.save(tmp_path / "base")
    rows = list(csv.DictReader(io.StringIO(STANCE.read_text(encoding="utf-8"))))
    path = _jsonl(tmp_path / "stance_only.jsonl", [
        {"text": r["text"], "actor": r["actor"], "stance": r["stance"]} for r in rows])
    model = train([path], base=str(tmp_path / "base"), holdout=0, progress=None)
    np.testing.assert_array_equal(_genre_probe(model), _genre_probe(base_model))
    with pytest.raises(TypeError, match="base= takes a loaded model or its folder"):
        train([path], base=42, holdout=0, progress=None)


def test_output_is_checked_before_training(tmp_path):
    taken = tmp_path / "afile"
    taken.write_text("mine")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "important.txt").write_text("keep")
    for output, message in ((taken, "is a file"), (notes, "holds other files")):
        with pytest.raises(ValueError, match=message):
            train([tmp_path / "does-not-exist.jsonl"], output=output, progress=None)  # fails on output first
    assert taken.read_text() == "mine" and [p.name for p in notes.iterdir()] == ["important.txt"]


def test_evaluation_problems_say_nothing_was_evaluated(base_model, tmp_path):
    with pytest.raises(TrainingDataError, match=r"the evaluation data has 1 problem; .*nothing was evaluated"):
        evaluate(_jsonl(tmp_path / "x.jsonl", [{"text": "nothing"}]), base_model)


def test_row_problems_and_label_counts_are_listed_in_one_run(tmp_path):
    rows = [{"text": f"A report, number {i}.", "genre": "report"} for i in range(6)]
    rows += [{"text": "One odd piece.", "genre": "bogus"}, {"text": "", "genre": "report"}]
    with pytest.raises(TrainingDataError) as info:
        train([_jsonl(tmp_path / "bad.jsonl", rows)], progress=None)
    problems = "\n".join(info.value.problems)
    assert "bad.jsonl:8:" in problems  # the empty text
    assert "genre 'bogus' has 1 example" in problems  # found in the same run, not after the fix


def test_train_checks_its_arguments_and_output_before_training(tmp_path):
    data = _jsonl(tmp_path / "d.jsonl", [{"text": "x y z", "genre": "a"}])
    for kwargs in ({"seed": -1}, {"seed": "a"}, {"seed": 1.5}, {"min_examples": 0}):
        with pytest.raises(ValueError, match="whole number"):
            train(data, **kwargs)
    (tmp_path / "afile").write_text("mine")
    with pytest.raises(ValueError, match="cannot be created"):
        check_output_folder(tmp_path / "afile" / "sub" / "model")
    check_output_folder(tmp_path / "new" / "model")  # creatable: fine, and nothing is left behind
    assert not (tmp_path / "new").exists()


def test_too_few_distinct_words_is_a_training_data_error(tmp_path):
    rows = [{"text": w, "genre": "a"} for w in ("ok", "yes", "no", "hi", "go")]
    rows += [{"text": w, "genre": "b"} for w in ("the", "a", "an", "of", "to")]
    with pytest.raises(TrainingDataError, match="too few distinct words"):
        train(_jsonl(tmp_path / "tiny.jsonl", rows), progress=None)


def test_json_file_messages(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"text": "An article.", "genre": "news"}, indent=2))
    text = _raises([one], f"{one}:1: the file holds one JSON object spread over several lines")
    assert text.count("one.json") == 1
    broken = tmp_path / "b.jsonl"
    broken.write_text('{"text": "unterminated, "genre": "news"}\n{"text": "x\n')
    text = _raises([broken], "b.jsonl:2: not valid JSON (Unterminated string at column 10)")
    assert "at at" not in text


def test_a_linked_genre_folder_is_reported_not_skipped(tmp_path):
    real = tmp_path / "elsewhere" / "opinion"
    real.mkdir(parents=True)
    (real / "a.txt").write_text("It is time we admitted the depot is a mistake.")
    data = tmp_path / "data"
    (data / "news").mkdir(parents=True)
    (data / "news" / "b.txt").write_text("The council met on Tuesday.")
    (data / "opinion").symlink_to(real, target_is_directory=True)
    _raises([data], "opinion: a link to a folder is not followed")
