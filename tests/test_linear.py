"""LinearTextClassifier: prediction without scikit-learn must equal scikit-learn's, and state round-trips."""

import numpy as np
import pytest

from stance.linear import LinearTextClassifier, fit_temperature, softmax

TEXTS = [
    "The minister said the talks would resume on Monday.",
    "I think this is a disgrace, and we must say so!",
    "Officials told reporters 40 people were hurt, police said.",
    "Frankly, our leaders have failed us; it's shameful.",
    "The agency reported 1,200 evacuations, according to a statement.",
    "We should be outraged. Don't pretend otherwise.",
] * 4
LABELS = ["reporting", "opinion"] * 12


@pytest.fixture(scope="module")
def fitted():
    dense = np.arange(len(TEXTS) * 2, dtype=float).reshape(-1, 2) % 5
    return LinearTextClassifier(min_df=1, C=10).fit(TEXTS, LABELS, dense), dense


def test_transform_equals_sklearn(fitted):
    model, _ = fitted
    probe = TEXTS + ["", "Unseen words only", "SAID said Said — don’t"]
    ours = model.transform(probe).toarray()
    reference = model.vectorizer_.transform(probe).toarray()
    assert ours.shape == reference.shape
    assert np.abs(ours - reference).max() < 1e-6


def test_state_round_trip_gives_identical_probabilities(fitted):
    model, dense = fitted
    config, arrays = model.get_state()
    assert all(a.dtype != object for a in arrays.values())
    again = LinearTextClassifier.from_state(config, arrays)
    assert np.array_equal(again.predict_proba(TEXTS, dense), model.predict_proba(TEXTS, dense))
    assert list(again.predict(TEXTS[:2], dense[:2])) == ["reporting", "opinion"]


def test_dense_feature_count_is_checked(fitted):
    model, _ = fitted
    with pytest.raises(ValueError, match="expects 2 dense features"):
        model.predict_proba(TEXTS[:1], np.zeros((1, 3)))
    with pytest.raises(ValueError, match="expects 2 dense features"):
        model.predict_proba(TEXTS[:1])


def test_length_mismatch_in_fit():
    with pytest.raises(ValueError, match="one label per text"):
        LinearTextClassifier().fit(["a", "b"], ["x"])


def test_top_features_name_the_cues(fitted):
    model, _ = fitted
    top = model.top_features(5, dense_names=["d0", "d1"])
    assert set(top) == {"reporting", "opinion"}
    assert "said" in [name for name, _ in top["reporting"]]


def test_temperature_is_fitted_to_overconfident_logits():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    logits = np.where(np.eye(2)[y] == 1, 5.0, 0.0) + rng.normal(0, 3, (500, 2))
    t = fit_temperature(logits, y)
    assert t > 1.0  # overconfident logits are softened
    assert softmax(np.array([[0.0, 0.0]])).tolist() == [[0.5, 0.5]]
