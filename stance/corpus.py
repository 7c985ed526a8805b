"""Readers for the default training corpus (the ``shared/data`` layout described in its README).

Third-party text is never copied into stance: these functions read it from a path at training time. They
are used by ``scripts/train_model.py`` (the shipped model) and by ``stance train --include-default-data``.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .errors import TrainingDataError
from .model import sha256_file
from .text import split_paragraphs, split_sentences

STANCE_FILE = "stance/newsmtsc_train.jsonl"
STANCE_TERMS = {
    "newsmtsc_train.jsonl": "NewsMTSC (Hamborg & Donnay, EACL 2021), MIT",
    "finentity.jsonl": "FinEntity (Tang et al. 2023), no licence file",
    "basil_sentences.jsonl": "BASIL (Fan et al. 2019), no licence file",
}


def read_stance_rows(path: Path) -> tuple[list[str], list[list[tuple[int, int]]], list[int], int]:
    """Sentence-level stance rows → (texts, target spans, labels, rows skipped because the actor is absent).

    Rows with ``span: null`` get the first case-sensitive occurrence of the actor (then a case-insensitive one).
    """
    texts, spans, labels, skipped = [], [], [], 0
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, actor, label = row["text"], row["actor"], int(row["stance"])
            except (ValueError, KeyError, TypeError) as exc:
                raise TrainingDataError(f"{path}:{line_no}: not a stance row ({exc})") from exc
            if label not in (-1, 0, 1):
                raise TrainingDataError(f"{path}:{line_no}: stance must be -1, 0 or 1, got {label}")
            span = row.get("span")
            if span is None:
                start = text.find(actor) if actor else -1
                if start < 0 and actor:
                    start = text.lower().find(actor.lower())
                if start < 0:
                    skipped += 1
                    continue
                span = (start, start + len(actor))
            start, end = int(span[0]), int(span[1])
            if not 0 <= start < end <= len(text):
                raise TrainingDataError(f"{path}:{line_no}: span {span} is out of range for a {len(text)}-character text")
            texts.append(text)
            spans.append([(start, end)])
            labels.append(label)
    return texts, spans, labels, skipped


def default_stance_examples(data_dir: str | Path, files: tuple[str, ...] = (STANCE_FILE,)):
    """The default stance corpus → (texts, targets, labels, provenance)."""
    data_dir = Path(data_dir)
    texts: list[str] = []
    targets: list[list[tuple[int, int]]] = []
    labels: list[int] = []
    provenance: list[dict[str, Any]] = []
    for name in files:
        path = data_dir / name
        if not path.is_file():
            raise TrainingDataError(f"{path} not found; point the data path at the shared data folder (it holds genre/ and stance/)")
        t, s, y, skipped = read_stance_rows(path)
        provenance.append({
            "file": name, "sha256": sha256_file(path), "rows": len(t), "skipped_actor_not_found": skipped,
            "label_counts": {str(k): v for k, v in sorted(Counter(y).items())},
            "terms": STANCE_TERMS.get(Path(name).name, ""),
        })
        texts += t
        targets += s
        labels += y
    return texts, targets, labels, provenance


# -- genre ------------------------------------------------------------------------------------------
# How the genre corpus is built (genre ← file; source group used for leave-source-out evaluation):
# Reads third-party text by path (default ``../shared/data`` beside the repository); nothing is copied into the repo.
#
# Sources (genre ← file, source group used for leave-source-out evaluation):
#
# * satire    ← genre/golbeck_satire.jsonl (group = satire site), genre/horne_political.jsonl Satire rows
# * reporting ← genre/horne_political.jsonl Real rows (random sample / BuzzFeed sample are separate groups;
#               the BuzzFeed rows take our own labels from stance/data/genre_relabels.json: about half are
#               op-eds and editorials, which become opinion),
#               stance/basil_articles.jsonl (news articles, deduplicated; group = outlet),
#               stance/persent_dev_documents.jsonl (news articles from many outlets; PerSenT's preprocessing
#               artefacts (lost commas, tokens, padded mentions) are undone by ``persent_text``; group = outlet named in the dateline/credit line,
#               ``persent:unknown`` for the rest, so leave-source-out holds out whole outlets and every fold
#               still trains on some of this wide-topic reporting)
# * opinion   ← genre/webis_editorials.jsonl (group = aljazeera / foxnews / guardian)
# * interview ← genre/poldis_interviews.jsonl (group = broadcaster/publication from the title),
#               genre/poldis_press_conferences.jsonl (Q&A, not interview articles: capped at a small share)
#
# Onion headlines are not articles and never enter this corpus (nor, so, any evaluation fold): one-line,
# title-case headlines are not article paragraphs.  ``load_headlines`` reads them separately, for a small
# satire-vs-reporting headline model whose log-odds is one stage-1 feature of GenreClassifier
# (``headline_feature``); measured in reports/genre_headlines.md.
#
# Artefacts that do not generalise are stripped: URLs, e-mail/Twitter handles, datelines
# ("WASHINGTON (Reuters) —"), outlet and site names, bracketed transcript notes ("[Laughter]"), all-caps
# section headers of the press-conference transcripts, "Follow … on Twitter"/"Click here" lines, and
# boilerplate paragraphs found by ``stance.text.split_paragraphs``.  Speaker prefixes stay.  Long articles
# (transcripts) are cut to a random contiguous window of at most ``MAX_PARAGRAPHS`` paragraphs; each genre is
# capped at ``CLASS_CAP`` articles drawn round-robin across its source groups.

MAX_PARAGRAPHS = 24
CLASS_CAP = 320
CLASS_CAPS: dict[str, int] = {}   # per-genre overrides of CLASS_CAP
PERSENT_BY_OUTLET = True
EXCLUDE_GROUPS: tuple[str, ...] = ()
PRESS_CONF_SHARE = 0.15   # at most this share of the interview class from press conferences
FILES = {
    "golbeck": "genre/golbeck_satire.jsonl",
    "horne": "genre/horne_political.jsonl",
    "webis": "genre/webis_editorials.jsonl",
    "poldis_int": "genre/poldis_interviews.jsonl",
    "poldis_conf": "genre/poldis_press_conferences.jsonl",
    "basil": "stance/basil_articles.jsonl",
    "persent": "stance/persent_dev_documents.jsonl",
}
TERMS = {
    "golbeck": "Golbeck et al. 2018 (jgolbeck/fakenews): no licence file; the authors ask to be cited",
    "horne": "Horne & Adali 2017 (rpitrust/fakenewsdata1): BSD-style notice, keep the notice, cite the paper",
    "webis": "Webis-Editorials-16 (webis-de/COLING-20): no licence file; research corpus",
    "poldis_int": "American Presidency Project via henriquesposito/poldis: package MIT; public record",
    "poldis_conf": "American Presidency Project via henriquesposito/poldis: package MIT; public record",
    "basil": "BASIL, Fan et al. 2019 (launchnlp/BASIL): no licence file",
    "persent": "PerSenT, Bastan et al. 2020: no licence file",
}

OUTLETS = [
    "Reuters", "Associated Press", r"\(AP\)", "AP", "AFP", "Agence France-Presse", "CNN", "Fox News",
    "FoxNews", "Fox Business", "Fox", "The Guardian", "Guardian", "Al Jazeera", "Aljazeera", "BuzzFeed",
    "BuzzFeed News", "New York Times", "NYT", "The Times", "Washington Post", "Huffington Post",
    "HuffPost", "HuffPo", "The Onion", "Onion", "Babylon Bee", "NPR", "MSNBC", "CBS News", "ABC News",
    "NBC News", "Bloomberg", "Politico", "The Hill", "Breitbart", "Daily Mail", "USA Today",
    "Wall Street Journal", "WSJ", "Empire News", "National Report", "World News Daily Report",
    "The Spoof", "SatireWire", "The Shovel", "Landover Baptist", "People's Cube", "Peedmont",
    "Newslo", "Daily Currant", "Duffel Blog", "Borowitz Report", "Borowitz", "ClickHole", "Reductress",
    "Eye of the Tiber", "News Thump", "NewsThump", "Waterford Whispers", "Free Wood Post",
    "Daily Mash", "Weekly World News", "Faking News", "The Beaverton", "Beaverton", "Rockcity Times",
]
_OUTLET_RE = re.compile(r"(?<![\w-])(?:" + "|".join(sorted(OUTLETS, key=len, reverse=True)) + r")(?![\w-])")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|co\.uk|com\.au|info)\b(?:/\S*)?", re.I)
_HANDLE = re.compile(r"(?<!\w)@\w+|\S+@\S+\.\w+")
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Za-z.'\-]*(?:[ ,]+[A-Z][A-Za-z.'\-]*){0,4}\s*)?(?:\([^)]{1,40}\)\s*)?[—–-]{1,2}\s+"
    r"|^\([A-Za-z .]{2,30}\)\s*[—–-]*\s*")
_BRACKET = re.compile(r"\s*\[[^\]]{0,80}\]")
_DROP_LINE = re.compile(r"^(?:follow\b.*\b(?:twitter|facebook)|click here|read more|share this|related:|"
                        r"image:|photo:|video:|advertisement|sign up|subscribe)", re.I)
_TWOSPACE = re.compile(r"(?<=\w)  (?=\w)")
_MANYSPACE = re.compile(r"(?<=\S) {3,}(?=\S)")
_QUOTE_LOST_COMMA = re.compile(r"(?<=\w) ([\"”])(?= )")


_PERSENT_OUTLETS = [  # (group, pattern searched in the first 300 characters: dateline/credit line)
    ("ap", r"\(AP\)|Associated Press"), ("reuters", r"\(Reuters\)|REUTERS|Reuters"), ("afp", r"\bAFP\b"),
    ("cnn", r"\bCNN\b"), ("fox", r"Fox News|FoxNews"), ("bbc", r"\bBBC\b"), ("xinhua", r"Xinhua"),
    ("nyt", r"New York Times"), ("wapo", r"Washington Post"), ("bloomberg", r"Bloomberg"),
    ("abc", r"\bABC\b"), ("nbc", r"\bNBC\b"), ("cbs", r"\bCBS\b"), ("vatican", r"Vatican Radio"),
]


def persent_outlet(text: str) -> str:
    """PerSenT has no outlet field: the outlet named in the dateline/credit line, else ``unknown`` (all
    unknown-outlet documents form one leave-source-out group, so no outlet is split across folds by it)."""
    head = text[:300]
    for name, pat in _PERSENT_OUTLETS:
        if re.search(pat, head):
            return name
    return "unknown"


_PRONOUNS = "he him his himself she her hers herself they them their theirs themselves it its itself"
_PADDING_MIN = 2  # flanked mentions that show a plain row pads its mentions


def _unpad_mentions(text: str, actor: str) -> str:
    """Some plain rows also pad each mention of the main entity (its name's words and the pronouns that
    refer to it) with a space on both sides, on top of the lost commas: "on Monday   Norishige Kanai
    claimed  he  had" is "on Monday, Norishige Kanai claimed he had".  Where such padded mentions occur,
    one space is taken off each side of every mention before the commas are restored."""
    words = {w for w in re.findall(r"[A-Za-z][\w'’-]*", actor) if len(w) > 1}
    words |= {w for p in _PRONOUNS.split() for w in (p, p.capitalize())}
    mention = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    flanked = re.compile(rf"(?<=\S)  (?:{mention})  (?=\S)")
    if len(flanked.findall(text)) < _PADDING_MIN:
        return text
    text = re.sub(rf"(?<= ) (?=(?:{mention})\b)", "", text)  # the space before a mention
    return re.sub(rf"\b({mention}) (?= )", r"\1", text)  # and the one after it


def persent_text(text: str, actor: str = "") -> str:
    """Undo PerSenT's preprocessing.  Plain rows lost their commas ("In 2006  Benjamin"), and some also pad
    the mentions of ``actor`` (the row's main entity) with spaces; tokenised rows ("U . S .", "Pai 's") pad
    entity mentions with spaces ("on  his  plan") and lost commas became 3+ spaces.  Left as is, these
    artefacts make PerSenT look unlike any other reporting."""
    text = text.replace("-LRB-", "(").replace("-RRB-", ")")
    if text.count(" . ") >= 3 or " 's " in text:
        text = _MANYSPACE.sub(", ", text)
        text = re.sub(r"(?<=\S)  (?=\S)", " ", text)
        text = re.sub(r"\b([A-Z]) \. ([A-Z]) \.", r"\1.\2.", text)
        text = re.sub(r"(?<=\w) ?(['’]) ?(s|t|re|ve|ll|d|m)\b", r"\1\2", text)
        text = re.sub(r" (n't\b)", r"\1", text)
        text = re.sub(r"(?<=\w) - (?=\w)", "-", text)
        text = re.sub(r" ([.,;:!?%)\]])", r"\1", text)
        text = re.sub(r"([(\[$]) ", r"\1", text)
        return text
    text = _TWOSPACE.sub(", ", _unpad_mentions(text, actor) if actor else text)
    return _QUOTE_LOST_COMMA.sub(r",\1", text)  # 'suckers " Koellmann said' was 'suckers," Koellmann said'


_NETWORKS = ["CNN", "CBS", "ABC", "NBC", "MSNBC", "Fox", "FOX", "National Public Radio", "NPR", "PBS", "ESPN",
             "Univision", "Telemundo", "BBC", "Bloomberg", "CNBC", "New York Times", "Washington Post",
             "Wall Street Journal", "Time", "Newsweek", "Associated Press", "Reuters", "Sirius", "Radio",
             "Television", "Magazine", "News", "Journal", "Times", "Post"]


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def clean_paragraph(text: str) -> str:
    text = re.sub(r"â\S{0,2}|Ã\S?|Â", "", text)  # mojibake in some Horne rows
    text = _URL.sub("", text)
    text = _HANDLE.sub("", text)
    text = _BRACKET.sub("", text)
    text = _OUTLET_RE.sub("", text)
    text = re.sub(r"\(\s*(?:The|the)?\s*\)", "", text)
    text = _DATELINE.sub("", text.strip(), count=1) if len(text) > 60 else text
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    return text.strip(" \t-—–|")


def to_paragraphs(text: str, *, pseudo: bool = False, caps_headers: bool = False) -> list[str]:
    """Clean, split (stance.text) and drop boilerplate; ``pseudo`` splits single-block texts by sentences."""
    out = []
    for p in split_paragraphs(text):
        if p.boilerplate or _DROP_LINE.match(p.text):
            continue
        if caps_headers and p.text.upper() == p.text and len(p.text) < 100:
            continue
        t = clean_paragraph(p.text)
        if len(t) >= 3 and re.search(r"[A-Za-z]", t):
            out.append(t)
    if pseudo and len(out) <= 2 and sum(map(len, out)) > 800:
        sents = []
        for para in out:
            sents += [para[s:e] for s, e in split_sentences(para)]
        rng = np.random.default_rng(len(text))
        out, cur = [], []
        for s in sents:
            cur.append(s)
            if len(cur) >= int(rng.integers(2, 5)):
                out.append(" ".join(cur))
                cur = []
        if cur:
            out.append(" ".join(cur))
    return out


def window(paragraphs: list[str], rng: np.random.Generator, max_len: int = MAX_PARAGRAPHS) -> list[str]:
    if len(paragraphs) <= max_len:
        return paragraphs
    start = int(rng.integers(0, len(paragraphs) - max_len + 1))
    return paragraphs[start:start + max_len]


def _network(title: str) -> str:
    for n in _NETWORKS:
        if re.search(r"\b" + re.escape(n) + r"\b", title):
            return n.lower().replace("fox", "fox").replace("national public radio", "npr")
    return "other"


def genre_relabels() -> dict[str, str]:
    """Our own labels for rows whose source label is unreliable (``stance/data/genre_relabels.json``): row id →
    genre, or "drop" for rows we could not decide."""
    with open(Path(__file__).parent / "data" / "genre_relabels.json", encoding="utf-8") as f:
        return json.load(f)["labels"]


def load_examples(data_dir: Path, relabel: bool = True) -> tuple[list[dict], dict]:
    """Every usable article: {"paragraphs", "genre", "group", "file"} plus provenance of the input files.

    With ``relabel``, rows listed in ``genre_relabels()`` take our label instead of the source's (the BuzzFeed
    sample of Horne's "real" news, about half of which are op-eds and editorials)."""
    data_dir = Path(data_dir)
    relabels = genre_relabels() if relabel else {}
    rng = np.random.default_rng(12345)
    examples: list[dict] = []
    provenance = {"data_dir": str(data_dir), "files": {}}

    def add(paragraphs, genre, group, key):
        if len(paragraphs) >= 1 and sum(map(len, paragraphs)) >= 200:
            examples.append({"paragraphs": window(paragraphs, rng), "genre": genre, "group": group, "file": key})

    for key, rel in FILES.items():
        path = data_dir / rel
        if not path.exists():
            raise TrainingDataError(f"{path} is missing; point the data path at the shared data folder (it holds genre/ and stance/)")
        provenance["files"][rel] = {"sha256": sha256_file(path), "terms": TERMS[key]}
        rows = read_jsonl(path)
        if key == "golbeck":
            for r in rows:
                add(to_paragraphs(r["text"], pseudo=True), "satire", f"golbeck:{r.get('outlet') or 'unknown'}", key)
        elif key == "horne":
            for r in rows:
                part = r["source"].split("!")[-1]
                sub = "buzzfeed" if "Buzzfeed" in part else "random"
                kind = "satire" if "/Satire/" in part else ("real" if "/Real/" in part else None)
                if kind is None:
                    continue
                genre = relabels.get(r["id"], "satire" if kind == "satire" else "reporting")
                if genre == "drop":
                    continue
                add(to_paragraphs(r["text"], pseudo=True), genre, f"horne:{sub}-{kind}", key)
        elif key == "webis":
            for r in rows:
                outlet = r["source"].split("data-source/")[-1].split("/")[0]
                add(to_paragraphs(r["text"]), "opinion", f"webis:{outlet}", key)
        elif key == "poldis_int":
            for r in rows:
                add(to_paragraphs(r["text"]), "interview", f"poldis-int:{_network(r.get('title', ''))}", key)
        elif key == "poldis_conf":
            for r in rows:
                add(to_paragraphs(r["text"], caps_headers=True), "interview", "poldis-conf", key)
        elif key == "basil":
            seen = set()
            for r in rows:
                k = (r["triplet"], r["outlet"].lower())
                if k in seen:
                    continue
                seen.add(k)
                add(to_paragraphs(r["text"]), "reporting", f"basil:{r['outlet'].lower()}", key)
        elif key == "persent":
            seen = set()
            for r in rows:
                if r["doc_id"] in seen:
                    continue
                seen.add(r["doc_id"])
                text = persent_text(r["text"], r.get("actor") or "")
                group = f"persent:{persent_outlet(r['text'])}" if PERSENT_BY_OUTLET else "persent"
                add(to_paragraphs(text), "reporting", group, key)
    return examples, provenance


def build_genre_corpus(data_dir: Path, seed: int = 0, class_cap: int = CLASS_CAP,
                       class_caps: dict[str, int] | None = None, exclude_groups: Sequence[str] | None = None,
                       relabel: bool = True):
    """→ (articles, labels, groups, provenance); articles are lists of cleaned content paragraphs.

    Each genre is capped at ``class_cap`` articles drawn round-robin over its source groups (so one big
    source cannot dominate), with press conferences limited to ``PRESS_CONF_SHARE`` of the interview class.
    """
    examples, provenance = load_examples(Path(data_dir), relabel)
    rng = np.random.default_rng(seed)
    by_genre: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    excluded = set(EXCLUDE_GROUPS if exclude_groups is None else exclude_groups)
    for ex in examples:
        if ex["group"] not in excluded:
            by_genre[ex["genre"]][ex["group"]].append(ex)
    chosen: list[dict] = []
    for genre in sorted(by_genre):
        groups = by_genre[genre]
        for g in groups.values():
            rng.shuffle(g)
        caps = {name: (int(PRESS_CONF_SHARE * class_cap) if name == "poldis-conf" else 10 ** 9) for name in groups}
        taken: list[dict] = []
        pointers = {name: 0 for name in groups}
        names = sorted(groups)
        cap = (class_caps or CLASS_CAPS).get(genre, class_cap)
        while len(taken) < cap:
            progressed = False
            for name in names:
                if len(taken) >= cap:
                    break
                i = pointers[name]
                if i < len(groups[name]) and i < caps[name]:
                    taken.append(groups[name][i])
                    pointers[name] += 1
                    progressed = True
            if not progressed:
                break
        chosen += taken
    order = rng.permutation(len(chosen))
    chosen = [chosen[i] for i in order]
    articles = [ex["paragraphs"] for ex in chosen]
    labels = [ex["genre"] for ex in chosen]
    groups = [ex["group"] for ex in chosen]
    provenance = dict(provenance)
    provenance["seed"] = seed
    provenance["relabelled"] = ({"file": "stance/data/genre_relabels.json",
                                 "rows": dict(Counter(genre_relabels().values()))} if relabel else None)
    provenance["class_cap"] = class_cap
    provenance["max_paragraphs_per_article"] = MAX_PARAGRAPHS
    provenance["articles_per_genre"] = dict(Counter(labels))
    provenance["paragraphs_per_genre"] = {g: int(sum(len(a) for a, lab in zip(articles, labels) if lab == g))
                                          for g in sorted(set(labels))}
    provenance["articles_per_group"] = dict(sorted(Counter(groups).items()))
    provenance["available_articles_per_genre"] = dict(Counter(ex["genre"] for ex in examples))
    provenance["not_used"] = {"genre/onion_headlines.jsonl": "headlines only; not article paragraphs"}
    return articles, labels, groups, provenance


HEADLINE_FILE = "genre/onion_headlines.jsonl"
HEADLINE_TERMS = "r/TheOnion vs r/nottheonion headlines (lukefeilberg/onion): no licence file"


def load_headlines(data_dir: str | Path, cap: int | None = 4000, seed: int = 0) -> tuple[list[str], list[str], dict]:
    """Onion (satire) vs r/nottheonion (reporting) headlines → (texts, labels, provenance), to train the genre
    model's headline feature (they are not articles, so they never enter an article list or an evaluation fold).

    ``cap``: at most ``cap // 2`` headlines of each class, drawn at random with ``seed`` (``None``: all).
    Duplicate texts (case-insensitive) are kept once; a text seen with both labels is dropped.
    """
    path = Path(data_dir) / HEADLINE_FILE
    if not path.exists():
        raise TrainingDataError(f"{path} is missing; point the data path at the shared data folder")
    by_text: dict[str, set[str]] = defaultdict(set)
    first: dict[str, str] = {}
    for r in read_jsonl(path):
        t = " ".join(str(r["text"]).split())
        if r.get("granularity", "headline") != "headline" or r["genre"] not in ("satire", "reporting") or len(t) < 10:
            continue
        key = t.lower()
        by_text[key].add(r["genre"])
        first.setdefault(key, t)
    keep = {g: sorted(k for k, gs in by_text.items() if gs == {g}) for g in ("satire", "reporting")}
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    labels: list[str] = []
    for g in ("satire", "reporting"):
        keys = keep[g]
        if cap is not None and len(keys) > cap // 2:
            keys = [keys[i] for i in sorted(rng.choice(len(keys), cap // 2, replace=False))]
        texts += [first[k] for k in keys]
        labels += [g] * len(keys)
    order = rng.permutation(len(texts))
    texts, labels = [texts[i] for i in order], [labels[i] for i in order]
    provenance = {"file": HEADLINE_FILE, "sha256": sha256_file(path), "terms": HEADLINE_TERMS,
                  "cap": cap, "seed": seed, "use": "trains the headline feature's model only; never in evaluation folds",
                  "rows_per_genre": dict(Counter(labels))}
    return texts, labels, provenance


def default_genre_examples(data_dir: str | Path, seed: int = 0):
    """The default genre corpus → (articles as paragraph lists, labels, provenance)."""
    articles, labels, _groups, provenance = build_genre_corpus(Path(data_dir), seed)
    return articles, labels, provenance
