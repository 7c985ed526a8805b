"""Batch scoring (`stance score`): inputs, encodings, broken files, formats, resume, scale, parallel backends.

Most tests swap the model for a fast stand-in (monkeypatching ``stance.batch.iter_classify``) so they test the
folder machinery, not the model; the ones marked "real model" run the shipped model end to end.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEEDS
from stance import batch
from stance.batch import UnreadableFile, read_document, resume_state, score_folder
from stance.htmltext import html_to_text
from stance.results import ActorStance, ArticleResult, FailedItem

GENRES = ("reporting", "opinion", "satire", "interview")
HEADER = ["id", "genre", "mixed", "genre_reporting", "genre_opinion", "genre_satire", "genre_interview",
          "actor", "kind", "score", "label", "confidence", "mentions", "error", "error_message"]


# -- a fast stand-in for the model ------------------------------------------------------------------

class FakeModel:
    genres = GENRES
    path = None


def fake_result(item_id: str, text: str) -> ArticleResult | FailedItem:
    """Deterministic from the text: 'FAIL' fails; each of Russia/Ukraine in the text becomes an actor."""
    if "FAIL" in text:
        return FailedItem(item_id, "no_content", "stand-in failure")
    actors = [ActorStance(name, "country", [name], text.count(name), -0.5 if name == "Russia" else 0.25,
                          "negative" if name == "Russia" else "positive", 0.8)
              for name in ("Russia", "Ukraine") if name in text]
    genre = "opinion" if "I think" in text else "reporting"
    scores = {g: (0.7 if g == genre else 0.1) for g in GENRES}
    return ArticleResult(item_id, genre, scores, False, {genre: 1.0}, [], actors,
                         {"name": "fake", "version": str(len(text))})


def fake_iter_classify(model, items, *, n_jobs=1, batch_size=32, actors=None, render=None):
    for item_id, text in items:
        result = fake_result(item_id, text)
        yield result if render is None else render(result)


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(batch, "iter_classify", fake_iter_classify)
    return FakeModel()


def run_folder(model, folder, fmt="jsonl", **kwargs) -> tuple[str, batch.Summary, str]:
    out, err = io.StringIO(), io.StringIO()
    summary = score_folder(model, folder, out, fmt=fmt, progress=err, **kwargs)
    return out.getvalue(), summary, err.getvalue()


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def resumed_after_first_line(model, folder: Path, out: str) -> str:
    """The output of a run killed after its first line of ``out`` and then resumed."""
    out_path = folder / "out.jsonl"
    out_path.write_text(out.splitlines(keepends=True)[0], encoding="utf-8")
    state = resume_state(out_path, "jsonl", GENRES)
    with batch.open_output(out_path, append=True) as handle:
        score_folder(model, folder, handle, resume=state, progress=None, exclude="out.jsonl")
    return out_path.read_text(encoding="utf-8")


def cli(*args, timeout=240):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "stance", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout)


# -- HTML ---------------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><title>Site title</title><style>p { color: red }</style>
<script>var s = "<p>not text</p>";</script><meta charset="utf-8"></head>
<body><nav><ul><li>Home</li><li>World</li></ul></nav>
<article><h1>Kyiv &amp; Moscow trade &quot;blows&quot;</h1>
<p>Russia   attacked
Kharkiv on <b>Monday</b>,&nbsp;officials said.<br>Ukraine&#8217;s army responded.</p>
<div>A <span>second</span> block</div><noscript>enable JS</noscript><template><p>hidden</p></template>
<blockquote>Quoted words.</blockquote><table><tr><td>cell 1</td><td>cell 2</td></tr></table>
<section><p>caf&eacute; &lt;ok&gt;</p></section></article>
<script type="application/ld+json">{"@type": "NewsArticle"}</script></body></html>"""


