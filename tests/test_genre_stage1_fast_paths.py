"""The fast genre stage-1 paths (counted from word ids, linear counts without sorting by position, the
regexes with a late word-boundary test) give exactly what the plain code gave: each fast path is compared with a straightforward
reference on the seeds and on awkward inputs (unicode, empty strings, odd punctuation)."""

from __future__ import annotations

import numpy as np
import pytest

from stance import genre as g
from stance.linear import LinearTextClassifier

from test_genre_fast_paths import AWKWARD


@pytest.fixture(scope="module")
def paragraphs(seed_texts):
    paras = [p for t in seed_texts.values() for p in t.split("\n")]
    return (paras + AWKWARD + [p.upper() for p in paras[:20]] + [p.lower() for p in paras[:20]]
            + ["dogs' rock'n'roll 'quoted' it's", "İstanbul Xname XNAME xname", "snake_case 3.5 x_1",
               "xrare XRARE the the the", "", "said said. Said"])


def _same_csr(a, b) -> bool:
    return (a.shape == b.shape and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.data, b.data) and a.data.dtype == b.data.dtype)


def test_stage1_ids_are_the_ids_of_stage1_tokens(paragraphs, model):
    clf = model.genre.stage1_
    words = clf._ngram_index()[0]
    for allowed in (model.genre.allowed_words, None, frozenset(), frozenset({"the", "dogs"}), {"said"}):
        for texts in (paragraphs, paragraphs[::-1], [], [""], ["The"]):
            ids, lengths = g.stage1_ids(clf, texts, allowed)
            tokens = g.stage1_tokens(clf, texts, allowed)
            assert lengths.tolist() == [len(t) for t in tokens]
            assert ids.dtype == np.int64 and lengths.dtype == np.int64
            assert ids.tolist() == [words.get(w, -1) for t in tokens for w in t]


def test_counts_of_ids_equal_the_plain_counts(paragraphs, model):
    clf = model.genre.stage1_
    tokens = g.stage1_tokens(clf, paragraphs, model.genre.allowed_words)
    for lists in (tokens, tokens[:1], [[]], [[], ["the"], []], [["the", "the", "xrare"]] * 3, []):
        fast = clf._counts_of_tokens(lists)
        slow = clf._counts_slow(lists)
        for a, b in zip(fast, slow):
            assert a.tolist() == b.tolist()  # same columns in the same order within each row


def test_stage1_proba_is_the_token_path(paragraphs, model):
    clf = model.genre.stage1_
    allowed = model.genre.allowed_words
    dense = model.genre.stage1_dense(paragraphs)
    ours = g.stage1_proba(clf, paragraphs, allowed, dense)
    ref = clf.predict_proba_tokens(g.stage1_tokens(clf, paragraphs, allowed), dense)
    assert ours.tobytes() == ref.tobytes()
    docs = [g.filter_tokens(g.normalise(t), allowed) for t in paragraphs]
    assert _same_csr(clf.transform(docs), clf._tfidf(len(paragraphs), *clf._counts_of_ids(
        *g.stage1_ids(clf, paragraphs, allowed))))


def test_stage1_proba_without_an_ngram_index_takes_the_token_path():
    clf = LinearTextClassifier(ngram_range=(1, 3))
    clf.fit(["a b c", "b c d", "c d e", "a c e"] * 3, ["x", "y", "x", "y"] * 3)
    assert g.stage1_ids(clf, ["a b c"], None) is None
    texts = ["a b c d", "", "e e a"]
    assert np.array_equal(g.stage1_proba(clf, texts, None, None),
                          clf.predict_proba_tokens(g.stage1_tokens(clf, texts, None)))


# -- regexes whose leading word boundary moved after the first character ----------------------------------
def _fuzz_texts(n: int = 3000) -> list[str]:
    import random

    rng = random.Random(7)
    alphabet = list("aZ19 20'’-_.\n\t,!?Xx") + ["19", "20", "1999", "2024", "Ab", "ABC", "é", "É", "ß", "\u00a0",
                                                 "٣", "_1999", "a2000", "O'Brien", "Smith-Jones", "Mc'Do"]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(n)]


