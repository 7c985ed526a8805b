"""A linear text classifier whose fitted state is plain JSON and numpy arrays.

Word n-gram TF-IDF (scikit-learn's ``TfidfVectorizer``) plus optional dense, hand-made features
(standardised), fed to a multinomial logistic regression, with a softmax temperature for calibration.
``get_state()`` returns ``(config, arrays)``: ``config`` is JSON (parameters, vocabulary, class names) and
``arrays`` holds only numeric numpy arrays, so a model can be saved without pickle and rebuilt with
``from_state()``. ``pipeline()`` gives the equivalent scikit-learn objects for inspection.
"""

from __future__ import annotations

import re
from itertools import chain, repeat
from typing import Any, Sequence

import numpy as np
from scipy import sparse

TOKEN_PATTERN = r"(?u)\b\w[\w'’]*\b"


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, y_index: np.ndarray) -> float:
    """Temperature T minimising the negative log-likelihood of softmax(logits / T) (Guo et al. 2017)."""
    from scipy.optimize import minimize_scalar

    rows = np.arange(len(y_index))

    def nll(log_t: float) -> float:
        p = softmax(logits / np.exp(log_t))
        return float(-np.log(np.clip(p[rows, y_index], 1e-12, None)).mean())

    best = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(best.x))


def _row_sums_of_squares(data: np.ndarray, cols: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Per-row sum of ``data**2``, bit for bit what ``m.multiply(m).sum(axis=1)`` gives for the CSR matrix
    ``m = (data, cols, indptr)`` (this is how the TF-IDF rows used to be normalised, and how scikit-learn
    does it).  SciPy multiplies a matrix whose rows are not all sorted by walking each row backwards, and then
    adds each row with ``np.add.reduceat``; the same order gives the same floating-point sums."""
    n_rows = len(indptr) - 1
    lengths = np.diff(indptr)
    out = np.zeros(n_rows, dtype=np.float64)
    if len(data) == 0:
        return out
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    same_row = rows[1:] == rows[:-1]
    if not np.all(cols[1:][same_row] > cols[:-1][same_row]):  # not canonical: scipy's general path
        at = indptr[:-1][rows] + indptr[1:][rows] - 1 - np.arange(len(data), dtype=np.int64)
        data = data[at]
    squares = data * data
    nonempty = np.flatnonzero(lengths)
    out[nonempty] = np.add.reduceat(squares, indptr[:-1][nonempty])
    return out


def fit_logistic(X, y, **params):
    """A fitted scikit-learn LogisticRegression, fitted on one thread.

    scikit-learn sums its loss and gradient over OpenMP threads; with more than one thread the sums, and so
    the optimiser's path, change in their last bits with the machine's core count. One thread makes the same
    data and seed give the same model everywhere.
    """
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return LogisticRegression(**params).fit(X, y)


class LinearTextClassifier:
    """TF-IDF n-grams (+ dense features) → logistic regression, stored as plain arrays.

    Parameters mirror scikit-learn's: ``ngram_range``, ``min_df``, ``max_features`` and ``sublinear_tf``
    go to the vectorizer; ``C``, ``class_weight`` and ``max_iter`` to the logistic regression.
    ``dense_weight`` scales the standardised dense block relative to the TF-IDF block.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = 50000,
        sublinear_tf: bool = True,
        lowercase: bool = True,
        token_pattern: str = TOKEN_PATTERN,
        C: float = 1.0,
        class_weight: str | None = "balanced",
        max_iter: int = 2000,
        dense_weight: float = 1.0,
    ) -> None:
        self.ngram_range = tuple(ngram_range)
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.dense_weight = dense_weight
        self.temperature = 1.0

    # -- fitting ---------------------------------------------------------------------------------
    def _new_vectorizer(self, vocabulary: dict[str, int] | None = None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=self.sublinear_tf,
            lowercase=self.lowercase,
            token_pattern=self.token_pattern,
            vocabulary=vocabulary,
            dtype=np.float32,
        )

    def fit(self, texts: Sequence[str], y: Sequence[Any], dense: np.ndarray | None = None) -> "LinearTextClassifier":
        texts = list(texts)
        if len(texts) != len(y):
            raise ValueError(f"got {len(texts)} texts but {len(y)} labels; pass one label per text")
        vectorizer = self._new_vectorizer()
        tfidf = vectorizer.fit_transform(texts)
        self._set_vocabulary(vectorizer.vocabulary_, vectorizer.idf_)
        self._vectorizer = vectorizer
        return self._fit_rows(tfidf, y, dense)

    def fit_tfidf(self, vocabulary: dict[str, int], idf: np.ndarray, tfidf: sparse.spmatrix, y: Sequence[Any],
                  dense: np.ndarray | None = None) -> "LinearTextClassifier":
        """Fit on rows already in TF-IDF form over another model's ``vocabulary`` and ``idf`` (which this model
        then shares: word ids and counts computed for one serve the other)."""
        if tfidf.shape != (len(y), len(vocabulary)):
            raise ValueError(f"got a {tfidf.shape} TF-IDF matrix for {len(y)} labels and {len(vocabulary)} terms")
        self._set_vocabulary(vocabulary, idf)
        return self._fit_rows(tfidf, y, dense)

    def _fit_rows(self, tfidf: sparse.spmatrix, y: Sequence[Any], dense: np.ndarray | None) -> "LinearTextClassifier":
        if dense is not None:
            dense = np.asarray(dense, dtype=np.float64)
            self.dense_mean_ = dense.mean(axis=0)
            scale = dense.std(axis=0)
            self.dense_scale_ = np.where(scale > 0, scale, 1.0)
        else:
            self.dense_mean_ = np.zeros(0)
            self.dense_scale_ = np.ones(0)
        X = self._stack(tfidf, dense)
        clf = fit_logistic(X, np.asarray(y), C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        self.classes_ = np.asarray(clf.classes_)
        coef, intercept = clf.coef_, clf.intercept_
        if coef.shape[0] == 1:  # binary: same probabilities written as a two-row softmax
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            intercept = np.array([0.0, intercept[0]])
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = intercept.astype(np.float64)
        self.temperature = 1.0
        return self

    def calibrate(self, texts: Sequence[str], y: Sequence[Any], dense: np.ndarray | None = None) -> float:
        """Fit the softmax temperature on held-out data (not the data the weights were fitted on)."""
        index = {c: i for i, c in enumerate(self.classes_.tolist())}
        y_index = np.array([index[v] for v in y])
        self.temperature = fit_temperature(self.decision_function(texts, dense), y_index)
        return self.temperature

    # -- prediction ------------------------------------------------------------------------------
    def _set_vocabulary(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary_ = dict(vocabulary)
        self.idf_ = np.asarray(idf, dtype=np.float64)
        self._token_re = re.compile(self.token_pattern)
        self._vectorizer = None
        self._index = None

    @property
    def vectorizer_(self):
        """The equivalent fitted scikit-learn TfidfVectorizer (built on first use; prediction does not need it)."""
        if getattr(self, "_vectorizer", None) is None:
            vectorizer = self._new_vectorizer(self.vocabulary_)
            vectorizer.fit(["stance"])  # with a fixed vocabulary this only marks it fitted; idf_ is set next
            vectorizer.idf_ = self.idf_
            self._vectorizer = vectorizer
        return self._vectorizer

    def _ngram_index(self):
        """Lookup tables for counting uni- and bigrams with integer arithmetic (built on first use).

        Every word of every vocabulary term gets a word id; a unigram maps to its column through
        ``unigram_cols[word_id]`` (-1 when the word is only part of bigrams), a bigram ``w1 w2`` is the
        integer key ``id(w1) * n_words + id(w2)``, looked up in the sorted ``bigram_keys``.  A bigram is
        found whether or not its words are unigrams of the vocabulary, as in scikit-learn.  ``False`` when
        the vocabulary has longer n-grams (those are counted by the plain loop)."""
        index = getattr(self, "_index", None)
        if index is None:
            min_n, max_n = self.ngram_range
            terms = list(self.vocabulary_)
            spaces = np.fromiter(map(str.count, terms, repeat(" ")), dtype=np.int64, count=len(terms))
            if not 1 <= min_n <= max_n <= 2 or (len(terms) and spaces.max() > 1):
                self._index = False
                return False
            columns = np.fromiter(self.vocabulary_.values(), dtype=np.int64, count=len(terms))
            is_bigram = spaces == 1
            unigrams = [t for t, b in zip(terms, is_bigram.tolist()) if not b]
            pairs = [t.split(" ") for t, b in zip(terms, is_bigram.tolist()) if b]
            firsts, seconds = [a for a, _ in pairs], [b for _, b in pairs]
            words = {w: i for i, w in enumerate(dict.fromkeys(chain(unigrams, firsts, seconds)))}
            n_words = len(words)
            unigram_cols = np.full(n_words + 1, -1, dtype=np.int64)  # the last slot answers the id -1
            unigram_cols[np.fromiter(map(words.__getitem__, unigrams), dtype=np.int64, count=len(unigrams))] = (
                columns[~is_bigram])
            keys = (np.fromiter(map(words.__getitem__, firsts), dtype=np.int64, count=len(pairs)) * n_words
                    + np.fromiter(map(words.__getitem__, seconds), dtype=np.int64, count=len(pairs)))
            order = np.argsort(keys, kind="stable")
            index = (words, unigram_cols, n_words, keys[order], columns[is_bigram][order])
            self._index = index
        return index

    def _counts(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indptr, columns, counts) of the n-gram counts of each text.

        Within a row the columns are in the order scikit-learn's analyzer first produces them (unigrams by
        first occurrence, then bigrams by first occurrence), so that everything computed from the rows
        afterwards adds floating-point numbers in the same order as before."""
        lowered = [t.lower() for t in texts] if self.lowercase else list(texts)
        return self._counts_of_tokens(list(map(self._token_re.findall, lowered)))

    def _counts_of_tokens(self, token_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_counts` from each text's tokens (as the analyzer gives them: lower-cased, if it lower-cases)."""
        index = self._ngram_index()
        if not index:
            return self._counts_slow(token_lists)
        words = index[0]
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        ids = np.array(list(map(words.get, chain.from_iterable(token_lists), repeat(-1))), dtype=np.int64)
        return self._counts_of_ids(ids, lengths)

    def _counts_of_ids(self, ids: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_counts_of_tokens` from the texts' tokens as word ids of :meth:`_ngram_index` (``-1`` for a
        token that is no word of the vocabulary), all texts' ids one after the other, ``lengths`` per text.
        Only for a vocabulary of uni- and bigrams (``_ngram_index()`` not ``False``)."""
        min_n, max_n = self.ngram_range
        _, unigram_cols, n_words, bigram_keys, bigram_cols = self._ngram_index()
        n_docs = len(lengths)
        total = int(lengths.sum())
        doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        offsets = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        pos = np.arange(total, dtype=np.int64)
        feat_doc, feat_col, feat_order = [], [], []
        if min_n == 1:
            cols = unigram_cols[ids]  # ids == -1 picks the trailing -1
            ok = cols >= 0
            feat_doc.append(doc[ok])
            feat_col.append(cols[ok])
            feat_order.append(pos[ok] + offsets[:-1][doc[ok]])  # 2 * offset + position in the text
        if max_n == 2 and total > 1 and len(bigram_keys):
            first, second = ids[:-1], ids[1:]
            same = doc[:-1] == doc[1:]
            ok = same & (first >= 0) & (second >= 0)
            keys = first[ok] * n_words + second[ok]
            # looked up in sorted order (NumPy's binary search narrows from the previous answer when the
            # queries increase, and memory is walked in order): about twice as fast; the same answers
            by_key = np.argsort(keys)
            at = np.empty_like(keys)
            at[by_key] = np.searchsorted(bigram_keys, keys[by_key])
            at[at == len(bigram_keys)] = 0
            hit = bigram_keys[at] == keys
            where = pos[:-1][ok][hit]
            d = doc[:-1][ok][hit]
            feat_doc.append(d)
            feat_col.append(bigram_cols[at[hit]])
            feat_order.append(where + offsets[:-1][d] + lengths[d])  # after every unigram of the text
        if feat_doc:
            f_doc = np.concatenate(feat_doc)
            f_col = np.concatenate(feat_col)
            f_order = np.concatenate(feat_order)
        else:
            f_doc = f_col = f_order = np.zeros(0, dtype=np.int64)
        vocab_size = max(len(self.vocabulary_), 1)
        # the distinct (text, column) keys with their counts, ordered by where each first occurs (f_order holds
        # distinct integers below 2 * total: text d's unigrams at 2 * offset + i, its bigrams at 2 * offset +
        # length + i).  The same as np.unique(key sorted by f_order, return_index, return_counts) reordered by
        # first index, with an unstable sort (each group's first occurrence is its least f_order) and a
        # scatter for the final order, instead of two stable sorts.
        key = f_doc * vocab_size + f_col
        if len(key):
            perm = np.argsort(key)
            sorted_key = key[perm]
            starts = np.flatnonzero(np.concatenate(([True], sorted_key[1:] != sorted_key[:-1])))
            uniq = sorted_key[starts]
            counts = np.diff(np.append(starts, len(sorted_key)))
            first = np.minimum.reduceat(f_order[perm], starts)
            slots = np.full(2 * total + 1, -1, dtype=np.int64)
            slots[first] = np.arange(len(first), dtype=np.int64)
            order = slots[slots >= 0]
            uniq, counts = uniq[order], counts[order]
        else:
            uniq = counts = np.zeros(0, dtype=np.int64)
        rows, columns = uniq // vocab_size, uniq % vocab_size
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n_docs), out=indptr[1:])
        return indptr, columns, counts

    def _counts_slow(self, token_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        vocabulary = self.vocabulary_
        min_n, max_n = self.ngram_range
        indptr, indices, values = [0], [], []
        for tokens in token_lists:
            counts: dict[int, int] = {}
            for n in range(min_n, max_n + 1):
                grams = tokens if n == 1 else (" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
                for gram in grams:
                    j = vocabulary.get(gram)
                    if j is not None:
                        counts[j] = counts.get(j, 0) + 1
            indices.extend(counts)
            values.extend(counts.values())
            indptr.append(len(indices))
        return np.asarray(indptr, dtype=np.int64), np.asarray(indices, dtype=np.int64), np.asarray(values, dtype=np.int64)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF rows, identical to scikit-learn's TfidfVectorizer.transform but without importing it."""
        texts = list(texts)
        return self._tfidf(len(texts), *self._counts(texts))

    def transform_tokens(self, token_lists: Sequence[list[str]]) -> sparse.csr_matrix:
        """:meth:`transform` of texts given as their tokens, exactly as the analyzer would find them in each
        text (``self._token_re.findall(text.lower())`` when it lower-cases)."""
        token_lists = [list(t) for t in token_lists]
        return self._tfidf(len(token_lists), *self._counts_of_tokens(token_lists))

    def _tfidf(self, n_docs: int, indptr: np.ndarray, cols: np.ndarray, counts: np.ndarray) -> sparse.csr_matrix:
        n_terms = len(self.vocabulary_)
        data = counts.astype(np.float64)
        cols = cols.astype(np.int32)
        if self.sublinear_tf:
            data = np.log(data) + 1.0 if len(data) else data
        data *= self.idf_[cols]
        norms = np.sqrt(_row_sums_of_squares(data, cols, indptr))
        norms[norms == 0] = 1.0
        lengths = np.diff(indptr)
        rows = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        scaled = (data * (1.0 / norms)[rows]).astype(np.float32)
        # sorted indices within each row; each (row, column) pair occurs once, so sorting the combined key
        # gives the same permutation as np.lexsort((cols, rows)), faster
        order = np.argsort(rows * max(n_terms, 1) + cols.astype(np.int64))
        return sparse.csr_matrix((scaled[order], cols[order], indptr.astype(np.int32)), shape=(n_docs, n_terms))

    def _stack(self, tfidf: sparse.spmatrix, dense: np.ndarray | None) -> sparse.csr_matrix:
        n_dense = len(self.dense_mean_)
        if n_dense == 0:
            if dense is not None and np.asarray(dense).shape[1] != 0:
                raise ValueError("this model was fitted without dense features; pass dense=None")
            return sparse.csr_matrix(tfidf)
        if dense is None:
            raise ValueError(f"this model expects {n_dense} dense features per text; got none")
        dense = np.asarray(dense, dtype=np.float64)
        if dense.ndim != 2 or dense.shape[1] != n_dense:
            raise ValueError(f"this model expects {n_dense} dense features per text; got shape {dense.shape}")
        scaled = ((dense - self.dense_mean_) / self.dense_scale_ * self.dense_weight).astype(np.float32)
        tfidf = sparse.csr_matrix(tfidf)
        if not tfidf.has_canonical_format or tfidf.dtype != np.float32 or tfidf.shape[0] != scaled.shape[0]:
            return sparse.hstack([tfidf, sparse.csr_matrix(scaled)], format="csr")
        # what sparse.hstack([tfidf, csr_matrix(scaled)], format="csr") builds, without its overhead: each row
        # holds its TF-IDF entries, then its non-zero dense entries (same order, so the same float32 sums)
        n_rows, n_terms = tfidf.shape
        keep = scaled != 0
        per_row = np.diff(tfidf.indptr).astype(np.int64) + keep.sum(axis=1)
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(per_row, out=indptr[1:])
        nnz = int(indptr[-1])
        dense_rows, dense_cols = np.nonzero(keep)
        sparse_rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(tfidf.indptr))
        # position of each TF-IDF entry and each dense entry in the stacked row
        sparse_pos = indptr[sparse_rows] + (np.arange(len(sparse_rows), dtype=np.int64) - tfidf.indptr[sparse_rows])
        row_sparse = np.diff(tfidf.indptr).astype(np.int64)
        dense_start = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(keep.sum(axis=1), out=dense_start[1:])
        dense_pos = (indptr[dense_rows] + row_sparse[dense_rows]
                     + (np.arange(len(dense_rows), dtype=np.int64) - dense_start[dense_rows]))
        data = np.empty(nnz, dtype=np.float32)
        indices = np.empty(nnz, dtype=np.int32)
        data[sparse_pos] = tfidf.data
        indices[sparse_pos] = tfidf.indices
        data[dense_pos] = scaled[dense_rows, dense_cols]
        indices[dense_pos] = dense_cols + n_terms
        return sparse.csr_matrix((data, indices, indptr.astype(np.int32)), shape=(n_rows, n_terms + n_dense))

    def decision_function(self, texts: Sequence[str], dense: np.ndarray | None = None) -> np.ndarray:
        X = self._stack(self.transform(list(texts)), dense)
        return np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_

    def _decision_function_tokens(self, token_lists: list[list[str]], dense: np.ndarray | None = None) -> np.ndarray:
        """:meth:`decision_function` of texts given as their analyzer tokens (a list of lists, not copied)."""
        X = self._stack(self._tfidf(len(token_lists), *self._counts_of_tokens(token_lists)), dense)
        return np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_

    def predict_proba_tokens(self, token_lists: Sequence[list[str]], dense: np.ndarray | None = None) -> np.ndarray:
        """:meth:`predict_proba` of texts given as their analyzer tokens (see :meth:`transform_tokens`)."""
        X = self._stack(self.transform_tokens(token_lists), dense)
        return softmax((np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_) / self.temperature)

    def predict_proba_ids(self, ids: np.ndarray, lengths: np.ndarray, dense: np.ndarray | None = None) -> np.ndarray:
        """:meth:`predict_proba` of texts given as their tokens' word ids (see :meth:`_counts_of_ids`)."""
        X = self._stack(self._tfidf(len(lengths), *self._counts_of_ids(ids, lengths)), dense)
        return softmax((np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_) / self.temperature)

    def predict_proba_tfidf(self, tfidf: sparse.spmatrix, dense: np.ndarray | None = None) -> np.ndarray:
        """:meth:`predict_proba` of rows already in TF-IDF form over this model's vocabulary."""
        X = self._stack(tfidf, dense)
        return softmax((np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_) / self.temperature)

    def predict_proba(self, texts: Sequence[str], dense: np.ndarray | None = None) -> np.ndarray:
        return softmax(self.decision_function(texts, dense) / self.temperature)

    def predict(self, texts: Sequence[str], dense: np.ndarray | None = None) -> np.ndarray:
        return self.classes_[self.predict_proba(texts, dense).argmax(axis=1)]

    # -- inspection ------------------------------------------------------------------------------
    def feature_names(self, dense_names: Sequence[str] | None = None) -> list[str]:
        names = sorted(self.vocabulary_, key=self.vocabulary_.get)
        n_dense = len(self.dense_mean_)
        names += list(dense_names) if dense_names else [f"dense_{i}" for i in range(n_dense)]
        return names

    def top_features(self, k: int = 20, dense_names: Sequence[str] | None = None) -> dict[str, list[tuple[str, float]]]:
        """The k features that push hardest towards each class (weights relative to the class mean)."""
        names = self.feature_names(dense_names)
        centred = self.coef_ - self.coef_.mean(axis=0, keepdims=True)
        return {
            str(label): [(names[j], round(float(centred[i, j]), 4)) for j in np.argsort(-centred[i])[:k]]
            for i, label in enumerate(self.classes_.tolist())
        }

    # -- state -----------------------------------------------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        vocabulary = sorted(self.vocabulary_, key=self.vocabulary_.get)
        config = {
            "ngram_range": list(self.ngram_range),
            "min_df": self.min_df,
            "max_features": self.max_features,
            "sublinear_tf": self.sublinear_tf,
            "lowercase": self.lowercase,
            "token_pattern": self.token_pattern,
            "C": self.C,
            "class_weight": self.class_weight,
            "max_iter": self.max_iter,
            "dense_weight": self.dense_weight,
            "temperature": self.temperature,
            "classes": [c.item() if hasattr(c, "item") else c for c in self.classes_],
            "vocabulary": vocabulary,
        }
        arrays = {
            "idf": self.idf_.astype(np.float32),
            "coef": self.coef_,
            "intercept": self.intercept_,
            "dense_mean": self.dense_mean_,
            "dense_scale": self.dense_scale_,
        }
        return config, arrays

    @classmethod
    def from_state(cls, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> "LinearTextClassifier":
        params = {k: config[k] for k in (
            "ngram_range", "min_df", "max_features", "sublinear_tf", "lowercase", "token_pattern",
            "C", "class_weight", "max_iter", "dense_weight")}
        model = cls(**params)
        vocabulary = {term: i for i, term in enumerate(config["vocabulary"])}
        model._set_vocabulary(vocabulary, arrays["idf"])
        model.classes_ = np.asarray(config["classes"])
        model.coef_ = np.asarray(arrays["coef"], dtype=np.float32)
        model.intercept_ = np.asarray(arrays["intercept"], dtype=np.float64)
        model.dense_mean_ = np.asarray(arrays["dense_mean"], dtype=np.float64)
        model.dense_scale_ = np.asarray(arrays["dense_scale"], dtype=np.float64)
        model.temperature = float(config["temperature"])
        n_features = len(vocabulary) + len(model.dense_mean_)
        if model.coef_.shape != (len(model.classes_), n_features) or len(model.idf_) != len(vocabulary):
            raise ValueError(
                f"inconsistent state: coef {model.coef_.shape}, {len(model.classes_)} classes, "
                f"{len(vocabulary)} terms, {len(model.dense_mean_)} dense features")
        return model

    def pipeline(self):
        """The fitted scikit-learn objects, for inspection: (vectorizer, dense mean/scale, LogisticRegression)."""
        from sklearn.linear_model import LogisticRegression

        clf = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        clf.classes_ = self.classes_
        clf.coef_ = self.coef_.astype(np.float64)
        clf.intercept_ = self.intercept_
        return self.vectorizer_, (self.dense_mean_, self.dense_scale_), clf
