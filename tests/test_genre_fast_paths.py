"""The fast genre paths (style features, token filtering, batched genre, text and actor paths) give exactly
what the plain code gave.  Each fast function is compared with the code it replaced, kept
here as the reference, on the seeds and on awkward inputs (unicode, empty strings, odd punctuation)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from stance import genre as g
from stance import lexicons

AWKWARD = [
    "", " ", "\n", "x", "I", "İstanbul ǅ ﬁ ß KELVIN \u212a ΣΑΣ Ωμέγα Путин said.", "Ünïcödé — don’t “quote” it's 12.5%",
    "Q: Why?", "A. Because.", "**Interviewer:** What about NATO?", "THE PRESIDENT. Well, yes.", "O'Donnell. Hi.",
    "Mr. Smith: No.", "The best, the worst, the most honest interest; latest greatest biggest!",
    "WE MUST ACT NOW!!! NATO USA EU", "said said said said", "January 2024, 1999 and Sept. 11",
    "“Quoted text here,” she said. \"More quotes\" and ‘single’ ones.", "I’m sure you’ll agree we’re right",
    "â€™ mojibake Ã© Â text", "\u00a0\u2028\u2029 odd spaces\t\ttabs", "a" * 3000, "Is this real? Really? Wow!",
    "1. 2. 3.", "---", "forest nest guest conquest honest modest Best MOST bestest estest est'est", "A shameful, disgraceful and terrible failure by the worst leaders.",
]


@pytest.fixture(scope="module")
def paragraphs(seed_texts):
    paras = [p for t in seed_texts.values() for p in t.split("\n")]
    return paras + AWKWARD + [p.upper() for p in paras[:20]] + [p.lower() for p in paras[:20]]


# -- genre style features ---------------------------------------------------------------------------------
def _ref_subjectivity_score(tokens: list[str], subj: dict[str, float] | None) -> float:
    if not subj:
        return 0.0
    vals = [subj[t] for t in tokens if t in subj]
    return float(np.mean(vals)) if vals else 0.0


def reference_paragraph_features(text: str, subjectivity: dict[str, float] | None = None) -> np.ndarray:
    """The :data:`DENSE_NAMES` features of one paragraph (rates are per word unless named otherwise)."""
    text = text or ""
    tokens = [t.lower().replace("’", "'") for t in g._WORD.findall(text)]
    n = max(len(tokens), 1)
    n_sent = max(len(g._SENT_END.findall(text)), 1)
    pos, neg, lex = lexicons.positive_words(), lexicons.negative_words(), lexicons.vader()

    def rate(words: frozenset[str]) -> float:
        return sum(t in words for t in tokens) / n

    quoted = sum(len(m) for m in re.findall(r"[\"“][^\"“”]{1,600}[\"”]", text))
    speaker = g.speaker_label(text)
    md = 1.0 if g._SPEAKER_MD.match(text.lstrip()) else 0.0
    qa = 1.0 if g._SPEAKER_QA.match(text.lstrip()) else 0.0
    superl = sum((t.endswith("est") and len(t) > 5 and t not in ("interest", "request", "protest",
                                                                 "suggest", "honest", "modest"))
                 or t in ("most", "best", "worst") for t in tokens) / n
    allcaps = sum(1 for w in re.findall(r"\b[A-Z]{3,}\b", text)) / n
    vals = [abs(lex[t]) for t in tokens if t in lex]
    stripped = text.strip()
    heading = 1.0 if (len(tokens) <= 14 and not re.search(r"[.!]\s*$", stripped)) else 0.0
    feats = [
        math.log1p(len(text)),
        min(len(tokens) / n_sent, 80.0) / 10.0,
        rate(g._FP1), rate(g._FP2), rate(g._SP), rate(g._MODALS), rate(g._REPORT),
        len(g._QUOTE.findall(text)) / n,
        quoted / max(len(text), 1),
        len(g._DIGIT.findall(text)) / n,
        (len(g._YEAR.findall(text)) + sum(t in g._MONTHS for t in tokens)) / n,
        text.count("?") / n_sent,
        1.0 if stripped.endswith("?") else 0.0,
        text.count("!") / n_sent,
        1.0 if speaker else 0.0, qa, md,
        rate(g._CONVERS), superl, rate(g._INTENS), rate(g._HEDGE), rate(g._SATIRE), allcaps,
        len(g._CAPWORD.findall(text)) / n,
        rate(pos), rate(neg),
        float(np.mean(vals)) if vals else 0.0,
        _ref_subjectivity_score(tokens, subjectivity),
        1.0 if len(tokens) < 12 else 0.0,
        heading,
    ]
    return np.asarray(feats, dtype=np.float64)




def test_paragraph_features_are_bit_identical_to_the_reference(paragraphs, model):
    for subj in (None, {}, model.genre.subjectivity):
        for p in paragraphs:
            ours, ref = g.paragraph_features(p, subj), reference_paragraph_features(p, subj)
            assert ours.dtype == ref.dtype and ours.shape == ref.shape
            assert np.array_equal(ours, ref), (p, np.flatnonzero(ours != ref))


def reference_filter_tokens(text, allowed):
    if not allowed:
        return text
    return re.sub(r"(?u)\b\w[\w']*\b", lambda m: m.group() if m.group().lower() in allowed else "xrare", text)


def test_filter_tokens_matches_the_reference(paragraphs, model):
    allowed = model.genre.allowed_words
    small = frozenset({"the", "said", "i", "ünïcödé", "don't", "it's"})
    mutable = {"the", "said"}
    for words in (allowed, small, mutable, None, frozenset()):
        for p in paragraphs + [g.normalise(p) for p in paragraphs]:
            assert g.filter_tokens(p, words) == reference_filter_tokens(p, words), (p, words is allowed)
    mutable.add("zorblat")  # a set that changes between calls is read afresh each time
    assert g.filter_tokens("The Zorblat said", mutable) == "The Zorblat said"
    mutable.discard("zorblat")
    assert g.filter_tokens("The Zorblat said", mutable) == "The xrare said"


def test_predict_proba_articles_equals_one_call_per_article(model, seed_texts):
    from stance.text import split_paragraphs

    articles = [[p.text for p in split_paragraphs(t) if not p.boilerplate] for t in seed_texts.values()]
    articles += [[], ["x"], ["Q: Why?", "A: Because.", ""], AWKWARD, [articles[0][0]]]
    many = model.genre.predict_proba_articles(articles)
    assert len(many) == len(articles)
    for a, probs in zip(articles, many):
        one = model.genre.predict_proba(a)
        assert probs.shape == one.shape and probs.dtype == one.dtype
        assert np.array_equal(probs, one)
    assert model.genre.predict_proba_articles([]) == []
    with pytest.raises(TypeError):
        model.genre.predict_proba_articles(["one string"])


def test_features_matrix_is_the_stack_of_paragraph_features(paragraphs, model):
    # the batch path must stay the same function as paragraph_features (the one-paragraph definition)
    for subj, prior in ((None, 0.0), ({}, 0.0), (model.genre.subjectivity, 0.0), (None, 10.0),
                        (model.genre.subjectivity, 10.0), (model.genre.subjectivity, model.genre.rate_prior)):
        for chunk in (paragraphs, paragraphs[:1], [""], ["", "x", ""], AWKWARD, paragraphs[::-1]):
            ours = g.features_matrix(chunk, subj, prior)
            ref = np.vstack([g.paragraph_features(p, subj, prior) for p in chunk])
            assert ours.shape == ref.shape and ours.dtype == ref.dtype
            assert np.array_equal(ours, ref), np.argwhere(ours != ref)[:5]


def test_features_matrix_is_the_stack_of_the_replaced_code(paragraphs, model):
    for subj in (None, model.genre.subjectivity):
        ours = g.features_matrix(paragraphs, subj)
        ref = np.vstack([reference_paragraph_features(p, subj) for p in paragraphs])
        assert np.array_equal(ours, ref), np.argwhere(ours != ref)[:5]


def test_features_matrix_batch_path_covers_exactly_the_dense_names(paragraphs):
    # when the style features change, paragraph_features and the batch path of features_matrix must change
    # together: this fails (and the value tests above) if the batch path misses a column
    batch = g.features_matrix(paragraphs[:20], None)
    assert batch.shape == (20, len(g.DENSE_NAMES)), "update genre.features_matrix's batch path"
    assert np.array_equal(batch, np.vstack([g.paragraph_features(p) for p in paragraphs[:20]]))
    assert g.features_matrix([], None).shape == (0, len(g.DENSE_NAMES))


def test_lower_tokens_match_the_plain_lowering(paragraphs):
    for p in paragraphs + ["İstanbul \u212aelvin", "ABC’S don’t", "ÀÉÎ abc"]:
        assert g._lower_tokens(p) == [t.lower().replace("’", "'") for t in g._WORD.findall(p)]


def _apostrophe_edge_cases() -> list[str]:
    """Short ASCII strings over letters, digits, underscore, apostrophes and separators (apostrophes at the
    edges of words, between them and alone), deterministic."""
    import random

    rnd = random.Random(7)
    alphabet = "aZb9_ ''.-\n\t"
    return ["", "'", "''", "a'", "'a", "'a'", "a''b", "ab'' cd", "rock'n'roll'", "_'_", "9'a"] + [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 14))) for _ in range(20000)]


def test_ascii_runs_find_what_the_regexes_find(paragraphs):
    texts = [p for p in paragraphs if p.isascii()] + [g.normalise(p) for p in paragraphs] + _apostrophe_edge_cases()
    for t in texts:
        if t.isascii():
            assert g._ascii_tokens(t) == g._TOKEN.findall(t), t
            assert g._lower_tokens(t) == re.findall(r"[a-z][a-z']*", t.lower()), t


def test_sentence_end_count_is_the_regex_count(paragraphs):
    import random

    rnd = random.Random(3)
    alphabet = "a.!? \n\t\x0b\x0c\r\x1c\x1fx"
    texts = paragraphs + ["", ".", "a.", "a. ", "...", "a...\n", "?!", "a.\x1c", "a.\x85b", "é. b"] + [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 12))) for _ in range(20000)]
    for t in texts:
        assert g._count_sentence_ends(t) == len(g._SENT_END.findall(t)), t


def test_one_caps_scan_counts_what_the_two_regexes_count(paragraphs):
    tricky = ["HeLLO WORLD Ab ABc ABC_D NATO's U.S. X Xy XY XYZ", "ÉCOLE Éa aBC ABC1 1ABC _ABC ABC", "AbCDE ABCdef"]
    for p in paragraphs + tricky:
        caps = g._CAPS.findall(p)
        assert caps.count("") == len(g._ALLCAPS.findall(p)), p
        assert len(caps) - caps.count("") == len(g._CAPWORD.findall(p)), p


def reference_normalise(text):
    text = g._MOJIBAKE.sub("", text.translate(g._TRANS))
    out, last = [], 0
    for m in g._CAP_TOKEN.finditer(text):
        if m.group() in g._KEEP_CAPS:
            continue
        before = text[max(0, m.start() - 8):m.start()]
        if (m.start() == 0 or g._SENT_START.search(before[-3:])) and not g._ABBR_BEFORE.search(before):
            continue
        out.append(text[last:m.start()])
        out.append("Xname")
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def test_normalise_matches_the_reference(paragraphs):
    extra = ["â€™s Ã©t Â£5 â Ã Â", "‘single’ “double” — – \u00a0", "Mr. Smith met Dr. Jones. Then Alice left.",
             "“Quote” Bob said.\nCarol (Dave) and Eve: Frank; Grace!", "ASCII only Text Here"]
    for p in paragraphs + extra:
        assert g.normalise(p) == reference_normalise(p), p


def test_stage1_tokens_are_what_transform_counts(paragraphs, model):
    from stance.linear import LinearTextClassifier

    clf = model.genre.stage1_
    texts = paragraphs + ["dogs' rock'n'roll 'quoted' it's", "İstanbul Xname XNAME xname", "snake_case 3.5 x_1"]
    for allowed in (model.genre.allowed_words, None, frozenset(), frozenset({"the", "dogs"}), {"said"}):
        ours = g.stage1_tokens(clf, texts, allowed)
        for t, toks in zip(texts, ours):
            assert toks == clf._token_re.findall(g.filter_tokens(g.normalise(t), allowed).lower()), t
    docs = [g.filter_tokens(g.normalise(t), model.genre.allowed_words) for t in texts]
    a = clf.transform(docs)
    b = clf.transform_tokens(g.stage1_tokens(clf, texts, model.genre.allowed_words))
    assert (a.shape == b.shape and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.data, b.data))
    dense = model.genre.stage1_dense(texts)
    assert np.array_equal(clf.predict_proba(docs, dense),
                          clf.predict_proba_tokens(g.stage1_tokens(clf, texts, model.genre.allowed_words), dense))
    # an analyzer that keeps case takes the plain path
    keep_case = LinearTextClassifier(lowercase=False)
    keep_case._set_vocabulary({"The": 0}, np.array([1.0]))
    assert g.stage1_tokens(keep_case, ["The cat"], None) == [["The", "cat"]]