@pytest.mark.parametrize("name, reference", [
    ("_YEAR", r"\b(?:19|20)\d\d\b"),
    ("_CAP_TOKEN", r"\b[A-Z][a-z]*(?:'[A-Z][a-z]+)?(?:-[A-Z][a-z]+)*\b"),
    ("_CAPS", r"\b[A-Z](?:([a-z])|[A-Z]{2,}\b)"),
    ("_TOKEN", r"(?u)\b\w[\w']*\b"),
])
def test_boundary_after_first_character_regexes_match_the_reference(name, reference, paragraphs):
    import re

    ours, ref = getattr(g, name), re.compile(reference)
    extra = ["1999", "x1999", "_2000", "é2000", "2000s", "1999_", "A", "É A", "ÉA", "_Abc", "aAbc", "Abc",
             "AB", "ABC", "ABCd", "O'Brien-Smith", "x\nAbc", "\nAbc", "٣2000", "don't''", "'abc'", "a''b", "a'", "'", "''a", "x'y'z'", "é'é", "_'_"]
    for text in paragraphs + extra + _fuzz_texts():
        assert [m.span() for m in ours.finditer(text)] == [m.span() for m in ref.finditer(text)], text
        assert ours.findall(text) == ref.findall(text), text


def _random_token_lists(words: list[str], n_docs: int, seed: int) -> list[list[str]]:
    import random

    rng = random.Random(seed)
    pool = words + ["unknownword", "xrare", "", "é", "the"]
    return [[rng.choice(pool) for _ in range(rng.choice([0, 1, 2, 3, 8, 40]))] for _ in range(n_docs)]


@pytest.mark.parametrize("which", ["genre", "stance"])
def test_counts_equal_the_plain_counts_on_random_token_lists(which, model):
    clf = model.genre.stage1_ if which == "genre" else model.stance.model_
    assert clf._ngram_index()
    # words that make bigrams of the vocabulary, so that many pairs hit
    words = sorted({w for term in list(clf.vocabulary_)[:3000] for w in term.split(" ")})
    for seed in range(5):
        lists = _random_token_lists(words, 60, seed)
        for a, b in zip(clf._counts_of_tokens(lists), clf._counts_slow(lists)):
            assert a.dtype == np.int64 and a.tolist() == b.tolist()
    # repeated texts and one long text (many repeats of the same uni- and bigrams)
    lists = [words[:50] * 3, words[:50] * 3, [], words[10:12] * 100]
    for a, b in zip(clf._counts_of_tokens(lists), clf._counts_slow(lists)):
        assert a.tolist() == b.tolist()


@pytest.mark.parametrize("subj", [
    {"the": 1, "said": -2, "it's": 0.5, "don't": 0, "we": -0.0, "xname": 3.25},
    {"a": 1e-300, "i": -1e300, "is": 0.1, "not": 0.2, "very": 0.30000000000000004},
    {"zzzz": 1.0},
])
def test_features_matrix_with_odd_lexicons_is_the_stack_of_paragraph_features(paragraphs, subj):
    for chunk in (paragraphs, paragraphs[:3], [""], ["I'm not very sure, we said"] * 3):
        ours = g.features_matrix(chunk, subj)
        ref = np.vstack([g.paragraph_features(p, subj) for p in chunk])
        assert ours.tobytes() == ref.tobytes()


def test_headline_feature_from_word_ids_equals_the_model_on_lower_cased_text(paragraphs, model):
    hm = model.genre.headline_model_
    texts = paragraphs + ["Don’t stop", "O'Neill's 'n' rock", "ΣΊΣΥΦΟΣ ﬁne straße", "İstanbul"]
    ids, lengths = g.stage1_ids(hm, texts, None, prepare=str)
    assert np.array_equal(hm.predict_proba_ids(ids, lengths), hm.predict_proba([t.lower() for t in texts]))