def test_html_visible_text_blocks_and_entities():
    text = html_to_text(PAGE)
    assert "not text" not in text and "color" not in text and "NewsArticle" not in text
    assert "enable JS" not in text and "hidden" not in text and "Site title" not in text
    paragraphs = text.split("\n\n")
    assert paragraphs == [
        "Home", "World", 'Kyiv & Moscow trade "blows"',
        "Russia attacked Kharkiv on Monday, officials said.\nUkraine’s army responded.",
        "A second block", "Quoted words.", "cell 1 cell 2", "café <ok>",
    ]


def test_html_double_line_break_ends_a_paragraph():
    """Pages laid out with <br><br> instead of <p> show a blank line: each run is its own paragraph."""
    page = ("<div>First para.<br><br>Second para,<br>same paragraph.<br/>\n <br/>Third.<br></div>"
            "<p><br>Leading break.</p>")
    assert html_to_text(page).split("\n\n") == [
        "First para.", "Second para,\nsame paragraph.", "Third.", "Leading break."]


def test_html_hidden_elements_are_not_text():
    page = ('<p>Shown.</p><div hidden><p>Menu</p><p>Login</p></div><p style="display: none">Gone</p>'
            '<span style="color: red">Red</span><img hidden src="x.png"><p STYLE="Visibility:Hidden">Also gone</p>'
            '<p>After.</p>')
    assert html_to_text(page) == "Shown.\n\nRed\n\nAfter."


def test_html_file_is_read_as_visible_text(tmp_path):
    page = tmp_path / "page.htm"
    page.write_bytes(PAGE.replace('charset="utf-8"', 'charset="windows-1252"').replace("caf&eacute;", "caf\xe9")
                     .encode("cp1252"))
    text, fallback = read_document(page)
    assert "café <ok>" in text and fallback == "windows-1252"
    (tmp_path / "blank.html").write_text("<html><script>x()</script><p> </p></html>", encoding="utf-8")
    with pytest.raises(UnreadableFile) as info:
        read_document(tmp_path / "blank.html")
    assert info.value.reason == "empty"
    assert html_to_text("<head><title>t</title><body><p>open head</p>") == "open head"


# -- inputs ---------------------------------------------------------------------------------------------

def test_jsonl_records_default_ids_and_a_bad_line(tmp_path, fake):
    (tmp_path / "feed.jsonl").write_bytes(
        codecs.BOM_UTF8 + b'{"id": "a1", "text": "Russia shelled the port."}\n'
        b"\n"
        b'{"text": "No id here, Ukraine said."}\n'
        b"{not json\n"
        b'{"id": 7, "text": "An integer id."}\n'
        b'["a list"]\n'
        b'{"id": "nt", "title": "no text"}\n')
    out, summary, err = run_folder(fake, tmp_path)
    recs = records(out)
    assert [r["id"] for r in recs] == ["a1", "feed.jsonl:3", "feed.jsonl:4", "7", "feed.jsonl:6", "nt"]
    assert [r["error"]["type"] for r in recs if "error" in r] == ["bad_record"] * 3
    assert "line 4 is not valid JSON" in recs[2]["error"]["message"]
    assert [a["name"] for a in recs[1]["actors"]] == ["Ukraine"]
    assert (summary.scored, summary.failed) == (3, 3)
    assert "feed.jsonl:4: bad_record" in err


def test_duplicate_jsonl_ids_are_error_records_under_their_line_and_resume_exactly(tmp_path, fake):
    (tmp_path / "a.jsonl").write_text(
        '{"id": "x", "text": "Russia shelled the port."}\n'
        '{"id": "x", "text": "Ukraine said it again."}\n'
        '{"id": "y", "text": "Kyiv answered."}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"id": "y", "text": "Another y."}\n{"id": "x", "title": "bad, and x"}\n',
                                      encoding="utf-8")
    out, summary, _ = run_folder(fake, tmp_path)
    recs = records(out)
    assert [r["id"] for r in recs] == ["x", "a.jsonl:2", "y", "b.jsonl:1", "b.jsonl:2"]
    assert [r.get("error", {}).get("type") for r in recs] == [None, "duplicate_id", None, "duplicate_id", "bad_record"]
    assert "id 'x' is taken by an earlier record" in recs[1]["error"]["message"]
    assert (summary.scored, summary.failed) == (2, 3)
    # killed after the first line: the resumed run still ends with one line per record
    assert resumed_after_first_line(fake, tmp_path, out) == out


