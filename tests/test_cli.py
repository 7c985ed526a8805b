"""The command line, run as a user would: a subprocess with `python -m stance`."""

import json
import os
import shutil
import subprocess
import sys

import pytest

import stance
from conftest import SEEDS


def run(*args, input=None):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "stance", *args], capture_output=True, text=True,
                          input=input, env=env, timeout=300)


def test_version_and_help():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"stance {stance.__version__}"
    out = run("--help")
    assert out.returncode == 0
    for command in ("classify", "score", "info"):
        assert command in out.stdout


def test_no_command_is_a_usage_error():
    out = run()
    assert out.returncode == 2 and "usage" in out.stderr


def test_classify_summary_and_json():
    seed = SEEDS / "003_b22c994f8a003541.txt"
    out = run("classify", str(seed))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"{seed}: opinion")
    assert "Vladimir Putin" in out.stdout
    out = run("classify", str(seed), "--json")
    data = json.loads(out.stdout)
    assert data["genre"] == "opinion" and data["id"] == str(seed)


def test_classify_stdin():
    out = run("classify", "-", "--json", input="Ukraine condemned Russia's brutal attack on Kharkiv.")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["id"] is None
    assert {a["name"] for a in data["actors"]} >= {"Russia", "Ukraine"}


def test_classify_missing_file_fails_clearly(tmp_path):
    out = run("classify", str(tmp_path / "nope.txt"))
    assert out.returncode == 2 and "nope.txt: no such file" in out.stderr  # a bad argument, as for score
    out = run("classify", str(tmp_path))
    assert out.returncode == 2 and "is a folder" in out.stderr and "stance score" in out.stderr and not out.stdout
    (tmp_path / "empty.txt").write_text("  \n")
    out = run("classify", str(tmp_path / "empty.txt"))
    assert out.returncode == 1 and "empty" in out.stderr  # an input that cannot be scored


def test_score_folder_with_bad_files(tmp_path):
    folder = tmp_path / "pages"
    (folder / "sub").mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, folder / seed.name)
    shutil.copy(SEEDS / "003_b22c994f8a003541.txt", folder / "sub" / "page.md")
    (folder / "blob.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "empty.txt").write_text("")
    (folder / "latin1.txt").write_bytes("Caf\xe9 society in Kyiv".encode("latin-1"))
    (folder / "ignored.csv").write_text("not,an,article")
    out_file = tmp_path / "out.jsonl"
    out = run("score", str(folder), "-o", str(out_file))
    assert out.returncode == 1  # some files failed
    lines = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    ids = [line["id"] for line in lines]
    assert len(ids) == 6 and "ignored.csv" not in ids
    by_id = {line["id"]: line for line in lines}
    assert by_id["blob.txt"]["error"]["type"] == "binary"
    assert by_id["empty.txt"]["error"]["type"] == "empty"
    assert "error" not in by_id["latin1.txt"]  # not UTF-8: read as cp1252, and said so on stderr
    assert "1 read as cp1252" in out.stderr
    assert by_id["sub/page.md"]["genre"] == "opinion"
    assert "4 scored, 2 failed" in out.stderr


def test_score_seeds_to_stdout_all_ok():
    out = run("score", str(SEEDS), "-q")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["id"] for line in lines] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert all("error" not in line for line in lines)


def test_score_missing_folder_is_usage_error(tmp_path):
    out = run("score", str(tmp_path / "missing"))
    assert out.returncode == 2 and "not a folder" in out.stderr


def test_info_prints_meta():
    out = run("info")
    assert out.returncode == 0
    meta = json.loads(out.stdout)  # nothing but the JSON: `stance info | jq` works
    assert meta["format"] == "stance-model" and meta["genres"] == list(stance.GENRES)
    card = run("info", "--card")
    assert card.returncode == 0 and card.stdout.startswith("# ") and "Known failure modes" in card.stdout


def test_bad_model_path_is_usage_error(tmp_path):
    out = run("classify", str(SEEDS / "000_8deaad4b3ce79dd3.txt"), "--model", str(tmp_path))
    assert out.returncode == 2 and "meta.json" in out.stderr


FIXTURES = SEEDS.parent / "tests" / "fixtures" / "training"


def test_train_evaluate_info_round_trip(tmp_path):
    model_dir = tmp_path / "newsroom"
    out = run("train", str(FIXTURES / "genre.jsonl"), "-o", str(model_dir), "--name", "newsroom", "-q")
    assert out.returncode == 0, out.stderr
    assert out.stderr == "" and (model_dir / "meta.json").is_file()  # -q: quiet on success
    assert "analysis" in json.loads((model_dir / "meta.json").read_text())["labels"]["genre"]
    out = run("evaluate", str(FIXTURES / "genre_eval.jsonl"), "--model", str(model_dir), "-o", str(tmp_path / "r.json"))
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert "genre" in report and 0 <= report["genre"]["macro_f1"] <= 1
    out = run("info", str(model_dir))
    assert out.returncode == 0 and '"name": "newsroom"' in out.stdout


def test_train_bad_data_is_a_clear_usage_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "An article.", "genre": "analysis"}\n{"genre": "review"}\n')
    out = run("train", str(bad), "-o", str(tmp_path / "m"))
    assert out.returncode == 2
    assert "bad.jsonl:2" in out.stderr and not (tmp_path / "m").exists()


