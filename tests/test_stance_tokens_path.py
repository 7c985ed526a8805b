"""The stance model's token path (documents handed to the linear model as token lists, see
``_featurize_batch(as_tokens=True)``) against the string path (documents joined, then re-tokenised by the
analyzer): the same tokens, and bit-identical logits and probabilities."""

from __future__ import annotations

import re

import numpy as np
import pytest

import stance
from stance import targets as T
from tests.test_targets_fast import EDGE, _seed_rows


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
