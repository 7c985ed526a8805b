"""Tests for stance.targets (masking/features, the model's state round trip, input checks) and stance.scoring
(aggregation).

The model is trained on a tiny fixture written here (template sentences), never on the shared data.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from stance.scoring import LABELS, aggregate, label_for, mention_confidences, mention_scores
from stance.targets import (CUE_CLASSES, DENSE_NAMES, StanceClassifier, agent_act, check_cues, clause_range, cue_hits,
                            cue_offsets, default_cues, featurize, featurize_one, mask_text, mask_tokens, tokenize)
from stance.words import PLACEHOLDER

NAMES = ["Russia", "Ukraine", "France", "NATO", "Smith", "Jones", "Brazil", "Kenya"]
NEG = ["{t} was accused of brutal crimes.", "Critics condemned {t} for the illegal invasion.",
       "{t}'s corrupt leaders lied again.", "People blamed {t} for the terrible disaster."]
NEU = ["{t} will hold a meeting on Tuesday.", "{t} said the talks would continue next week.",
       "The report mentions {t} twice.", "{t} announced a new schedule for the summit."]
POS = ["{t} was praised for its brave and generous help.", "Everyone admired {t}'s excellent work.",
       "{t} won a great victory and celebrated.", "Voters applauded {t} for the successful reform."]


def _fixture():
    texts, spans, labels = [], [], []
    for label, templates in ((-1, NEG), (0, NEU), (1, POS)):
        for tpl in templates:
            for name in NAMES:
                text = tpl.format(t=name)
                i = text.index(name)
                texts.append(text)
                spans.append([(i, i + len(name))])
                labels.append(label)
    return texts, spans, labels


@pytest.fixture(scope="module")
def model():
    texts, spans, labels = _fixture()
    return StanceClassifier(C=3.0, min_df=1).fit(texts, spans, labels)


# -- masking and features ---------------------------------------------------------------------------
def test_tokenize_splits_possessive_and_keeps_offsets():
    text = "Russia's attack didn't stop."
    toks = tokenize(text)
    assert [t for t, _, _ in toks] == ["Russia", "'s", "attack", "didn't", "stop", "."]
    assert all(text[s:e] == t for t, s, e in toks)


def test_mask_tokens_collapses_multiword_target():
    text = "President Vladimir Putin met Joe Biden."
    toks, pos = mask_tokens(text, [(10, 24)])
    assert toks == ["president", PLACEHOLDER, "met", "joe", "biden", "."]
    assert pos == [1]
    # two mentions → two placeholders
    text2 = "Putin said Putin won."
    toks2, pos2 = mask_tokens(text2, [(0, 5), (11, 16)])
    assert toks2 == [PLACEHOLDER, "said", PLACEHOLDER, "won", "."]
    assert pos2 == [0, 2]


def test_mask_text_replaces_spans_only():
    assert mask_text("Ukraine condemned Russia's attack.", [(18, 24)]) == "Ukraine condemned TGT's attack."
    assert mask_text("A and B", [(6, 7), (0, 1)]) == "TGT and TGT"


def test_featurize_window_prefixes_and_target_dependence():
    text = "Ukraine condemned Russia's brutal attack."
    doc_r, dense_r = featurize_one(text, [(18, 24)])
    doc_u, dense_u = featurize_one(text, [(0, 7)])
    assert len(dense_r) == len(DENSE_NAMES) == len(dense_u)
    assert doc_r.startswith("ukraine condemned TGT 's brutal attack .")
    assert "N_brutal" in doc_r.split() and "N_'s" in doc_r.split()
    d_r = dict(zip(DENSE_NAMES, dense_r))
    d_u = dict(zip(DENSE_NAMES, dense_u))
    assert d_r["poss_neg"] >= 1  # TGT's brutal …
    # Ukraine is the agent of "condemned": the object's words are marked O_ and leave the polarity cues
    assert "AGENT_CRIT" in doc_u.split() and "O_brutal" in doc_u.split()
    assert "N_brutal" not in doc_u.split()
    assert d_u["vader_near"] == 0.0 and d_r["vader_near"] < 0
    # names never reach the features of their own row
    assert "russia" not in doc_r.lower().split()


def test_agent_act_and_clause_range():
    toks, pos = mask_tokens("Ukraine strongly condemned the strike.", [(0, 7)])
    assert agent_act(toks, pos[0]) == ("CRIT", 2)
    toks, pos = mask_tokens("Critics condemned Ukraine, but Kenya praised it.", [(18, 25)])
    assert agent_act(toks, pos[0]) is None
    a, b = clause_range(toks, pos[0])
    assert toks[a:b] == ["critics", "condemned", PLACEHOLDER]


def test_negation_flips_near_valence():
    _, plain = featurize_one("Smith is good.", [(0, 5)])
    _, negated = featurize_one("Smith is not good.", [(0, 5)])
    i = DENSE_NAMES.index("vader_near")
    assert plain[i] > 0 > negated[i]
    assert negated[DENSE_NAMES.index("neg_in_window")] == 1.0


# -- model --------------------------------------------------------------------------------------------
def test_predict_proba_shape_and_fixture_fit(model):
    texts, spans, labels = _fixture()
    p = model.predict_proba(texts, spans)
    assert p.shape == (len(texts), 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    acc = (np.array([-1, 0, 1])[p.argmax(1)] == np.array(labels)).mean()
    assert acc > 0.9


def test_state_round_trip_is_identical(model, tmp_path):
    config, arrays = model.get_state()
    assert all(isinstance(v, np.ndarray) and v.dtype != object for v in arrays.values())
    path = tmp_path / "stance.json"
    path.write_text(json.dumps(config))
    np.savez_compressed(tmp_path / "stance.npz", **arrays)
    with np.load(tmp_path / "stance.npz", allow_pickle=False) as npz:
        loaded = StanceClassifier.from_state(json.loads(path.read_text()), {k: npz[k] for k in npz.files})
    texts = ["Critics condemned Kenya for the illegal invasion.", "Kenya will hold a meeting on Tuesday."]
    spans = [[(18, 23)], [(0, 5)]]
    np.testing.assert_array_equal(model.predict_proba(texts, spans), loaded.predict_proba(texts, spans))


def test_from_state_rejects_foreign_state(model):
    config, arrays = model.get_state()
    with pytest.raises(Exception, match="format"):
        StanceClassifier.from_state({**config, "format": "other"}, arrays)


def test_unseen_name_is_handled_by_masking(model):
    text = "Critics condemned Zanzibar for the illegal invasion."
    p = model.predict_proba([text], [[(18, 26)]])[0]
    assert LABELS[int(p.argmax())] == "negative"


# -- bad inputs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("spans, message", [
    ([[(0, 99)]], "out of range"),
    ([[(5, 5)]], "out of range"),
    ([[]], "empty"),
    ([[(0, 5)], [(0, 5)]], "target span lists"),
    ([[("a", 3)]], "pair of ints"),
])
def test_bad_inputs_raise_value_error(model, spans, message):
    with pytest.raises(ValueError, match=message):
        model.predict_proba(["Kenya won."], spans)


def test_fit_rejects_bad_labels():
    with pytest.raises(ValueError, match="labels"):
        StanceClassifier().fit(["Kenya won."], [[(0, 5)]], [1, 0])
    with pytest.raises(ValueError, match="-1, 0 or 1"):
        StanceClassifier().fit(["Kenya won."], [[(0, 5)]], [5])


def test_featurize_rejects_single_string():
    with pytest.raises(ValueError, match="not one string"):
        featurize("Kenya won.", [[(0, 5)]])


def test_unfitted_model_raises():
    with pytest.raises(Exception, match="not fitted"):
        StanceClassifier().predict_proba(["Kenya won."], [[(0, 5)]])


# -- scores, aggregation, labels ---------------------------------------------------------------------
def test_mention_scores_and_confidences():
    probs = np.array([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(mention_scores(probs), [-0.7, 0.7, 0.0])
    conf = mention_confidences(probs)
    assert conf[2] == pytest.approx(0.0, abs=1e-9) and conf[0] > 0.2
    with pytest.raises(ValueError, match="shape"):
        mention_scores(np.zeros((2, 2)))


def test_aggregate_is_an_average_not_a_sum():
    one, _ = aggregate(np.array([0.4]), np.array([0.8]))
    many, _ = aggregate(np.full(50, 0.4), np.full(50, 0.8))
    assert one == pytest.approx(0.4) and many == pytest.approx(0.4)
    mixed, _ = aggregate(np.array([0.9, 0.9, -0.9]), np.array([1.0, 1.0, 1.0]))
    assert mixed == pytest.approx(0.3)
    weighted, _ = aggregate(np.array([1.0, -1.0]), np.array([0.9, 0.1]))
    assert weighted == pytest.approx(0.8)
    s, c = aggregate(np.array([]), np.array([]))
    assert (s, c) == (0.0, 0.0)


def test_aggregate_confidence_falls_with_disagreement_and_few_mentions():
    _, agree = aggregate(np.array([0.6, 0.6, 0.6, 0.6]), np.full(4, 0.8))
    _, disagree = aggregate(np.array([0.6, -0.6, 0.6, -0.6]), np.full(4, 0.8))
    _, few = aggregate(np.array([0.6]), np.array([0.8]))
    assert 0.0 <= disagree < agree <= 1.0
    assert few < agree
    with pytest.raises(ValueError, match="one per mention"):
        aggregate(np.array([0.1, 0.2]), np.array([1.0]))


def test_label_for():
    assert label_for(-0.9) == "negative"
    assert label_for(0.0) == "neutral"
    assert label_for(0.9) == "positive"
    assert label_for(0.2, -0.5, 0.5) == "neutral"
    with pytest.raises(ValueError):
        label_for(float("nan"))


def test_whitespace_only_span_does_not_crash(model):
    doc, dense = featurize_one("   ", [(0, 1)])
    assert doc.startswith(PLACEHOLDER) and len(dense) == len(DENSE_NAMES)
    p = model.predict_proba(["Kenya  won."], [[(5, 6)]])
    assert p.shape == (1, 3)


def test_combine_one_mention_keeps_the_classifier_decision():
    from stance.scoring import combine

    score, label, confidence = combine(np.array([[0.2, 0.45, 0.35]]))
    assert label == "neutral" and score == pytest.approx(0.15)
    assert 0 < confidence < 1


def test_combine_is_an_average_and_doubt_lowers_confidence():
    from stance.scoring import combine

    one = combine(np.array([[0.8, 0.15, 0.05]]))
    many = combine(np.array([[0.8, 0.15, 0.05]] * 50))
    assert many[0] == pytest.approx(one[0]) and many[1] == "negative"
    assert many[2] > one[2]  # more agreeing mentions → more support
    mixed = combine(np.array([[0.8, 0.15, 0.05], [0.05, 0.15, 0.8]] * 25))
    assert abs(mixed[0]) < 0.05 and mixed[2] < many[2]
    with pytest.raises(ValueError, match="class probabilities"):
        combine(np.zeros((0, 3)))


# -- conflict cue lexicon ---------------------------------------------------------------------------
def _hits(text: str, target: str, occurrence: int = 0) -> set[str]:
    i = -1
    for _ in range(occurrence + 1):
        i = text.index(target, i + 1)
    return {k for k, v in cue_hits(text, [(i, i + len(target))], default_cues()).items() if v}


@pytest.mark.parametrize("text, target, expected", [
    ("Ukraine has every right to ask its allies for assistance.", "Ukraine", {"support"}),
    ("The West must continue aiding Ukraine.", "Ukraine", {"support"}),
    ("Congress debated aid to Ukraine.", "Ukraine", {"support"}),
    ("They pledged to protect Ukraine's independence.", "Ukraine", {"support"}),
    ("This is a war aimed at destroying the Ukrainian nation.", "Ukrainian", {"victim"}),
    ("The subjugation of Ukraine is merely the first step.", "Ukraine", {"victim"}),
    ("Ukrainian children killed by Russians.", "Ukrainian", {"victim"}),
    ("Ukrainian children killed by Russians.", "Russians", {"aggressor"}),
    ("Ukraine condemned Russia's brutal attack.", "Russia", {"aggressor"}),
    ("Putin will continue his bloody attacks regardless of the cost.", "Putin", {"aggressor"}),
    ("Putin thanked North Korean troops for their participation in the war.", "Putin", {"praise_agent"}),
    ("The phrasing of Putin's \u201cthanks\u201d warrants attention.", "Putin", {"scare_quote"}),
    ("North Korean troops are fighting in the war in Ukraine.", "Ukraine", {"setting"}),
    ("The North Korean regime sent troops.", "North Korean", {"derogatory"}),
    ("Ukraine will hold a meeting on Tuesday.", "Ukraine", set()),
])
def test_cue_classes_fire_on_what_is_said_about_the_target(text, target, expected):
    assert _hits(text, target) == expected


def test_cues_do_not_fire_on_condemned_support_arms_or_political_praise():
    # support that the sentence wants stopped is no warmth toward the receiver
    assert "support" not in _hits("They demanded an end to North Korean military support for Russia.", "Russia")
    # who receives weapons is not what the text thinks of them
    assert "support" not in _hits("The provision of North Korean weapons to Russia adds a layer.", "Russia")
    # praise in general (NewsMTSC labels the praiser mostly positive) is left to the classifier
    assert "praise_agent" not in _hits("Trump praised Nehlen for running a very good campaign.", "Trump")


def test_cue_offsets_shift_logits_and_scale_zero_switches_them_off(model):
    text = "Ukraine condemned Russia's brutal attack."
    i = text.index("Russia")
    spans = [[(i, i + len("Russia"))]]
    off = cue_offsets([text], spans, default_cues())
    assert off.shape == (1, 3) and off[0, 0] > 0 > off[0, 2]  # aggressor: toward negative
    assert not cue_offsets([text], spans, None).any()
    with_cues = model.predict_proba([text], spans)[0]
    old = model.cue_scale
    try:
        model.cue_scale = 0.0
        without = model.predict_proba([text], spans)[0]
    finally:
        model.cue_scale = old
    assert with_cues[0] > without[0] and with_cues[2] < without[2]


def test_cues_travel_in_the_state_as_plain_json(model):
    config, _ = model.get_state()
    assert json.loads(json.dumps(config))["cues"] == check_cues(default_cues())
    assert set(config["cues"]["classes"]) <= set(CUE_CLASSES)


def test_state_without_cues_loads_and_uses_none(model):
    config, arrays = model.get_state()
    old = StanceClassifier.from_state({k: v for k, v in config.items() if k != "cues"}, arrays)
    assert old.cues_ is None


def test_check_cues_rejects_bad_lexicons():
    good = default_cues()
    with pytest.raises(Exception, match="format"):
        check_cues({"classes": {}})
    with pytest.raises(Exception, match="unknown cue class"):
        check_cues({**good, "classes": {"wishful": {"offsets": [0, 0, 0], "patterns": []}}})
    with pytest.raises(Exception, match="3 finite offsets"):
        check_cues({**good, "classes": {"support": {"offsets": [1, 2], "patterns": []}}})
    with pytest.raises(Exception, match="bad pattern"):
        check_cues({**good, "classes": {"support": {"offsets": [0, 0, 0], "patterns": ["(unclosed"]}}})


# -- target roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, target, role", [
    ("Russia attacked the city.", "Russia", "subj"),
    ("Ukraine condemned Russia's brutal attack.", "Russia", "poss"),
    ("Missiles hit Kyiv overnight.", "Kyiv", "obj"),
    ("Troops are fighting in Ukraine.", "Ukraine", "loc"),
    ("The West sent aid to the Ukraine army.", "Ukraine", "to"),
    ("Attacks on Kharkiv continued.", "Kharkiv", "against"),
    ("The invasion of Ukraine began in 2022.", "Ukraine", "of"),
    ("The city was shelled by Russia.", "Russia", "by"),
    ("He spoke, but Smith said nothing.", "Smith", "subj"),
])
def test_target_role(text, target, role):
    from stance.words import target_role

    i = text.index(target)
    toks, pos = mask_tokens(text, [(i, i + len(target))])
    assert target_role(toks, pos[0]) == role


def test_role_features_split_sentence_valence_by_role():
    text = "Missiles hit Kyiv and killed innocent people."
    i = text.index("Kyiv")
    doc, dense = featurize_one(text, [(i, i + 4)])
    d = dict(zip(DENSE_NAMES, dense))
    assert "ROLE_obj" in doc.split()
    assert d["role_obj_x_vader_sentence"] == d["vader_sentence"] != 0
    assert all(v == 0 for k, v in d.items() if k.startswith("role_") and not k.startswith("role_obj"))
    doc0, dense0 = featurize_one(text, [(i, i + 4)], roles=False)
    assert "ROLE_obj" not in doc0.split()
    assert all(v == 0 for k, v in zip(DENSE_NAMES, dense0) if k.startswith("role_"))


# -- predicate link -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, target, predicate", [
    ("Smith's age and the decline of his party, worsened by the scandal, slowly erode their strength.", "Smith",
     ["slowly", "erode", "their", "strength"]),
    ("Smith, who has ruled since 2000, ordered the attack.", "Smith", ["ordered", "the", "attack"]),
    ("Smith, 71, who has ruled since 2000, ordered the attack.", "Smith", ["ordered", "the", "attack"]),
    ("Smith (R-Texas) says the plan is bad.", "Smith", ["says", "the", "plan", "is", "bad"]),
    # the predicate is already in the target's clause, or the target is not in the subject noun phrase
    ("Smith condemned the plan, which critics call reckless, as dangerous.", "Smith", None),
    ("Smith says the plan, which critics call reckless, is good.", "Smith", None),
    ("Critics praised Smith's plan, which passed, as bold.", "Smith", None),
    ("The plan, backed by Smith, failed.", "Smith", None),
])
def test_predicate_range(text, target, predicate):
    from stance.predicate import predicate_range

    i = text.index(target)
    toks, pos = mask_tokens(text, [(i, i + len(target))])
    r = predicate_range(toks, pos[0])
    assert (None if r is None else toks[r[0]:r[1]]) == predicate


def test_predicate_features_shift_polarity_after_decrease_verbs():
    from stance.predicate import PREDICATE_NAMES

    def pred(text):
        doc, dense = featurize_one(text, [(0, 5)])
        return [t for t in doc.split("|||")[1].split() if t.startswith("P")], dict(zip(DENSE_NAMES, dense))

    toks, d = pred("Smith's rivals, led by Jones, gradually erode their strength.")
    assert toks == ["P_gradually", "P_erode", "P_their", "P_strength", "P_NEGWORD", "P_SHIFT"]
    assert d["pred_link"] == 1 and d["pred_shifted"] == 1 and d["pred_vader"] < 0
    _, d = pred("Smith's rivals, led by Jones, did not erode their strength.")  # negated decrease: positive
    assert d["pred_vader"] > 0
    _, d = pred("Smith's plan, which critics call reckless, will reduce poverty.")  # decrease of a bad thing
    assert d["pred_vader"] > 0 and d["pred_hl_pos"] == 1
    _, d = pred("Smith's plan, which critics call reckless, will win.")
    assert d["pred_shifted"] == 0 and d["pred_vader"] > 0
    doc, dense = featurize_one("Smith, who ruled, erodes trust.", [(0, 5)], predicates=False)
    assert "P_erodes" not in doc.split()
    assert all(v == 0 for k, v in zip(DENSE_NAMES, dense) if k in PREDICATE_NAMES)


# -- decrease verbs composed with their subject ("TGT's popularity has eroded") --------------------------
def _pred(text, **options):
    doc, dense = featurize_one(text, [(0, 5)], **options)
    return [t for t in doc.split("|||")[1].split() if t.startswith("P")], dict(zip(DENSE_NAMES, dense))


@pytest.mark.parametrize("text, sign", [
    ("Smith's popularity, according to recent polls, has eroded sharply.", -1),  # "sharply" is no object
    ("Smith's approval, already low in the summer, dropped again in October.", -1),
    ("Smith's profits, hit by rising costs, fell by half.", -1),
    ("Smith's support, once solid in the suburbs, is slipping.", -1),
    ("Smith's deficit, a long-standing worry, has shrunk.", +1),
    ("Smith's losses, according to analysts, will fall next year.", +1),
    ("Smith's resolve, tested by months of shelling, has not weakened.", +1),  # negated decrease: kept
    ("Smith's popularity, despite the scandal, has not fallen.", +1),
])
def test_decrease_verb_without_object_turns_its_subject_around(text, sign):
    toks, d = _pred(text)
    assert d["pred_link"] == 1 and np.sign(d["pred_vader"]) == sign
    assert d["pred_shifted"] == 0  # counts shifted objects only
    assert ("P_NEGWORD" if sign < 0 else "P_POSWORD") in toks


@pytest.mark.parametrize("text, sign", [
    ("Smith's popularity has eroded.", -1),
    ("Smith's approval rating dropped again.", -1),
    ("Smith's deficit has shrunk.", +1),
    ("Smith's unemployment continues to decline.", +1),
])
def test_direct_subject_composition_reaches_the_polarity_cues(text, sign):
    # without a parenthetical the clause features see "popularity" and "eroded" but not how they combine: the
    # composition turns the subject's words around in the polarity cues themselves (as negation does)
    toks, d = _pred(text)
    _, off = _pred(text, predicates=False)
    assert d["pred_link"] == 0 and np.sign(d["pred_vader"]) == sign
    assert np.sign(d["vader_near"]) == sign and np.sign(off["vader_near"]) == -sign
    assert not any(t.startswith("P_") and t[2:].islower() for t in toks)  # no P_ words: the clause has them


@pytest.mark.parametrize("text", [
    "Smith's popularity, according to recent polls, has grown.",  # no decrease verb
    "Smith's economy plunged into crisis.",  # no polar word in the subject; "crisis" is no object of "plunged"
    "Smith's spokesman, reached by phone, declined to comment.",  # a refusal
    "Critics call him a Smith flunky who lost big.",  # a relative clause, not the subject's predicate
    "Smith's critics, who opposed the plan, dropped their objections.",  # a transitive use: the object shifts
    "Critics say Smith's popularity, according to polls, has eroded.",  # not in the sentence's subject
])
def test_subject_composition_does_not_fire(text):
    from stance.predicate import _predicate_features
    from stance.targets import _mask

    i = text.index("Smith")
    toks, positions, _ = _mask(text, [(i, i + 5)])
    assert _predicate_features(toks, positions)[2] == []


def test_subject_decrease_and_object_signs():
    from stance.predicate import _predicate_signs, _subject_decrease

    toks = "TGT 's popularity , says x , has not eroded sharply .".split()
    assert _subject_decrease(toks, 7, 11) == (9, 1.0)
    toks = "TGT 's popularity has eroded sharply .".split()
    assert _subject_decrease(toks, 3, 6) == (4, -1.0)
    assert _predicate_signs(toks, 3, 6) == [1.0, 1.0, 1.0]  # an adverb is not the verb's object
    toks = "TGT 's rivals will erode their strength .".split()
    assert _subject_decrease(toks, 3, 7) is None  # a polar object: the object shifts, not the subject
    assert _predicate_signs(toks, 3, 7) == [1.0, 0.0, 1.0, -1.0]
