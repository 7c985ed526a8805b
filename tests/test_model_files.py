"""The model folder: round trip, and every way a model file can be bad gives its own clear error."""

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

import stance
from stance.model import default_model_path, sha256_file

TEXT = "Ukraine condemned Russia's brutal attack. The ministry said 40 people were hurt."


@pytest.fixture()
def model_copy(tmp_path):
    target = tmp_path / "model"
    shutil.copytree(default_model_path(), target)
    return target


def _rewrite_checksum(folder, name):
    meta = json.loads((folder / "meta.json").read_text())
    meta["files"][name] = sha256_file(folder / name)
    (folder / "meta.json").write_text(json.dumps(meta))


def test_default_model_meta(model):
    meta = model.meta
    for key in ("format_version", "stance_version", "sklearn_version", "genres", "labels", "files", "training", "seed",
                "metrics"):
        assert key in meta, key
    # the shape a model trained with `stance train` has, so one reader handles both
    assert meta["labels"] == {"genre": list(stance.GENRES), "stance": ["negative", "neutral", "positive"]}
    files = meta["training"]["files"]
    assert {f["path"] for f in files} >= {"genre/webis_editorials.jsonl", "stance/newsmtsc_train.jsonl"}
    assert all(len(entry["sha256"]) == 64 for entry in files)


def test_save_and_load_round_trip(model, tmp_path):
    saved = model.save(tmp_path / "again")
    reloaded = stance.load_model(saved)
    assert reloaded.classify(TEXT).to_dict() == model.classify(TEXT).to_dict()


def test_missing_folder(tmp_path):
    with pytest.raises(stance.ModelError, match="no model at"):
        stance.load_model(tmp_path / "nothing")


def test_truncated_file(model_copy):
    npz = model_copy / "genre.npz"
    npz.write_bytes(npz.read_bytes()[:1000])
    with pytest.raises(stance.CorruptModelError, match="truncated or modified"):
        stance.load_model(model_copy)


def test_truncated_file_with_matching_checksum(model_copy):
    npz = model_copy / "stance.npz"
    npz.write_bytes(npz.read_bytes()[:1000])
    _rewrite_checksum(model_copy, "stance.npz")
    with pytest.raises(stance.CorruptModelError, match="cannot be read"):
        stance.load_model(model_copy)


def test_tampered_json(model_copy):
    path = model_copy / "genre.json"
    config = json.loads(path.read_text())
    config["temperature"] = 0.01
    path.write_text(json.dumps(config))
    with pytest.raises(stance.CorruptModelError, match="SHA-256"):
        stance.load_model(model_copy)


def test_unknown_format_version(model_copy):
    meta = json.loads((model_copy / "meta.json").read_text())
    meta["format_version"] = 99
    (model_copy / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(stance.IncompatibleModelError, match="format version 99"):
        stance.load_model(model_copy)


def test_pickle_inside_npz_is_refused(model_copy):
    # A model whose arrays hold pickled objects (which could run code when loaded) is refused,
    # even when its checksums were rewritten to match.
    np.savez(model_copy / "genre.npz", coef=np.array([{"evil": 1}], dtype=object))
    _rewrite_checksum(model_copy, "genre.npz")
    with pytest.raises(stance.CorruptModelError, match="plain JSON and numeric arrays"):
        stance.load_model(model_copy)


def test_pickle_file_is_refused(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"not": "a model"}))
    with pytest.raises(stance.CorruptModelError, match="never loads pickled"):
        stance.load_model(path)


def test_invalid_meta_json(model_copy):
    (model_copy / "meta.json").write_text("{not json")
    with pytest.raises(stance.CorruptModelError, match="not valid JSON"):
        stance.load_model(model_copy)


def test_meta_files_of_the_wrong_type_is_corrupt(model_copy):
    meta = json.loads((model_copy / "meta.json").read_text())
    meta["files"] = list(meta["files"])
    (model_copy / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(stance.CorruptModelError, match="must map file names"):
        stance.load_model(model_copy)


def test_a_model_folder_path_is_accepted_where_a_model_is(model_copy):
    result = stance.classify("Germany praised France for its help.", model=str(model_copy))
    assert {a.name for a in result.actors} == {"Germany", "France"}
    with pytest.raises(TypeError, match="model folder path"):
        stance.classify("Germany praised France.", model=42)


def test_meta_of_something_else(model_copy):
    (model_copy / "meta.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(stance.IncompatibleModelError, match="stance-model"):
        stance.load_model(model_copy)


def test_rehashed_part_of_the_wrong_shape_is_incompatible(model_copy):
    (model_copy / "genre.json").write_text("[1, 2]")
    _rewrite_checksum(model_copy, "genre.json")
    with pytest.raises(stance.IncompatibleModelError, match="the genre part .* cannot be rebuilt"):
        stance.load_model(model_copy)


def test_save_refuses_to_overwrite_what_is_not_a_model(model, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("mine")
    with pytest.raises(ValueError, match="is a file"):
        model.save(afile)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "keep.txt").write_text("keep")
    with pytest.raises(ValueError, match="holds other files"):
        model.save(notes)
    assert afile.read_text() == "mine" and sorted(p.name for p in notes.iterdir()) == ["keep.txt"]


def test_the_default_model_comes_with_the_imported_package():
    # a checkout imported while another copy is installed (or the installed package itself, as in CI) must use
    # its own model, not the other copy's
    found = default_model_path().resolve()
    tree = Path(stance.__file__).resolve().parent.parent  # the checkout, or site-packages
    assert (found / "meta.json").is_file() and found.is_relative_to(tree), (found, tree)