def run_bytes(*args, input: bytes):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "stance", *args], capture_output=True, input=input, env=env,
                          timeout=300)


def test_classify_stdin_is_decoded_like_a_file(tmp_path):
    text = "Café owners in France praised Germany."
    for data, warned in ((text.encode("cp1252"), True), (text.encode("utf-16"), False),
                         (b"\xef\xbb\xbf" + text.encode("utf-8"), False)):
        out = run_bytes("classify", "-", "--json", input=data)
        assert out.returncode == 0, out.stderr
        result = json.loads(out.stdout.decode("utf-8"))
        assert result["paragraphs"][0]["text"] == text
        assert {a["name"] for a in result["actors"]} == {"France", "Germany"}
        assert (b"read as cp1252" in out.stderr) == warned
    out = run_bytes("classify", "-", "--max-bytes", "10", input=text.encode())
    assert out.returncode == 1 and b"over the 10-byte limit" in out.stderr


def test_actor_files_are_checked_before_any_text(tmp_path):
    bad = tmp_path / "actors.json"
    bad.write_text('["Kim"]')
    seed = str(SEEDS / "000_8deaad4b3ce79dd3.txt")
    for command in (("classify", seed), ("score", str(SEEDS))):
        out = run(*command, "--actors", str(bad))
        assert out.returncode == 2 and f"--actors {bad}" in out.stderr and "must be a mapping" in out.stderr
        assert out.stdout == ""
        out = run(*command, "--replace-actors")
        assert out.returncode == 2 and "--replace-actors needs --actors" in out.stderr


def test_score_with_replaced_actors(tmp_path):
    own = tmp_path / "actors.json"
    own.write_text(json.dumps({"Pyongyang regime": {"aliases": ["North Korea", "Pyongyang"], "kind": "country"}}))
    out = run("score", str(SEEDS), "--actors", str(own), "--replace-actors", "-q")
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(records) == 5
    assert all({a["name"] for a in r["actors"]} == {"Pyongyang regime"} for r in records)


def test_score_bad_jobs_and_empty_selection(tmp_path):
    out = run("score", str(SEEDS), "--jobs", "-3")
    assert out.returncode == 2 and "--jobs" in out.stderr
    out = run("score", str(SEEDS), "--glob", "*.md")
    assert out.returncode == 0 and out.stdout == ""
    assert "warning: no .txt/.md/.html/.htm/.jsonl files matching *.md" in out.stderr


def test_train_and_evaluate_check_their_outputs_first(tmp_path):
    taken = tmp_path / "afile"
    taken.write_text("mine")
    out = run("train", str(FIXTURES / "genre.jsonl"), "-o", str(taken))
    assert out.returncode == 2 and "is a file" in out.stderr and "Traceback" not in out.stderr
    assert taken.read_text() == "mine"
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "important.txt").write_text("keep")
    out = run("train", str(FIXTURES / "genre.jsonl"), "-o", str(folder))
    assert out.returncode == 2 and "holds other files" in out.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["important.txt"]
    out = run("evaluate", str(FIXTURES / "genre_eval.jsonl"), "-o", str(tmp_path / "missing" / "r.json"))
    assert out.returncode == 2 and "does not exist" in out.stderr and out.stdout == ""
    out = run("evaluate", str(FIXTURES / "genre_eval.jsonl"), "-o", str(folder))
    assert out.returncode == 2 and "is a folder" in out.stderr and out.stdout == ""
    out = run("train", str(FIXTURES / "genre.jsonl"), "-o", str(taken / "model"))  # under a file: cannot be made
    assert out.returncode == 2 and "cannot be created" in out.stderr and "Traceback" not in out.stderr
    out = run("train", str(FIXTURES / "genre.jsonl"), "-o", str(tmp_path / "m"), "--seed", "-5")
    assert out.returncode == 2 and "--seed" in out.stderr and not (tmp_path / "m").exists()


def test_output_onto_an_input_is_refused_and_quiet_keeps_only_failures(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    article = folder / "a.txt"
    article.write_text("Germany praised France for its help on Tuesday.", encoding="utf-8")
    out = run("score", str(folder), "-o", str(article))
    assert out.returncode == 2 and "is one of the inputs" in out.stderr
    assert article.read_text(encoding="utf-8").startswith("Germany")  # untouched
    results = folder / "results.txt"  # an output inside the folder is fine, and may be written again
    for _ in range(2):
        out = run("score", str(folder), "-o", str(results), "-q")
        assert out.returncode == 0 and out.stderr == ""
        assert [json.loads(line)["id"] for line in results.read_text().splitlines()] == ["a.txt"]
    (folder / "empty.txt").write_text("")
    out = run("score", str(folder), "-o", str(results), "-q")
    assert out.returncode == 1 and "1 failed" in out.stderr


def test_classify_html_from_stdin_and_jsonl_refused(tmp_path):
    page = b"<html><script>var Russia = 1;</script><p>Germany praised France for its help.</p></html>"
    out = run_bytes("classify", "-", "--html", "--json", input=page)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.decode("utf-8"))
    assert {a["name"] for a in result["actors"]} == {"Germany", "France"}
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"text": "Germany praised France."}\n')
    out = run("classify", str(feed))
    assert out.returncode == 2 and "stance score" in out.stderr