def test_encodings_bom_utf16_and_reported_cp1252_fallback(tmp_path, fake):
    text = "Zelensky’s café: Russia"
    (tmp_path / "a_bom.txt").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    (tmp_path / "b_utf16le.txt").write_bytes(text.encode("utf-16"))  # with BOM
    (tmp_path / "c_utf16be.md").write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    (tmp_path / "d_cp1252.txt").write_bytes(text.encode("cp1252"))
    (tmp_path / "e_plain.txt").write_text(text, encoding="utf-8")
    for name in ("a_bom.txt", "b_utf16le.txt", "c_utf16be.md", "e_plain.txt"):
        assert read_document(tmp_path / name) == (text, None), name
    assert read_document(tmp_path / "d_cp1252.txt") == (text, "cp1252")
    out, summary, err = run_folder(fake, tmp_path)
    recs = records(out)
    assert len(recs) == 5 and all("error" not in r for r in recs)  # the cp1252 file is kept, and scored
    assert {r["model"]["version"] for r in recs} == {str(len(text))}  # every file decoded to the same text
    assert summary.fallback == 1 and "1 read as cp1252" in summary.line()
    assert "warning: d_cp1252.txt: not UTF-8, read as cp1252" in err


def test_each_broken_file_kind_becomes_its_error_record(tmp_path, fake, monkeypatch):
    good = "Ukraine and Russia talked."
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "controls.txt").write_bytes(bytes(range(1, 32)) * 20)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_bytes(b" \n\t\n")
    (tmp_path / "big.txt").write_text(good * 100, encoding="utf-8")
    (tmp_path / "encoding.txt").write_bytes(b"bytes \x81\x8d\x90 no codec reads")
    (tmp_path / "utf16_odd.txt").write_bytes(codecs.BOM_UTF16_LE + b"a\x00b")
    (tmp_path / "locked.txt").write_text(good, encoding="utf-8")
    (tmp_path / "scripts_only.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (tmp_path / "zz_good.txt").write_text(good, encoding="utf-8")
    locked = tmp_path / "locked.txt"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        locked.chmod(0)
    else:  # root reads anything: make the read fail the way a permission error does
        real_open = open

        def guarded_open(file, *args, **kwargs):
            if Path(file) == locked:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr("builtins.open", guarded_open)
    try:
        out, summary, err = run_folder(fake, tmp_path, max_bytes=1000)
    finally:
        locked.chmod(0o644)
    by_id = {r["id"]: r for r in records(out)}
    expected = {"binary.txt": "binary", "controls.txt": "binary", "empty.txt": "empty", "blank.md": "empty",
                "big.txt": "too_large", "encoding.txt": "encoding", "utf16_odd.txt": "encoding",
                "locked.txt": "unreadable", "scripts_only.html": "empty"}
    assert {k: by_id[k]["error"]["type"] for k in expected} == expected
    assert "Permission denied" in by_id["locked.txt"]["error"]["message"]
    assert "--max-bytes" in by_id["big.txt"]["error"]["message"]
    assert "error" not in by_id["zz_good.txt"] and len(by_id) == 10
    assert (summary.scored, summary.failed) == (1, 9)


def test_ids_are_unique_across_files_and_records_and_resume_loses_nothing(tmp_path, fake):
    # a record takes a file's path as its id, another takes the next line's default id
    (tmp_path / "a.jsonl").write_text('{"id": "z.txt", "text": "Russia spoke."}\n'
                                      '{"id": "a.jsonl:3", "text": "Ukraine spoke."}\n'
                                      '{"text": "Kyiv spoke."}\n', encoding="utf-8")
    (tmp_path / "z.txt").write_text("Ukraine answered.", encoding="utf-8")
    out, summary, _ = run_folder(fake, tmp_path)
    recs = records(out)
    assert [r["id"] for r in recs] == ["z.txt", "a.jsonl:3", "a.jsonl:3#2", "z.txt#2"]
    assert [r.get("error", {}).get("type") for r in recs] == [None, None, "duplicate_id", "duplicate_id"]
    assert "default id" in recs[2]["error"]["message"] and "JSONL record" in recs[3]["error"]["message"]
    assert resumed_after_first_line(fake, tmp_path, out) == out  # nothing lost, nothing twice


def test_bad_ids_lone_surrogates_and_an_old_output_are_error_records(tmp_path, fake):
    (tmp_path / "a.jsonl").write_text('{"id": "ok", "text": "Russia spoke."}\n'
                                      '{"id": "s", "text": "Bad \\ud800 text."}\n'
                                      '{"id": "", "text": "Empty id."}\n'
                                      '{"id": "two\\nlines", "text": "A line break in the id."}\n'
                                      '{"id": "last", "text": "Ukraine spoke."}\n', encoding="utf-8")
    (tmp_path / "old_output.jsonl").write_text('{"id": "ok", "genre": "reporting", "paragraphs": []}\n'
                                               '{"id": "x", "error": {"type": "empty", "message": "m"}}\n',
                                               encoding="utf-8")
    out, summary, _ = run_folder(fake, tmp_path)
    recs = records(out)  # the output is valid UTF-8 JSON throughout
    assert [r["id"] for r in recs] == ["ok", "s", "a.jsonl:3", "a.jsonl:4", "last", "old_output.jsonl"]
    assert [r.get("error", {}).get("type") for r in recs] == [
        None, "encoding", "bad_record", "bad_record", None, "bad_record"]
    assert "lone surrogate" in recs[1]["error"]["message"] and "empty" in recs[2]["error"]["message"]
    assert "line break" in recs[3]["error"]["message"] and "stance's own output" in recs[5]["error"]["message"]
    assert batch.count_items(tmp_path) == len(recs)


def test_utf16_without_bom_is_named_in_the_error(tmp_path, fake):
    (tmp_path / "u.txt").write_bytes("Russia and Ukraine, in UTF-16 without a BOM.".encode("utf-16-le"))
    rec = records(run_folder(fake, tmp_path)[0])[0]
    assert rec["error"]["type"] == "encoding" and "UTF-16 without a byte-order mark" in rec["error"]["message"]


def test_glob_double_star_also_matches_top_level_files(tmp_path, fake):
    for rel in ("top.txt", "a/b/deep.txt", "a/c.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("Russia", encoding="utf-8")
    ids = [r["id"] for r in records(run_folder(fake, tmp_path, globs=["**/*.txt"])[0])]
    assert ids == ["a/b/deep.txt", "top.txt"]


def test_glob_narrows_and_order_is_stable(tmp_path, fake):
    for rel in ("b/x.html", "a/y.txt", "a/z.md", "top.txt", "a/deep/w.html", "notes.csv"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<p>Russia</p>" if rel.endswith("html") else "Russia", encoding="utf-8")
    ids = lambda **kw: [r["id"] for r in records(run_folder(fake, tmp_path, **kw)[0])]
    assert ids() == ["a/deep/w.html", "a/y.txt", "a/z.md", "b/x.html", "top.txt"]
    assert ids(globs=["*.html"]) == ["a/deep/w.html", "b/x.html"]
    assert ids(globs=["a/*"]) == ["a/deep/w.html", "a/y.txt", "a/z.md"]
    assert ids(globs=["a/*.txt", "top.*"]) == ["a/y.txt", "top.txt"]
    assert ids(globs=["*.csv"]) == []
    assert ids(globs=["*.HTML", "A/*.TXT"]) == ids(globs=["*.html", "a/*.txt"])  # any case, like the suffixes


# -- outputs ----------------------------------------------------------------------------------------------

def test_csv_columns_rows_per_actor_and_error_rows(tmp_path, fake):
    (tmp_path / "a.txt").write_text("Russia hit Ukraine, Russia said.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("I think nobody is named here.", encoding="utf-8")
    (tmp_path / "c.txt").write_bytes(b"")
    (tmp_path / "d.txt").write_text("FAIL, with a comma", encoding="utf-8")
    out, summary, _ = run_folder(fake, tmp_path, fmt="csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == HEADER
    body = [dict(zip(HEADER, row)) for row in rows[1:]]
    assert [(r["id"], r["actor"]) for r in body] == [("a.txt", "Russia"), ("a.txt", "Ukraine"), ("b.txt", ""),
                                                    ("c.txt", ""), ("d.txt", "")]
    russia = body[0]
    assert (russia["genre"], russia["mixed"], russia["genre_reporting"], russia["kind"], russia["score"],
            russia["label"], russia["confidence"], russia["mentions"], russia["error"]) == \
        ("reporting", "false", "0.7", "country", "-0.5", "negative", "0.8", "2", "")
    assert body[2]["genre"] == "opinion" and body[2]["kind"] == body[2]["score"] == ""
    assert (body[3]["error"], body[3]["genre"]) == ("empty", "")
    assert body[4]["error"] == "no_content" and body[4]["error_message"] == "stand-in failure"
    assert all(len(row) == len(HEADER) for row in rows)


def test_results_are_flushed_one_by_one_and_files_read_lazily(tmp_path, monkeypatch):
    for i in range(50):
        (tmp_path / f"{i:03d}.txt").write_text(f"Article {i} about Russia.", encoding="utf-8")
    out_path = tmp_path.parent / f"{tmp_path.name}.out.jsonl"
    reads = []
    real_read = batch.read_document
    monkeypatch.setattr(batch, "read_document", lambda path, max_bytes: reads.append(path) or real_read(path, max_bytes))
    lag = []

    def checking_iter(model, items, render, **kwargs):
        for n, (item_id, text) in enumerate(items):
            # everything returned before this item is already on disk, as whole lines
            assert out_path.read_bytes().count(b"\n") == n
            lag.append(len(reads) - n)
            yield render(fake_result(item_id, text))

    monkeypatch.setattr(batch, "iter_classify", checking_iter)
    with batch.open_output(out_path, append=False) as out:
        summary = score_folder(FakeModel(), tmp_path, out, progress=None)
    assert summary.scored == 50 and max(lag) == 1  # one file read ahead of the results, never the whole folder
    assert len(records(out_path.read_text(encoding="utf-8"))) == 50


# -- resume --------------------------------------------------------------------------------------------

def _folder_with_broken(tmp_path, n=30):
    folder = tmp_path / "pages"
    folder.mkdir()
    for i in range(n):
        (folder / f"{i:03d}.txt").write_text(f"Report {i}: Russia and Ukraine. " * (i % 5 + 1), encoding="utf-8")
    (folder / "015.txt").write_bytes(b"")  # an error record in the middle
    return folder


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_after_a_kill_repairs_the_last_line_and_finishes_exactly_once(tmp_path, fake, fmt):
    folder = _folder_with_broken(tmp_path)
    reference, _, _ = run_folder(fake, folder, fmt=fmt)
    data = reference.encode("utf-8")
    lines = data.splitlines(keepends=True)
    cut = len(b"".join(lines[:12])) + len(lines[12]) // 2  # 12 whole lines, then half of the next: a kill mid-write
    out_path = tmp_path / f"out.{fmt}"
    out_path.write_bytes(data[:cut])
    state = resume_state(out_path, fmt, GENRES)
    assert state.repaired_bytes > 0 and out_path.read_bytes().endswith(b"\n")
    with batch.open_output(out_path, append=True) as out:
        summary = score_folder(fake, folder, out, fmt=fmt, resume=state, progress=None)
    assert out_path.read_bytes() == data  # the same bytes as one uninterrupted run
    assert summary.skipped == state.records and summary.skipped + summary.total == 30
    if fmt == "jsonl":
        ids = [json.loads(line)["id"] for line in out_path.read_text(encoding="utf-8").splitlines()]
        assert len(ids) == len(set(ids)) == 30
    # resuming a finished output changes nothing (CSV re-scores the last article: it cannot tell it was whole)
    state = resume_state(out_path, fmt, GENRES)
    with batch.open_output(out_path, append=True) as out:
        summary = score_folder(fake, folder, out, fmt=fmt, resume=state, progress=None)
    assert summary.total == (0 if fmt == "jsonl" else 1) and out_path.read_bytes() == data


def test_resume_refuses_an_output_it_did_not_write(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text('{"id": "a"}\nthis is not json\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(batch.ResumeError, match="line 2"):
        resume_state(path)
    path.write_text("some,other,header\n", encoding="utf-8")
    with pytest.raises(batch.ResumeError, match="header"):
        resume_state(path, "csv", GENRES)


# -- scale ------------------------------------------------------------------------------------------------

def test_two_thousand_files_with_one_percent_broken(tmp_path, fake):
    """The issue's 20,000 files with 1% broken, scaled down, with a stand-in model."""
    folder = tmp_path / "corpus"
    broken = {}
    for i in range(2000):
        sub = folder / f"part{i // 500}"
        sub.mkdir(parents=True, exist_ok=True)
        rel = f"part{i // 500}/{i:05d}.txt"
        if i % 100 == 37:
            kind = ("binary", "empty", "encoding", "too_large")[(i // 100) % 4]
            data = {"binary": b"\x00\x01\x02" * 50, "empty": b"", "encoding": b"caf\x81 \x90",
                    "too_large": b"Russia " * 2000}[kind]
            (folder / rel).write_bytes(data)
            broken[rel] = kind
        else:
            (folder / rel).write_text(f"Page {i}. Russia said Ukraine " + "words " * (i % 40), encoding="utf-8")
    out, summary, err = run_folder(fake, folder, max_bytes=10_000, progress_every=500)
    recs = records(out)
    assert [line.split(" (")[0] for line in err.splitlines() if " files (" in line] == \
        [f"stance: {n}/2000 files" for n in (500, 1000, 1500, 2000)]  # stderr is not a terminal: progress lines
    assert len(recs) == 2000 and [r["id"] for r in recs] == sorted(r["id"] for r in recs)
    assert {r["id"]: r["error"]["type"] for r in recs if "error" in r} == broken
    assert (summary.scored, summary.failed, len(broken)) == (1980, 20, 20)


# -- the real model, end to end ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("seedpages")
    seeds = sorted(SEEDS.glob("*.txt"))
    for k in range(4):
        for seed in seeds:
            text = seed.read_text(encoding="utf-8")
            if k == 1:
                html = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
                (folder / f"{k}_{seed.stem}.html").write_text(f"<html><body>{html}</body></html>", encoding="utf-8")
            elif k == 2:
                (folder / f"{k}_{seed.stem}.txt").write_bytes(text.encode("utf-16"))
            else:
                (folder / f"{k}_{seed.stem}.md").write_text(text, encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\xff" * 40)
    (folder / "records.jsonl").write_text(
        json.dumps({"id": "r1", "text": seeds[0].read_text(encoding="utf-8")}) + "\n{oops\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def seed_reference(seed_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "one.jsonl"
    done = cli("score", seed_folder, "-o", out, "-q")
    assert done.returncode == 1, done.stderr  # the broken file and the bad jsonl line
    assert "21 scored, 2 failed" in done.stderr
    return out.read_text(encoding="utf-8")


def test_real_model_folder_parallel_equals_single(seed_folder, seed_reference, tmp_path):
    recs = records(seed_reference)
    assert len(recs) == 23
    by_id = {r["id"]: r for r in recs}
    assert by_id["broken.txt"]["error"]["type"] == "binary"
    assert by_id["records.jsonl:2"]["error"]["type"] == "bad_record"
    # the same article as .md, .html and UTF-16 .txt gets the same genre
    for seed in sorted(SEEDS.glob("*.txt")):
        genres = {by_id[f"{k}_{seed.stem}.{ext}"]["genre"] for k, ext in ((0, "md"), (1, "html"), (2, "txt"))}
        assert len(genres) == 1, seed.name
    done = cli("score", seed_folder, "-o", tmp_path / "two.jsonl", "-q", "--jobs", "2", "--batch-size", "3")
    assert done.returncode == 1
    assert (tmp_path / "two.jsonl").read_text(encoding="utf-8") == seed_reference


def test_real_model_cli_csv_resume_and_usage_errors(seed_folder, seed_reference, tmp_path):
    done = cli("score", seed_folder, "--format", "csv", "-q", "--glob", "0_*")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == HEADER and {r["id"] for r in rows} == {f"0_{s.stem}.md" for s in SEEDS.glob("*.txt")}
    # a killed run: 7 whole lines, then a cut line; --resume finishes it
    out = tmp_path / "resumed.jsonl"
    lines = seed_reference.encode("utf-8").splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:7]) + lines[7][: len(lines[7]) // 3])
    done = cli("score", seed_folder, "-o", out, "--resume")
    assert done.returncode == 1 and "resuming: 7 records" in done.stderr and "7 already in the output" in done.stderr
    assert out.read_text(encoding="utf-8") == seed_reference
    assert cli("score", seed_folder, "--resume").returncode == 2  # nothing to resume on stdout
    assert cli("score", seed_folder, "--jobs", "0").returncode == 2


def test_real_model_kill_9_then_resume_gives_one_line_per_input(tmp_path):
    import signal
    import time

    folder = tmp_path / "pages"
    folder.mkdir()
    paragraphs = [p for seed in sorted(SEEDS.glob("*.txt")) for p in seed.read_text(encoding="utf-8").split("\n")
                  if len(p) > 250]
    for i in range(240):
        (folder / f"{i:04d}.txt").write_text("\n\n".join(paragraphs[i % len(paragraphs):][:2]), encoding="utf-8")
    (folder / "0100.txt").write_bytes(b"")
    out = tmp_path / "out.jsonl"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "stance", "score", str(folder), "-o", str(out), "-q"], env=env,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if out.exists() and out.read_bytes().count(b"\n") >= 40:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = out.read_bytes().count(b"\n")
    assert 0 < before < 240  # killed mid-run
    done = cli("score", folder, "-o", out, "--resume", "-q")
    assert done.returncode == 1, done.stderr  # the empty file
    recs = records(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in recs] == [f"{i:04d}.txt" for i in range(240)]
    assert [r["id"] for r in recs if "error" in r] == ["0100.txt"]


def test_dask_backend_equals_single_process(seed_folder, seed_reference, tmp_path):
    pytest.importorskip("distributed", reason="the dask backend needs `pip install 'stance[dask]'`")
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        done = cli("score", seed_folder, "-o", tmp_path / "dask.jsonl", "-q", "--backend", "dask",
                   "--scheduler", cluster.scheduler_address, "--batch-size", "4")
    assert done.returncode == 1, done.stderr
    assert (tmp_path / "dask.jsonl").read_text(encoding="utf-8") == seed_reference
