"""Tests for stance.genre: features, fitting on a tiny in-test corpus, state round trip, article_genre."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from stance.genre import (DENSE_NAMES, GENRES, GenreClassifier, article_genre, context_features, normalise,
                          paragraph_features, softmax, speaker_label, stage1_tokens)

F = {name: i for i, name in enumerate(DENSE_NAMES)}

# Tiny hand-written corpus (invented text), a few articles per genre.
REPORT = [
    ["Officials said on Tuesday that 14 people were injured in the fire.",
     "The ministry confirmed in a statement that 3,000 residents were evacuated on March 4.",
     "According to police, the cause of the blaze is under investigation, a spokesman said."],
    ["The central bank raised its key rate by 0.25 points to 4.5% on Wednesday, officials announced.",
     "Analysts had expected the move, according to a survey published in 2023.",
     "The decision was approved by seven of nine board members, the bank said."],
    ["Parliament voted 312 to 140 on Monday to approve the budget, the speaker's office reported.",
     "The bill now goes to the senate, which is expected to vote on June 2, officials said."],
]
OPINION = [
    ["We should stop pretending that this policy works. It clearly does not.",
     "I believe our leaders must find the courage to admit their mistakes.",
     "Surely the voters deserve better than these shameful excuses."],
    ["This is a disgraceful decision and we must say so plainly.",
     "In my view, the government ought to reverse course before it is too late.",
     "Perhaps the real scandal is how little anyone seems to care."],
    ["Our cities deserve better. I cannot accept the lazy argument that nothing can change.",
     "We need bold, honest leadership, and we need it now."],
]
SATIRE = [
    ["Area man heroically finishes entire pizza, declares himself greatest American ever!",
     "Sources confirmed the man is now the most exhausted person in the history of the universe.",
     "You won't believe what happened next: absolutely nothing, folks!"],
    ["Nation's dogs unveil totally bold plan to finally catch the mailman!",
     "Apparently the plan involves barking louder than ever before, the best strategy yet.",
     "Honestly, you have to admire the sheer audacity of the greatest minds of our time!"],
    ["Local cat elected mayor in the most shocking upset ever, folks!",
     "Apparently the cat promised free naps for every voter, the boldest pledge yet!"],
]
INTERVIEW = [
    ["Q. Mr. President, what will you do about the economy?",
     "The President. Well, I think we have to keep working. Thank you for asking.",
     "Q. Do you expect the bill to pass?",
     "The President. Yes, I do."],
    ["**Interviewer:** Welcome to the show. What do you make of the vote?",
     "**Dr. Smith:** Thank you for having me. It is a big moment.",
     "**Interviewer:** Will it last?",
     "**Dr. Smith:** I hope so."],
    ["Q: How did you start?", "A: I started small, with one shop.", "Q: And now?", "A: Now we have ten."],
]


def tiny_corpus():
    articles = REPORT + OPINION + SATIRE + INTERVIEW
    labels = ["reporting"] * 3 + ["opinion"] * 3 + ["satire"] * 3 + ["interview"] * 3
    return articles, labels


@pytest.fixture(scope="module")
def tiny_model():
    articles, labels = tiny_corpus()
    return GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0, subjectivity_zip=None).fit(
        articles, labels)


# -- features ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,label", [
    ("**Interviewer:** Welcome to our discussion.", "Interviewer"),
    ("**Dr. Jane Thompson:** Thank you for having me!", "Dr. Jane Thompson"),
    ("Q. Mr. President, you met your goal.", "Q"),
    ("Q: What happened?", "Q"),
    ("The President. Yes, but there are close seconds.", "The President"),
    ("O'Donnell. You're coming up against something new.", "O'Donnell"),
    ("THE PRESIDENT. Although attention is focused elsewhere.", "THE PRESIDENT"),
    # a transcript's timestamp before the label
    ("[00:00:24] Owen: Thanks for having me.", "Owen"),
    ("(12:05) Q: Why now?", "Q"),
    ("[00:01] **Host:** Welcome back.", "Host"),
])
def test_speaker_labels_are_interview_cues(text, label):
    assert speaker_label(text) == label
    f = paragraph_features(text)
    assert f[F["speaker_label"]] == 1.0


@pytest.mark.parametrize("text", [
    "Mr. Smith said the vote would be held on Monday.",
    "Yes. I think so, he added.",
    "Rep. Joe Sestak said he would run.",
    "The ministry confirmed the figures.",
    "2:08 was the time he wanted.",
])
def test_ordinary_sentences_are_not_speaker_labels(text):
    assert speaker_label(text) is None
    assert paragraph_features(text)[F["speaker_label"]] == 0.0


def test_pronoun_modal_and_attribution_counts():
    f = paragraph_features("I think I should go, and my friends agree")
    assert f[F["first_person_sg"]] == pytest.approx(3 / 9)
    assert f[F["modal_verbs"]] == pytest.approx(1 / 9)
    g = paragraph_features("We must act, you know, and you must too")
    assert g[F["first_person_pl"]] == pytest.approx(1 / 9)
    assert g[F["second_person"]] == pytest.approx(2 / 9)
    r = paragraph_features("The minister said 40 people died in March 2024, according to officials.")
    assert r[F["attribution_verbs"]] > 0.2  # said, according, officials
    assert r[F["numbers"]] > 0 and r[F["dates_years"]] > 0


def test_questions_exclamations_quotes_and_qa():
    f = paragraph_features("Is this real? Really? Wow!")
    assert f[F["question_marks"]] == pytest.approx(2 / 3)
    assert f[F["exclamations"]] == pytest.approx(1 / 3)
    assert f[F["ends_with_question"]] == 0.0
    q = paragraph_features('Q. What did he say? "Nothing at all," she replied?')
    assert q[F["qa_label"]] == 1.0 and q[F["ends_with_question"]] == 1.0
    assert q[F["quote_marks"]] > 0 and q[F["quoted_share"]] > 0
    assert paragraph_features("**Interviewer:** Hi.")[F["markdown_speaker"]] == 1.0


def test_evaluative_words_and_empty_paragraph():
    f = paragraph_features("A shameful, disgraceful and terrible failure by the worst leaders.")
    assert f[F["negative_words"]] > 0.3
    assert f[F["superlatives"]] > 0
    e = paragraph_features("")
    assert e.shape == (len(DENSE_NAMES),) and np.all(np.isfinite(e))


def test_normalise_masks_names_and_typography():
    assert normalise("Officials in Washington said Trump’s plan failed.") == \
        "Officials in Xname said Xname's plan failed."
    assert normalise("The President. Yes.").startswith("The President. Yes")


def test_context_features_shape():
    p1 = np.full((3, 4), 0.25)
    x = context_features(p1, np.zeros((3, len(DENSE_NAMES))), np.array([10, 20, 30]))
    assert x.shape == (3, 4 * 4 + 3)
    assert context_features(np.zeros((0, 4)), np.zeros((0, len(DENSE_NAMES))), np.zeros(0)).shape[0] == 0


_RATE_NAMES = ("first_person_sg", "first_person_pl", "second_person", "modal_verbs", "attribution_verbs",
               "quote_marks", "numbers", "dates_years", "conversational_words", "superlatives", "intensifiers",
               "hedges_evaluative", "satire_cues", "allcaps_words", "capitalised_words", "positive_words",
               "negative_words")


@pytest.mark.parametrize("text", ["Russia", "I", "!!!", "???", "Brutal!", "WE", "Yes?!", "2024", '"No"',
                                  "Italy criticised Spain.", "Ukraine condemned Russia's brutal attack."])
def test_smoothed_rates_of_short_texts_are_bounded(text):
    from stance.genre import features_matrix, paragraph_features
    prior = 10.0
    for f in (features_matrix([text], None, prior)[0], paragraph_features(text, None, prior)):
        n_words = max(len(text.split()), 1)
        for name in _RATE_NAMES:  # per word: at most (marks per word ≤ 2) · words / (words + prior)
            assert f[DENSE_NAMES.index(name)] <= 2 * n_words / (n_words + prior), name
        for name in ("question_marks", "exclamations"):  # at most one mark per sentence, over sentences + 1
            assert f[DENSE_NAMES.index(name)] <= 0.5, name
    raw = features_matrix(["!!!"], None)[0]
    assert raw[DENSE_NAMES.index("exclamations")] == 3.0  # rate_prior=0 keeps the raw rates of older models


def test_context_features_prior_fallback_for_a_lone_paragraph():
    p1 = np.array([[0.9, 0.05, 0.03, 0.02]])
    x = context_features(p1, np.zeros((1, len(DENSE_NAMES))), np.array([40]), prior_fallback=True)
    assert np.allclose(x[0, 4:12], 0.25)  # adjacent and window: no neighbours → uniform, not p1 again
    old = context_features(p1, np.zeros((1, len(DENSE_NAMES))), np.array([40]))
    assert np.allclose(old[0, 4:8], p1[0])
    two = np.array([[0.9, 0.05, 0.03, 0.02], [0.1, 0.7, 0.1, 0.1]])
    a = context_features(two, np.zeros((2, len(DENSE_NAMES))), np.array([40, 40]), prior_fallback=True)
    b = context_features(two, np.zeros((2, len(DENSE_NAMES))), np.array([40, 40]))
    assert np.array_equal(a, b)  # with neighbours the fallback is not used


# -- model ---------------------------------------------------------------------------------------
def test_fit_predict_shapes_and_labels(tiny_model):
    assert tiny_model.labels == GENRES
    probs = tiny_model.predict_proba(["Officials said 12 people died.", "I think we must act."])
    assert probs.shape == (2, 4)
    assert np.allclose(probs.sum(1), 1.0)


def test_model_learns_the_tiny_corpus(tiny_model):
    articles, labels = tiny_corpus()
    right = sum(article_genre(tiny_model.predict_proba(a), [len(p) for p in a], tiny_model.labels)[0] == y
                for a, y in zip(articles, labels))
    assert right >= 10  # of 12 training articles


def test_interview_block_is_recognised(tiny_model):
    probs = tiny_model.predict_proba(["Q. What is your plan?", "The President. We will keep working.",
                                      "Q. And the budget?", "The President. It will pass."])
    assert all(tiny_model.labels[i] == "interview" for i in probs.argmax(1))


def test_empty_article_gives_empty_matrix(tiny_model):
    assert tiny_model.predict_proba([]).shape == (0, 4)


def test_string_instead_of_paragraph_list_is_rejected(tiny_model):
    with pytest.raises(TypeError):
        tiny_model.predict_proba("one string")


def test_fit_rejects_length_mismatch_and_single_genre():
    articles, labels = tiny_corpus()
    with pytest.raises(ValueError):
        GenreClassifier(subjectivity_zip=None).fit(articles, labels[:-1])
    with pytest.raises(ValueError):
        GenreClassifier(subjectivity_zip=None, min_df=1).fit(REPORT, ["reporting"] * 3)


def test_state_round_trip_identical_probabilities(tiny_model, tmp_path):
    config, arrays = tiny_model.get_state()
    json.dumps(config)  # plain JSON
    assert all(isinstance(v, np.ndarray) and v.dtype.kind in "fiu" for v in arrays.values())
    np.savez_compressed(tmp_path / "genre.npz", **arrays)
    (tmp_path / "genre.json").write_text(json.dumps(config))
    with np.load(tmp_path / "genre.npz", allow_pickle=False) as z:
        loaded = {k: z[k] for k in z.files}
    again = GenreClassifier.from_state(json.loads((tmp_path / "genre.json").read_text()), loaded)
    paras = ["Officials said 12 people died.", "You won't believe this, folks!", "Q. Why?", "I think not."]
    assert again.labels == tiny_model.labels
    np.testing.assert_array_equal(again.predict_proba(paras), tiny_model.predict_proba(paras))


def test_from_state_rejects_foreign_state(tiny_model):
    config, arrays = tiny_model.get_state()
    with pytest.raises(ValueError):
        GenreClassifier.from_state({**config, "format": "something/else"}, arrays)
    bad = dict(arrays)
    bad["s2_coef"] = bad["s2_coef"][:, :-1]
    with pytest.raises(ValueError):
        GenreClassifier.from_state(config, bad)


def test_subset_of_labels():
    articles, labels = tiny_corpus()
    keep = [i for i, y in enumerate(labels) if y in ("reporting", "opinion")]
    m = GenreClassifier(min_df=1, oof_folds=2, subjectivity_zip=None).fit(
        [articles[i] for i in keep], [labels[i] for i in keep])
    assert m.labels == ("reporting", "opinion")
    assert m.predict_proba(["We must act."]).shape == (1, 2)


# -- article_genre -------------------------------------------------------------------------------
def test_article_genre_mixed_50_50():
    probs = np.array([[0.9, 0.05, 0.03, 0.02], [0.02, 0.03, 0.05, 0.9]])
    label, scores, mixed, mix = article_genre(probs, [100, 100], GENRES)
    assert mixed is True
    assert mix["reporting"] == pytest.approx(0.5) and mix["interview"] == pytest.approx(0.5)
    assert sum(scores.values()) == pytest.approx(1.0)
    assert sum(mix.values()) == pytest.approx(1.0)
    assert label in ("reporting", "interview")


def test_article_genre_single_genre():
    probs = np.array([[0.1, 0.7, 0.1, 0.1]] * 4 + [[0.6, 0.2, 0.1, 0.1]])
    label, scores, mixed, mix = article_genre(probs, [300, 300, 300, 300, 40], GENRES)
    assert label == "opinion" and mixed is False
    assert sum(scores.values()) == pytest.approx(1.0)
    assert mix["reporting"] == pytest.approx(40 / 1240)


def test_article_genre_weights_by_characters():
    probs = np.array([[0.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])
    label, scores, mixed, _ = article_genre(probs, [1000, 10], GENRES)
    assert label == "opinion" and not mixed and scores["opinion"] > 0.95


def test_article_genre_bad_input():
    with pytest.raises(ValueError):
        article_genre(np.full((2, 4), 0.25), [10], GENRES)
    label, scores, mixed, mix = article_genre(np.zeros((0, 4)), [], GENRES)
    assert not mixed and sum(scores.values()) == pytest.approx(1.0) and sum(mix.values()) == 0.0


def test_cross_source_word_filter():
    from stance.genre import cross_source_words, filter_tokens
    words = cross_source_words(["the Zorblat said", "the cat said", "the dog"], ["a", "b", "c"], 2)
    assert words == {"the", "said"}
    assert filter_tokens("The Zorblat said", words) == "The xrare said"
    assert filter_tokens("anything", None) == "anything"


def test_fit_with_groups_keeps_round_trip(tmp_path):
    articles, labels = tiny_corpus()
    groups = [f"src{i % 4}" for i in range(len(articles))]
    m = GenreClassifier(min_df=1, oof_folds=2, min_groups=2, subjectivity_zip=None).fit(
        articles, labels, groups=groups)
    assert m.allowed_words and "the" in m.allowed_words
    config, arrays = m.get_state()
    again = GenreClassifier.from_state(json.loads(json.dumps(config)), arrays)
    paras = ["Officials said 12 people died.", "Q. Why?"]
    np.testing.assert_array_equal(again.predict_proba(paras), m.predict_proba(paras))
    with pytest.raises(ValueError):
        GenreClassifier(subjectivity_zip=None).fit(articles, labels, groups=groups[:-1])


def test_persent_text_repairs_upstream_artefacts():
    from stance.corpus import persent_text
    # plain rows lost their commas (two spaces)
    assert persent_text("In 2006  Benjamin bought a flat.") == "In 2006, Benjamin bought a flat."
    # tokenised rows: mention padding, lost commas as 3+ spaces, split clitics and punctuation
    tok = ("The head of the U . S . agency spoke on Tuesday . Chief Ann Lee   a Republican    said "
           "the vote on  her  plan is set . Lee ' s office said it was  so - called reform . "
           "-LRB- Radio -RRB- It isn ' t over .")
    out = persent_text(tok)
    assert "U.S. agency" in out and "Tuesday." in out
    assert "Ann Lee, a Republican, said" in out
    assert "on her plan" in out and "Lee's office" in out and "so-called" in out
    assert "(Radio)" in out and "isn't over." in out


def test_persent_text_unpads_mentions_of_the_main_entity():
    from stance.corpus import persent_text
    # plain rows that pad every mention of the main entity (name words and pronouns) on top of the lost commas
    raw = ('On Monday   Norishige Kanai  claimed  he  had grown. "I have news "  Kanai  said. Later  Kanai  said  '
           'his  height was fine  and  he  laughed.')
    assert persent_text(raw, "Norishige Kanai") == (
        'On Monday, Norishige Kanai claimed he had grown. "I have news," Kanai said. Later Kanai said his height '
        'was fine, and he laughed.')
    # no padded mentions: only the lost commas are restored, and the actor changes nothing
    plain = '"We are suckers " Koellmann said. In 2006  he bought a flat  and he paid.'
    assert persent_text(plain, "Benjamin Koellmann") == persent_text(plain) == (
        '"We are suckers," Koellmann said. In 2006, he bought a flat, and he paid.')


def test_persent_outlet_from_dateline():
    from stance.corpus import persent_outlet
    assert persent_outlet("BERLIN (AP) — Officials said") == "ap"
    assert persent_outlet("LONDON (Reuters) - The bank said") == "reuters"
    assert persent_outlet("The council voted on Monday.") == "unknown"


def test_style_text_keeps_function_words_and_shapes_only():
    from stance.genre import style_text
    out = style_text(normalise("Officials said on Tuesday that Putin quickly approved 40 new rules."))
    assert out == "officials said on xname that xname xly xed xnum xw xws xdot"


def test_style_view_round_trip(tmp_path):
    articles, labels = tiny_corpus()
    m = GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0, style_view=True).fit(articles, labels)
    # context 4k + 3, the style view k, the runs k, the two run models k - 1 each (they leave out interview)
    assert m.s2_coef_.shape[1] == len(m.s2_mean_) == 8 * len(m.labels) + 1
    config, arrays = m.get_state()
    np.savez(tmp_path / "g.npz", **arrays)
    with np.load(tmp_path / "g.npz", allow_pickle=False) as z:
        loaded = {k: z[k] for k in z.files}
    again = GenreClassifier.from_state(json.loads(json.dumps(config)), loaded)
    art = articles[0] + articles[-1]
    assert np.allclose(again.predict_proba(art), m.predict_proba(art))
    assert sum(m.predict(a)[0] == lab for a, lab in zip(articles, labels)) >= 9
    # the batch path (what classify uses) adds the style view too: it used to fail on a style-view model
    batch = m.predict_proba_articles([art, [], articles[1]])
    assert np.allclose(batch[0], m.predict_proba(art)) and np.allclose(batch[2], m.predict_proba(articles[1]))


# -- runs of one genre (segment_penalty) ------------------------------------------------------------
def _log_rows(*rows):
    return np.log(np.array(rows, dtype=float))


OPI, REP = (0.1, 0.7, 0.1, 0.1), (0.7, 0.1, 0.1, 0.1)


def test_segment_runs_cut_a_page_into_its_blocks():
    from stance.genre import segment_runs
    # each opinion/reporting paragraph favours its genre by log(.7/.1) = 1.95; a 6-paragraph block gains 11.7,
    # more than the 2 x 4.0 its two changes of genre cost
    page = _log_rows(*[OPI] * 3, *[REP] * 6, *[OPI] * 3)
    assert segment_runs(page, 4.0).tolist() == [0] * 3 + [1] * 6 + [2] * 3


def test_segment_runs_need_more_evidence_than_the_cost_of_a_change():
    from stance.genre import segment_runs
    lone = _log_rows(*[OPI] * 3, REP, *[OPI] * 3)  # 1.95 < 2 x 4.0
    assert segment_runs(lone, 4.0).tolist() == [0] * 7
    assert segment_runs(lone, 0.5).tolist() == [0, 0, 0, 1, 2, 2, 2]
    short = _log_rows(*[OPI] * 3, *[REP] * 4, *[OPI] * 3)  # 4 x 1.95 = 7.8 < 8.0: still one run
    assert segment_runs(short, 4.0).tolist() == [0] * 10
    sure = _log_rows(*[OPI] * 3, *[(0.97, 0.01, 0.01, 0.01)] * 2, *[OPI] * 3)  # 2 x log(.97/.01) = 9.1 > 8.0
    assert segment_runs(sure, 4.0).tolist() == [0, 0, 0, 1, 1, 2, 2, 2]


def test_segment_runs_edge_cases():
    from stance.genre import segment_features, segment_runs
    assert segment_runs(np.zeros((0, 4)), 4.0).tolist() == []
    assert segment_features(np.zeros((0, 4)), 4.0).shape == (0, 4)
    assert segment_runs(_log_rows(REP), 4.0).tolist() == [0]


def test_segment_features_are_the_mean_log_probabilities_of_each_run():
    from stance.genre import segment_features
    page = _log_rows(*[OPI] * 2, (0.2, 0.6, 0.1, 0.1), *[REP] * 3)
    out = segment_features(page, 1.0)
    assert np.allclose(out[:3], page[:3].mean(0)) and np.allclose(out[3:], page[3:].mean(0))
    assert np.allclose(segment_features(page, 20.0), page.mean(0))  # one run: the page mean


def test_segment_penalty_adds_run_columns_and_survives_a_round_trip(tmp_path):
    articles, labels = tiny_corpus()
    m = GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0, segment_penalty=4.0,
                        run_model=False, run_style=False).fit(articles, labels)
    k = len(m.labels)
    assert m.s2_coef_.shape[1] == 5 * k + 3
    assert [name for name, _ in m.top_features(40)["stage2"]["opinion"] if name.startswith("segment_log_")]
    config, arrays = m.get_state()
    again = GenreClassifier.from_state(json.loads(json.dumps(config)), arrays)
    page = articles[0] + articles[3] + articles[-1]
    assert np.allclose(again.predict_proba(page), m.predict_proba(page))
    config["params"]["segment_penalty"] = 0.0  # a state whose parameters do not match its stage 2 is refused
    with pytest.raises(ValueError, match="inconsistent genre state"):
        GenreClassifier.from_state(config, arrays)


def test_a_state_from_before_runs_loads_without_them():
    articles, labels = tiny_corpus()
    m = GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0, segment_penalty=0.0,
                        run_model=False, run_style=False).fit(articles, labels)
    config, arrays = m.get_state()
    for name in ("segment_penalty", "run_model", "run_style"):  # as such states were written
        del config["params"][name]
    again = GenreClassifier.from_state(json.loads(json.dumps(config)), arrays)
    assert (again.segment_penalty, again.run_model, again.run_style) == (0.0, False, False)
    page = articles[0] + articles[3]
    assert np.allclose(again.predict_proba(page), m.predict_proba(page))
    # the runs and the run model are the defaults for a new model (what stance.train fits)
    fresh = GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0).fit(articles, labels)
    assert fresh.segment_penalty > 0 and fresh.run_model_ is not None and fresh.run_style_model_ is not None
    assert fresh._gate() == fresh.labels.index("interview")


def test_run_model_reads_each_run_as_one_text_and_survives_a_round_trip(tmp_path):
    articles, labels = tiny_corpus()
    m = GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0, segment_penalty=4.0,
                        run_model=True, run_style=False).fit(articles, labels)
    k = len(m.labels)
    # the run model reads reporting, opinion and satire, not interview (stance.genre._run_genres)
    assert list(m.run_model_.classes_) == ["opinion", "reporting", "satire"]
    assert m.s2_coef_.shape[1] == 5 * k + 3 + 3 and m.run_model_.vocabulary_ == m.stage1_.vocabulary_
    page = articles[0] + articles[3]
    p1 = m.predict_proba_stage1(page)
    dense = m.stage1_dense(page)
    chars = np.array([len(p) for p in page], dtype=float)
    m.segment_penalty = 1e6  # one run: every paragraph gets the run model's reading of the whole page
    logs = m._run_logs(m.run_model_, m._tokens(m.stage1_, page), dense, chars,
                       [(np.arange(len(page)), m._runs(p1))])[0]
    assert m._runs(p1).tolist() == [0] * len(page)
    # the page read as one text: its tokens one paragraph after the other; its style the weighted mean of the
    # paragraphs', its length in characters and in paragraphs
    tokens = [t for para in stage1_tokens(m.stage1_, page, m.allowed_words) for t in para]
    w = chars + 1
    style = np.r_[(dense * w[:, None]).sum(0) / w.sum(), np.log1p(chars.sum()), np.log(len(page))]
    whole = m.run_model_.predict_proba_tokens([tokens], style[None, :])[0]
    order = [list(m.run_model_.classes_).index(g) for g in ("reporting", "opinion", "satire")]
    assert np.allclose(logs, np.log(np.clip(whole[order], 1e-4, 1.0)))
    m.segment_penalty = 4.0
    config, arrays = m.get_state()
    again = GenreClassifier.from_state(json.loads(json.dumps(config)), arrays)
    assert np.allclose(again.predict_proba(page), m.predict_proba(page))
    assert all(np.allclose(a, b) for a, b in zip(m.predict_proba_articles([page, articles[6]]),
                                                 [m.predict_proba(page), m.predict_proba(articles[6])]))
    del config["run_model"]
    with pytest.raises(ValueError, match="run model is missing"):
        GenreClassifier.from_state(config, arrays)


def test_run_style_model_reads_each_run_from_its_style_words(tmp_path):
    from stance.genre import style_tokens
    articles, labels = tiny_corpus()
    m = GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0).fit(articles, labels)
    assert list(m.run_style_model_.classes_) == ["opinion", "reporting", "satire"]
    page = articles[0] + articles[3]
    style = [style_tokens(normalise(p)) for p in page]
    one_run = [(np.arange(len(page)), np.zeros(len(page), dtype=np.int64))]
    logs = m._run_style_logs(m.run_style_model_, [normalise(p) for p in page], one_run)[0]
    # counted from word ids, as the model's own vectorizer counts the run's style words joined into one text
    whole = m.run_style_model_.predict_proba([" ".join(" ".join(t) for t in style)])[0]
    order = [list(m.run_style_model_.classes_).index(g) for g in ("reporting", "opinion", "satire")]
    assert np.allclose(logs, np.log(np.clip(whole[order], 1e-4, 1.0)))
    config, arrays = m.get_state()
    again = GenreClassifier.from_state(json.loads(json.dumps(config)), arrays)
    assert np.allclose(again.predict_proba(page), m.predict_proba(page))
    del config["run_style_model"]
    with pytest.raises(ValueError, match="run style model is missing"):
        GenreClassifier.from_state(config, arrays)


def test_interview_is_decided_without_the_run_models_readings():
    articles, labels = tiny_corpus()
    m = GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0).fit(articles, labels)
    gate = m._gate()
    assert m.labels[gate] == "interview"
    runs = np.array([n.startswith(("run_text_log_", "run_style_log_")) for n in m._stage2_names()])
    assert runs.sum() == 6 and not m.s2_coef_[gate, runs].any()
    X2 = np.random.default_rng(0).normal(size=(5, len(runs))) * m.s2_scale_ + m.s2_mean_
    moved = X2.copy()
    moved[:, runs] += 3 * m.s2_scale_[runs]  # the run models read the runs quite differently
    p, q = softmax(m._stage2_logits(X2)), softmax(m._stage2_logits(moved))
    assert np.allclose(p.sum(1), 1) and np.allclose(p[:, gate], q[:, gate])
    assert not np.allclose(p, q)  # ... which moves reporting / opinion / satire, not interview


def test_a_state_whose_run_models_read_interview_loads_with_one_softmax(monkeypatch):
    # models trained before the run models left out interview (stance 0.1.0 during development)
    import stance.genre as genre
    articles, labels = tiny_corpus()
    monkeypatch.setattr(genre, "_run_genres", lambda labels: list(labels))
    m = GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0).fit(articles, labels)
    assert m._gate() is None and "interview" in m.run_model_.classes_
    config, arrays = m.get_state()
    page = articles[0] + articles[-1]
    expected = m.predict_proba(page)
    monkeypatch.undo()
    again = GenreClassifier.from_state(json.loads(json.dumps(config)), arrays)
    assert again._gate() is None and np.allclose(again.predict_proba(page), expected)


def test_a_state_with_parts_that_do_not_fit_together_is_refused():
    articles, labels = tiny_corpus()
    m = GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0).fit(articles, labels)
    config, arrays = m.get_state()
    edits = {
        "s2_intercept": lambda c, a: a.update(s2_intercept=a["s2_intercept"][:1]),
        "s2_scale": lambda c, a: a.update(s2_scale=a["s2_scale"][:1]),
        "temperature": lambda c, a: c.update(temperature=0.0),
        "run model n-grams": lambda c, a: c["run_model"].update(ngram_range=[1, 1]),
        "run model genres": lambda c, a: c["run_model"].update(classes=["opinion", "reporting", "weather"]),
    }
    for what, edit in edits.items():
        c, a = json.loads(json.dumps(config)), dict(arrays)
        edit(c, a)
        with pytest.raises(ValueError, match="inconsistent genre state"):
            GenreClassifier.from_state(c, a)
    # and a generator of articles is read like a list
    assert len(m.predict_proba_articles(a for a in articles[:3])) == 3


# -- headline feature ---------------------------------------------------------------------------------
# invented headlines, in the style of the two sides of the Onion / r/nottheonion data
HEADLINES = [
    ("Area Man Heroically Declares Himself Nation's Greatest Napper", "satire"),
    ("Nation's Dogs Unveil Bold Plan To Finally Catch Mailman", "satire"),
    ("Local Cat Wins Mayoral Race In Most Shocking Upset Ever", "satire"),
    ("Area Woman Totally Nails Unveiling Of Bold New Hobby", "satire"),
    ("Man Arrested After Trying To Pay For Pizza With Live Goose", "reporting"),
    ("Police Say Driver Was Stopped While Towing A Hot Tub With A Bicycle", "reporting"),
    ("City Council Votes To Rename Street After Local Goat, Officials Said", "reporting"),
    ("Woman Charged After Police Found 40 Snakes In Her Car", "reporting"),
]


def test_headline_feature_is_one_stage1_column_and_survives_a_round_trip(tmp_path):
    articles, labels = tiny_corpus()
    m = GenreClassifier(min_df=1, oof_folds=2, synthetic_mixed=1.0, C=5.0, headline_feature=True).fit(
        articles, labels, headlines=tuple(zip(*HEADLINES)))
    heads = [h for h, _ in HEADLINES]
    logodds = m.stage1_dense(heads)[:, -1]
    assert logodds[:4].mean() > 0 > logodds[4:].mean()  # satire headlines score above the weird-but-real ones
    assert len(m.stage1_.dense_mean_) == len(DENSE_NAMES) + 1
    assert m.top_features(3)["stage1"]  # the extra column has a name
    config, arrays = m.get_state()
    np.savez(tmp_path / "g.npz", **arrays)
    with np.load(tmp_path / "g.npz", allow_pickle=False) as z:
        loaded = {k: z[k] for k in z.files}
    again = GenreClassifier.from_state(json.loads(json.dumps(config)), loaded)
    art = articles[0] + articles[6]
    np.testing.assert_array_equal(again.predict_proba(art), m.predict_proba(art))
    batch = m.predict_proba_articles([articles[0], articles[6]])
    np.testing.assert_array_equal(np.vstack(batch),
                                  np.vstack([m.predict_proba(articles[0]), m.predict_proba(articles[6])]))
    del config["headline_model"]
    with pytest.raises(ValueError, match="headline model is missing"):
        GenreClassifier.from_state(config, loaded)


def test_headline_feature_needs_satire_and_reporting_headlines():
    articles, labels = tiny_corpus()
    with pytest.raises(ValueError, match="needs fit\\(headlines="):
        GenreClassifier(headline_feature=True).fit(articles, labels)
    with pytest.raises(ValueError, match="labelled 'satire' and 'reporting'"):
        GenreClassifier(headline_feature=True).fit(articles, labels, headlines=(["a b c", "d e f"], ["satire", "opinion"]))


DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.skipif(not (DATA / "genre" / "onion_headlines.jsonl").exists(), reason="shared data not present")
def test_load_headlines_records_sha_balances_and_stays_out_of_the_article_corpus():
    from stance.corpus import HEADLINE_FILE, build_genre_corpus, load_headlines
    from stance.model import sha256_file

    texts, labs, prov = load_headlines(DATA, cap=2000, seed=3)
    assert prov["sha256"] == sha256_file(DATA / HEADLINE_FILE) and prov["file"] == HEADLINE_FILE
    assert prov["rows_per_genre"] == {"satire": 1000, "reporting": 1000} and len(texts) == len(labs) == 2000
    assert len({t.lower() for t in texts}) == 2000
    assert load_headlines(DATA, cap=2000, seed=3)[0] == texts  # reproducible
    articles, _labels, groups, cprov = build_genre_corpus(DATA, 0)
    # the article corpus (and so every leave-source-out fold) holds no headline and no headline group
    paras = {" ".join(p.lower().split()) for a in articles for p in a}
    assert not paras & {t.lower() for t in texts}
    assert not any("onion" in g for g in groups)
    assert HEADLINE_FILE not in cprov["files"]


# One-sentence texts with no genre signal (written for this test). On the random split's held-out
# paragraphs of at most 8 words, scored alone as one-paragraph texts, the model's argmax is right about 70 %
# of the time (scripts/genre_calibration_by_length.py), so a mean confidence above 0.9 on such texts would be
# overconfident by 0.2 or more. The model before the short-pages fix averaged 0.97 here.
_NEUTRAL_SHORT = ("The meeting was held on Tuesday.", "Officials met in Geneva.", "The vote is expected next week.",
                  "Prices rose in March.", "Italy criticised Spain.", "Ukraine condemned Russia's brutal attack.",
                  "Russia", "!!!")


def test_shipped_model_is_not_overconfident_on_one_sentence_texts(model):
    top = [float(model.genre.predict_proba([t])[0].max()) for t in _NEUTRAL_SHORT]
    assert np.mean(top) <= 0.9, dict(zip(_NEUTRAL_SHORT, np.round(top, 3)))


def test_shipped_model_treats_missing_neighbours_as_uninformative(model):
    g = model.genre
    assert g.short_pages > 0
    text = ["Officials met in Geneva."]
    p1 = g.predict_proba_stage1(text)
    run_log = g._run_logs(g.run_model_, g._tokens(g.stage1_, text), g.stage1_dense(text), np.array([24.0]),
                          [(np.arange(1), g._runs(p1))])[0]
    x = g._stage2_inputs(p1, np.zeros((1, len(DENSE_NAMES))), np.array([24]), run_log)
    k = len(g.labels)
    assert np.allclose(x[0, k:3 * k], 1.0 / k)


def test_genre_relabels_are_valid_and_name_only_buzzfeed_rows():
    from stance.corpus import genre_relabels

    relabels = genre_relabels()
    assert relabels and set(relabels.values()) <= set(GENRES) | {"drop"}
    assert all(k.startswith("horne-") for k in relabels)


@pytest.mark.skipif(not (DATA / "genre" / "horne_political.jsonl").exists(), reason="shared data not present")
def test_corpus_applies_our_labels_to_the_buzzfeed_sample():
    from stance.corpus import genre_relabels, load_examples

    relabels = genre_relabels()
    fixed, _ = load_examples(DATA)
    raw, _ = load_examples(DATA, relabel=False)
    genres = {g: Counter(ex["genre"] for ex in exs if ex["group"] == "horne:buzzfeed-real") for g, exs in
              (("fixed", fixed), ("raw", raw))}
    assert set(genres["raw"]) == {"reporting"}
    kept = [v for v in relabels.values() if v != "drop"]
    assert genres["fixed"]["opinion"] == kept.count("opinion") and genres["fixed"]["reporting"] <= kept.count("reporting")
    assert sum(genres["raw"].values()) - sum(genres["fixed"].values()) <= list(relabels.values()).count("drop")


def _dense_context_reference(p1, lengths, prior_fallback):
    """The n x n formulation context_features had before it summed over the band (kept as the reference)."""
    n, k = p1.shape
    w = np.asarray(lengths, dtype=float) + 20.0
    idx = np.arange(n)
    dist = np.abs(idx[:, None] - idx[None, :])
    adj = (dist == 1).astype(float)
    win = np.where((dist >= 1) & (dist <= 3), 1.0 / np.maximum(dist, 1), 0.0) * w[None, :]
    missing = np.full_like(p1, 1.0 / k) if prior_fallback else p1

    def avg(m):
        s = m.sum(1, keepdims=True)
        return np.where(s > 0, (m @ p1) / np.maximum(s, 1e-12), missing)

    return avg(adj), avg(win)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 30])
@pytest.mark.parametrize("prior_fallback", [False, True])
def test_context_features_neighbour_sums_match_the_dense_formulation(n, prior_fallback):
    rng = np.random.default_rng(n)
    p1 = rng.dirichlet(np.ones(4), size=n)
    lengths = rng.integers(1, 400, size=n)
    x = context_features(p1, np.zeros((n, 1)), lengths, prior_fallback)
    adj, win = _dense_context_reference(p1, lengths, prior_fallback)
    assert np.allclose(x[:, 4:8], adj, atol=1e-12) and np.allclose(x[:, 8:12], win, atol=1e-12)
