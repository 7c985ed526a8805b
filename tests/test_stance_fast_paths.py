"""The batch featurisation and cue path (stance.targets.featurize / cue_offsets) against the plain per-mention
reference (featurize_one / cue_hits): identical documents, bit-identical dense features, identical cue offsets.

Runs on the seed pages' sentences (every capitalised word as a target) and hand-made edge cases; with the
shared data present also on NewsMTSC, BASIL and FinEntity rows (read by path, nothing copied).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from stance.corpus import read_stance_rows
from stance.scoring import LABELS
from stance.targets import cue_hits, cue_offsets, default_cues, featurize, featurize_one
from stance.text import split_sentences

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "stance"


def _reference_offsets(texts, spans, cues):
    out = np.zeros((len(texts), len(LABELS)))
    for i, (t, s) in enumerate(zip(texts, spans)):
        hits = cue_hits(t, s, cues)
        for name in hits:
            if hits[name]:
                out[i] += cues["classes"][name]["offsets"]
    return out


def _seed_rows():
    texts, spans = [], []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for s, e in split_sentences(text):
            sent = text[s:e]
            words = [m.span() for m in re.finditer(r"\b[A-Z][\w’'-]*", sent)]
            for k, span in enumerate(words[:6]):
                texts.append(sent)
                spans.append([span] + ([words[k + 2]] if k + 2 < len(words) and k % 2 else []))
    return texts, spans


EDGE = [
    ("Ukraine condemned Russia's brutal attack.", [(18, 24)]),
    ("Ukraine condemned Russia's brutal attack.", [(0, 7)]),
    ("President Vladimir Putin met Joe Biden.", [(10, 24)]),
    ("Putin said Putin won.", [(0, 5), (11, 16)]),
    ("  ", [(0, 1)]),
    ("x", [(0, 1)]),
    ("Not good, not bad: Smith isn't happy and didn't win.", [(19, 24)]),
    ("Russia-Ukraine war: aid to Ukraine must not stop.", [(0, 6), (7, 14), (27, 34)]),
    ("He said “Russia’s ‘thanks’ mean nothing”, the so-called Russia.", [(9, 15), (56, 62)]),
    ("AB", [(0, 1), (1, 2)]),
    ("Overlap Overlapping spans here.", [(0, 10), (5, 19)]),
    ("The war in Ukraine and the invasion of Ukraine by Russia.", [(11, 18), (39, 46)]),
    ("Smith's age and the decline of his party, worsened by the scandal, slowly erode their strength.", [(0, 5)]),
    ("Smith, 71, who has ruled since 2000, did not erode Smith's strength.", [(0, 5), (52, 57)]),
    ("Smith (R-Texas) would not reduce poverty, aides said.", [(0, 5)]),
    # a decrease verb composed with its subject's polar words, past a parenthetical and directly
    ("Smith's popularity, according to recent polls, has eroded sharply.", [(0, 5)]),
    ("Smith's deficit has shrunk, and Jones's losses fell.", [(0, 5), (32, 37)]),
    ("Smith's resolve, tested by war, has not weakened; Smith's growth slowed.", [(0, 5), (50, 55)]),
]


def _check(texts, spans, **options):
    cues = default_cues()
    docs, dense = featurize(texts, spans, **options)
    for i, (t, s) in enumerate(zip(texts, spans)):
        d, v = featurize_one(t, sorted(s), **options)
        assert docs[i] == d, (t, s)
        assert np.array_equal(dense[i], np.asarray(v, dtype=np.float64)), (t, s)
    np.testing.assert_array_equal(cue_offsets(texts, spans, cues), _reference_offsets(texts, [sorted(x) for x in spans], cues))


def test_batch_features_equal_reference_on_edge_cases():
    _check([t for t, _ in EDGE], [s for _, s in EDGE])


def test_batch_features_equal_reference_on_seed_sentences():
    _check(*_seed_rows())


@pytest.mark.parametrize("options", [dict(mask_entities=True), dict(window=3, clause=False, speech_acts=False),
                                     dict(roles=False), dict(predicates=False)])
def test_batch_features_equal_reference_with_other_options(options):
    texts, spans = _seed_rows()
    _check(texts[:300] + [t for t, _ in EDGE], spans[:300] + [s for _, s in EDGE], **options)


@pytest.mark.skipif(not DATA.exists(), reason="shared data not present")
@pytest.mark.parametrize("name", ["newsmtsc_train.jsonl", "newsmtsc_dev_mt.jsonl", "basil_sentences.jsonl",
                                  "finentity.jsonl"])
def test_batch_features_equal_reference_on_shared_data(name):
    texts, spans, _, _ = read_stance_rows(DATA / name)
    step = max(1, len(texts) // 1500)
    _check(texts[::step], spans[::step])


def test_combine_many_equals_aggregate_and_the_weighted_mean_argmax_per_group():
    from stance.scoring import LABELS, aggregate, combine, combine_many, mention_confidences, mention_scores

    rng = np.random.default_rng(0)
    probs = rng.dirichlet([1, 1, 1], size=200)
    probs[5] = [1 / 3, 1 / 3, 1 / 3]  # no confidence at all
    groups = [[i] for i in range(20)] + [list(range(i, i + 7)) for i in range(20, 150, 7)] + [[5], [5, 5], [0, 5, 9]]
    for (s1, l1, c1), g in zip(combine_many(probs, groups), groups):
        p = probs[g]
        w = mention_confidences(p)
        s0, c0 = aggregate(mention_scores(p), w)
        mean = (w[:, None] * p).sum(axis=0) / w.sum() if w.sum() > 1e-12 else p.mean(axis=0)
        l0 = LABELS[int(np.argmax(mean))]
        assert l1 == l0 and abs(s1 - s0) < 1e-12 and abs(c1 - c0) < 1e-12, g
        assert combine(p) == (s1, l1, c1)  # combine is one group of combine_many
    assert combine_many(probs, []) == []


def test_cue_offsets_do_not_depend_on_what_the_cue_index_remembers():
    # the cue index remembers each token's trigger keys and each set of keys' patterns; a fresh index and
    # one that has seen the sentences before (the rows again, in reverse) must both give the reference offsets
    from stance.targets import _cue_index

    cues = default_cues()
    texts, spans = _seed_rows()
    texts, spans = texts + [t for t, _ in EDGE], spans + [s for _, s in EDGE]
    reference = _reference_offsets(texts, [sorted(x) for x in spans], cues)
    _cue_index.cache_clear()
    np.testing.assert_array_equal(cue_offsets(texts, spans, cues), reference)
    np.testing.assert_array_equal(cue_offsets(texts[::-1], spans[::-1], cues), reference[::-1])
