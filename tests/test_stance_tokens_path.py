"""The stance model's token path (documents handed to the linear model as token lists, see
``_featurize_batch(as_tokens=True)``) against the string path (documents joined, then re-tokenised by the
analyzer): the same tokens, and bit-identical logits and probabilities."""

from __future__ import annotations

import re

import numpy as np
import pytest

import stance
from stance import scoring, targets as T
from stance.corpus import read_stance_rows
from test_stance_fast_paths import DATA, EDGE, _seed_rows


def _rows():
    texts, spans = _seed_rows()
    texts += [t for t, _ in EDGE]
    spans += [s for _, s in EDGE]
    texts, spans = T._check_inputs(texts, spans)
    return texts, spans


@pytest.mark.parametrize("options", [dict(), dict(mask_entities=True),
                                     dict(window=3, clause=False, speech_acts=False, roles=False)])
def test_token_documents_are_what_the_analyzer_finds(options):
    texts, spans = _rows()
    args = dict(window=6, clause=True, mask_entities=False, speech_acts=True)
    args.update(options)
    roles = args.pop("roles", True)
    docs, dense, _ = T._featurize_batch(texts, spans, **args, roles=roles)
    toks, dense2, _ = T._featurize_batch(texts, spans, **args, roles=roles, as_tokens=True)
    assert toks == [re.findall(r"\S+", d) for d in docs]
    assert np.array_equal(dense, dense2)


def test_token_path_logits_equal_string_path():
    texts, spans = _rows()
    model = stance.load_model().stance
    inner = model.model_
    docs, dense, _ = T._featurize_batch(texts, spans, model.window, model.clause, model.mask_entities,
                                        model.speech_acts, roles=model.roles)
    toks, _, _ = T._featurize_batch(texts, spans, model.window, model.clause, model.mask_entities,
                                    model.speech_acts, roles=model.roles, as_tokens=True)
    assert np.array_equal(inner._decision_function_tokens(toks, dense), inner.decision_function(docs, dense))


def _reference_logits(model, texts, spans):
    """decision_function computed mention by mention from the plain references (featurize_one, cue_hits)
    and the linear model's string path."""
    inner = model.model_
    docs, dense = [], []
    for t, s in zip(texts, spans):
        d, v = T.featurize_one(t, sorted(s), model.window, model.clause, model.mask_entities, model.speech_acts,
                               model.roles)
        docs.append(d)
        dense.append(v)
    logits = inner.decision_function(docs, np.asarray(dense, dtype=np.float64))
    cues = model.cues_
    if cues and model.cue_scale:
        offsets = np.zeros((len(texts), len(scoring.LABELS)))
        for i, (t, s) in enumerate(zip(texts, spans)):
            hits = T.cue_hits(t, sorted(s), cues)
            for name in hits:
                if hits[name]:
                    offsets[i] += cues["classes"][name]["offsets"]
        order = [T._LABEL_VALUES.index(v) for v in inner.classes_.tolist()]
        logits = logits + (offsets * float(model.cue_scale))[:, order]
    return logits


def test_model_logits_equal_per_mention_reference():
    texts, spans = _rows()
    model = stance.load_model().stance
    assert np.array_equal(model.decision_function(texts, spans), _reference_logits(model, texts, spans))


@pytest.mark.skipif(not DATA.exists(), reason="shared data not present")
def test_model_logits_equal_per_mention_reference_on_newsmtsc():
    texts, spans, _, _ = read_stance_rows(DATA / "newsmtsc_train.jsonl")
    texts, spans = texts[::7][:1500], spans[::7][:1500]
    model = stance.load_model().stance
    assert np.array_equal(model.decision_function(texts, spans), _reference_logits(model, texts, spans))
