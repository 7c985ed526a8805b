"""The fast paths give exactly what the plain ones gave: TF-IDF rows, stacked features, sentence spans,
batched classification.  Uses only the repository (seeds, shipped model), not ../shared."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from stance import text as text_mod
from stance.linear import LinearTextClassifier
from stance.pipeline import classify, classify_batch

ROOT = Path(__file__).resolve().parent.parent


# -- reference implementations (the code before the speed work) -----------------------------------------
def reference_transform(clf: LinearTextClassifier, texts):
    pattern = clf._token_re
    token_lists = [pattern.findall(text.lower() if clf.lowercase else text) for text in texts]
    indptr, cols, counts = clf._counts_slow(token_lists)  # the plain per-text n-gram counter
    data = counts.astype(np.float64)
    cols = cols.astype(np.int32)
    vocabulary = clf.vocabulary_
    if clf.sublinear_tf:
        data = np.log(data) + 1.0 if len(data) else data
    data *= clf.idf_[cols]
    matrix = sparse.csr_matrix((data, cols, np.asarray(indptr)), shape=(len(indptr) - 1, len(vocabulary)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix, dtype=np.float32)
    matrix.sort_indices()
    return matrix


def reference_stack(clf: LinearTextClassifier, tfidf, dense):
    scaled = (np.asarray(dense, dtype=np.float64) - clf.dense_mean_) / clf.dense_scale_ * clf.dense_weight
    return sparse.hstack([tfidf, sparse.csr_matrix(scaled.astype(np.float32))], format="csr")


def same_csr(a, b) -> bool:
    return (a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.indptr, b.indptr)
            and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data))


@pytest.fixture(scope="module")
def paragraphs(seed_texts):
    paras = [p.strip() for t in seed_texts.values() for p in t.split("\n") if p.strip()]
    return paras + ["", "x", "said said said", "Ünïcödé — don’t “quote” it's 12.5%"]


# -- linear -----------------------------------------------------------------------------------------------
def test_transform_and_stack_are_bit_identical_to_the_reference(model, paragraphs):
    from stance.genre import filter_tokens, normalise
    from stance.targets import featurize

    genre_docs = [filter_tokens(normalise(p), model.genre.allowed_words) for p in paragraphs]
    genre_dense = model.genre.stage1_dense(paragraphs)
    texts = [p for p in paragraphs if p]
    stance_docs, stance_dense = featurize(texts, [[(0, min(4, len(p)))] for p in texts])
    for clf, docs, dense in ((model.genre.stage1_, genre_docs, genre_dense),
                             (model.stance.model_, stance_docs, stance_dense)):
        for size in (1, 3, 17, len(docs)):
            for i in range(0, len(docs), size):
                ours = clf.transform(docs[i:i + size])
                ref = reference_transform(clf, docs[i:i + size])
                assert same_csr(ours, ref), (size, i)
                assert same_csr(clf._stack(ours, dense[i:i + size]), reference_stack(clf, ref, dense[i:i + size]))


def test_bigrams_whose_words_are_not_in_the_vocabulary_are_counted():
    # "a b" is a feature although neither "a" nor "b" is (max_features cut them): the fast counter must
    # still find it, as scikit-learn does
    clf = LinearTextClassifier(lowercase=True)
    clf._set_vocabulary({"a b": 0, "c": 1, "b c": 2, "x": 3}, np.array([1.0, 2.0, 1.5, 3.0]))
    texts = ["a b c a b", "b a", "", "x x c b c", "A B"]
    assert same_csr(clf.transform(texts), reference_transform(clf, texts))
    assert clf.transform(["a b"]).nnz == 1


def test_longer_ngrams_use_the_plain_counter():
    clf = LinearTextClassifier(ngram_range=(1, 3), lowercase=True)
    clf._set_vocabulary({"a": 0, "a b c": 1, "b c": 2}, np.array([1.0, 2.0, 1.5]))
    texts = ["a b c d a b c", "c b a"]
    assert same_csr(clf.transform(texts), reference_transform(clf, texts))


def test_transform_matches_sklearn_on_the_seeds(model, paragraphs):
    pytest.importorskip("sklearn")
    clf = model.stance.model_
    ours = clf.transform(paragraphs).toarray()
    assert np.abs(ours - clf.vectorizer_.transform(paragraphs).toarray()).max() < 1e-6


# -- sentences --------------------------------------------------------------------------------------------
_SENTENCES = """\
Mr. Smith went to Washington on Jan. 3. He met Sen. Jones at 5 p.m. and left.
The U.S. economy grew 2.5% in Q3. Analysts at J.P. Morgan said so.
"We will not back down," she said. "Never."
He asked: "Is this the end?" Nobody answered.
Wait... what happened next? Nobody knows!
The meeting (which ran late.) ended. Then everyone left.
Prices rose 3.2 per cent. Inflation is at 4.1 per cent.
Dr. No is a film. St. Petersburg is a city. Gen. Patton led troops.
I met J. R. R. Tolkien once. He was kind.
They arrived on Sept. 11. The plane was late.
The vote was 52-48. Opposition leaders walked out.
Is it over?! Yes. No. Maybe.
She said 'enough.' Then she left the room.
Kyiv's forces advanced 12 km. Moscow denied it.
No. 10 Downing St. issued a statement. It was brief.
The firm, Acme Inc., reported losses. Shares fell.
At 3 a.m. the sirens sounded. People ran outside.
It costs $4.5 bn. That is a lot.
He scored 1. Then 2. Then 3.
The word "etc." ends lists. This is another sentence.
“Quoted with curly marks.” Next sentence here.
«Guillemets too.» And then more text.
The U.N. Security Council met. It voted 13-0.
Vladimir V. Putin spoke. The Kremlin said nothing.
See pp. 12-14. The figures are there.
A list: apples, pears, etc. The end.
He works at the Dept. of Energy. She works elsewhere.
(See above.) The rest follows.
[Editor's note: updated.] The story continues.
The ratio is 3.14. Pi is irrational.
They said -- again -- no. Then yes.
Ellipsis at the end of a line...
Question at the end of a line?
Exclamation at the end of a line!
lower case start. another lower case start. And Upper.
ABBREVIATIONS LIKE U.S.A. ARE COMMON. THEY CONFUSE SPLITTERS.
e.g. this one. i.e. that one. Cf. the other.
The Rev. Martin Luther King Jr. spoke. Crowds gathered.
Temperatures hit 40°C. Roads melted.
Vol. 3 of the report. Ch. 2 is long.
He said no.She said yes.
Two spaces.  Then more.  And more.
Ends with a quote.' Then a new sentence.
Numbers 1.5. 2.5. 3.5. Done.
The co. was fined. The Corp. appealed.
"""


def _own_texts(seed_texts):
    lines = [line for line in _SENTENCES.splitlines() if line.strip()]
    texts = list(lines)
    texts += [" ".join(lines[i:i + 5]) for i in range(0, len(lines), 3)]  # several sentences per line
    texts += ["\n".join(lines[i:i + 4]) for i in range(0, len(lines), 4)]  # with line breaks inside
    texts += list(seed_texts.values())
    texts += [line.strip() for t in seed_texts.values() for line in t.splitlines() if line.strip()]
    return texts


def test_punkt_without_nltk_gives_nltk_spans(seed_texts):
    punkt = pytest.importorskip("nltk.tokenize.punkt")
    data = json.loads(text_mod._PUNKT_PATH.read_text(encoding="utf-8"))
    params = punkt.PunktParameters()
    params.abbrev_types = set(data["abbrev_types"])
    params.collocations = {tuple(c) for c in data["collocations"]}
    params.sent_starters = set(data["sent_starters"])
    params.ortho_context.update(data["ortho_context"])
    reference = punkt.PunktSentenceTokenizer(params)
    ours = text_mod._load_tokenizer()
    texts = _own_texts(seed_texts)
    n_sentences = 0
    for t in texts:
        expected = list(reference.span_tokenize(t))
        assert ours.span_tokenize(t) == expected, t
        n_sentences += len(expected)
    assert n_sentences > 300


def test_plain_context_shortcut_agrees_with_the_full_rules(seed_texts):
    ours = text_mod._load_tokenizer()
    n_plain = 0
    for t in _own_texts(seed_texts):
        for _, context in ours._match_potential_end_contexts(t):
            n_plain += text_mod._PLAIN_CONTEXT.fullmatch(context) is not None
            assert ours.text_contains_sentbreak(context) == ours._contains_sentbreak(context), context
    assert n_plain > 100


def test_classifying_imports_neither_nltk_nor_sklearn(tmp_path):
    code = ("import sys, stance; m = stance.load_model(); "
            "m.classify(open('seeds/003_b22c994f8a003541.txt', encoding='utf-8').read()); "
            "print(sorted(k for k in ('nltk', 'sklearn', 'scipy.stats') if k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- pipeline ---------------------------------------------------------------------------------------------
def _varied_texts(seed_texts):
    texts = list(seed_texts.values())
    for t in seed_texts.values():
        lines = t.split("\n")
        texts += ["\n".join(lines[i:i + 9]) for i in range(0, len(lines), 7)]
    return texts + ["", "   ", "Read also:\nMore news\n12:30", 42,
                    "Russia. Ukraine! Putin? U.S. officials said Mr. Smith left at 5 p.m. on Jan. 3."]


def test_batched_classification_equals_one_article_at_a_time(model, seed_texts):
    from stance.pipeline import classify_or_fail

    texts = _varied_texts(seed_texts)
    items = [(f"t{i}", t) for i, t in enumerate(texts)]
    one_by_one = [classify_or_fail(model, t, id=i).to_dict() for i, t in items]
    for size in (1, 4, len(items)):
        batched = []
        for k in range(0, len(items), size):
            batched += [r.to_dict() for r in classify_batch(model, items[k:k + size])]
        assert batched == one_by_one
    assert any("error" in r for r in one_by_one) and sum("error" not in r for r in one_by_one) > 20


def test_batched_stance_probabilities_are_bit_identical(model, seed_texts):
    from stance.pipeline import _prepare, _stance_probs

    preps = [_prepare(model, t, None, None) for t in seed_texts.values()]
    together = _stance_probs(model, [t for p in preps for t in p.texts], [s for p in preps for s in p.spans])
    alone = np.vstack([_stance_probs(model, p.texts, p.spans) for p in preps])
    assert np.array_equal(together, alone)


def test_batch_falls_back_per_article_when_the_stance_call_fails(model, seed_texts, monkeypatch):
    texts = list(seed_texts.values())[:3]
    expected = [classify(model, t).to_dict() for t in texts]
    real = model.stance.predict_proba
    calls = []

    def flaky(xs, spans):
        calls.append(len(xs))
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(xs, spans)

    monkeypatch.setattr(model.stance, "predict_proba", flaky)
    got = [r.to_dict() for r in classify_batch(model, [(None, t) for t in texts])]
    assert got == expected and len(calls) == 1 + len(texts)
