"""The public Python API on the shipped model: contract, seeds, clear cases, bad input."""

import json
from collections import Counter
from pathlib import Path

import pytest

import stance

ARTICLE_KEYS = {"id", "genre", "genre_scores", "mixed", "genre_mix", "paragraphs", "actors", "model"}
PARAGRAPH_KEYS = {"index", "start", "end", "text", "boilerplate", "genre", "genre_scores", "actors"}
ACTOR_KEYS = {"name", "kind", "aliases", "mentions", "score", "label", "confidence", "evidence"}


def test_genres_constant():
    assert stance.GENRES == ("reporting", "opinion", "satire", "interview")


def test_default_model_has_name_version_and_genres(model):
    assert model.genres == stance.GENRES
    assert model.name == "stance-default"
    assert model.version


def test_contract_keys_and_value_ranges(seed_results, seed_texts):
    for key, result in seed_results.items():
        d = json.loads(result.to_json())
        assert set(d) == ARTICLE_KEYS
        assert d["id"] == key
        assert d["genre"] in stance.GENRES
        assert set(d["genre_scores"]) == set(stance.GENRES)
        assert sum(d["genre_scores"].values()) == pytest.approx(1.0, abs=1e-3)
        assert sum(d["genre_mix"].values()) == pytest.approx(1.0, abs=1e-3)
        assert d["model"] == {"name": "stance-default", "version": stance.load_model().version}
        text = seed_texts[key]
        for i, p in enumerate(d["paragraphs"]):
            assert set(p) == PARAGRAPH_KEYS
            assert p["index"] == i
            assert text[p["start"]:p["end"]] == p["text"]
            if p["boilerplate"]:
                assert p["genre"] is None and p["genre_scores"] is None and p["actors"] == []
            else:
                assert p["genre"] in stance.GENRES
                assert sum(p["genre_scores"].values()) == pytest.approx(1.0, abs=1e-3)
            for a in p["actors"]:
                assert set(a) == {"name", "score", "label", "mentions"}
                assert -1 <= a["score"] <= 1
        for a in d["actors"]:
            assert set(a) == ACTOR_KEYS
            assert a["kind"] in ("person", "country", "organization", "other")
            assert -1 <= a["score"] <= 1 and 0 <= a["confidence"] <= 1
            assert a["label"] in ("negative", "neutral", "positive")
            assert a["mentions"] >= 1 and a["aliases"]
            assert 1 <= len(a["evidence"]) <= 3
            for e in a["evidence"]:
                assert set(e) == {"paragraph", "sentence", "score"}
                assert e["sentence"] in d["paragraphs"][e["paragraph"]]["text"]


def test_seed_003_is_opinion_with_headline_list_as_boilerplate(seed_results):
    result = seed_results["003"]
    assert result.genre == "opinion"
    boiler = {p.text for p in result.paragraphs if p.boilerplate}
    for chrome in ("Read also:", "Tags:", "More news", "19:08", "2 November",
                   "107 clashes at front: Russian army attacks in 11 sectors - Ukraine's General Staff"):
        assert chrome in boiler
    content = [p for p in result.paragraphs if not p.boilerplate]
    assert any(p.text.startswith("Putin is determined to change the situation") for p in content)


def test_seed_001_is_mixed(seed_results):
    result = seed_results["001"]
    assert result.mixed is True
    shares = {g: s for g, s in result.genre_mix.items() if s >= 0.15}
    assert len(shares) >= 2
    turns = [p for p in result.paragraphs if p.text.startswith(("**Interviewer:**", "**Dr."))]
    assert len(turns) == 14
    assert sum(p.genre == "interview" for p in turns) >= 0.8 * len(turns)


def test_issue3_seed_genres(seed_results):
    """Issue #3's bar on our own paragraph labels: >= 90% of the labelled content paragraphs get their genre
    and every article its label (001 mixed)."""
    spec = json.loads((Path(__file__).parent / "fixtures" / "seed_genres.json").read_text(encoding="utf-8"))
    right, wrong = 0, []
    for name, info in spec["seeds"].items():
        result = seed_results[name[:3]]
        content = [p for p in result.paragraphs if not p.boilerplate]
        for item in info["paragraphs"]:
            found = [p for p in content if p.text.startswith(item["prefix"])]
            assert found, f"{name}: no content paragraph starts with {item['prefix']!r}"
            if found[0].genre == item["genre"]:
                right += 1
            else:
                wrong.append((name[:3], item["prefix"], item["genre"], found[0].genre))
        assert result.mixed if info["article"] == "mixed" else (result.genre == info["article"] and not result.mixed)
    total = right + len(wrong)
    assert total >= 110 and right / total >= 0.90, wrong


def test_own_short_texts_get_their_genre():
    """Our own short texts (tests/fixtures/genre_texts/GENRE/*.txt, 45), written in shapes the training data
    lacks: interviews in web layouts, non-US and science news, letters, satire about invented governments.
    The model of stop 13 got 29 right and 4 of the 15 interviews; the shipped model 38 and 12. Known misses
    are in the model card (unlabelled Q&As read as satire, among others)."""
    folder = Path(__file__).parent / "fixtures" / "genre_texts"
    right, wrong = Counter(), {}
    for path in sorted(folder.glob("*/*.txt")):
        result = stance.classify(path.read_text(encoding="utf-8"))
        if result.genre == path.parent.name:
            right[path.parent.name] += 1
        else:
            wrong[f"{path.parent.name}/{path.name}"] = result.genre
    assert sum(right.values()) + len(wrong) == 45
    assert sum(right.values()) >= 36 and right["interview"] >= 11, wrong


def test_issue4_seed_stances(seed_results):
    """Putin, Russia and North Korea negative in the hostile pages 000, 002 and 003; Ukraine positive in 003."""
    for key in ("000", "002", "003"):
        result = seed_results[key]
        for name in ("Russia", "North Korea"):
            actor = result.actor(name)
            assert actor is not None, f"{name} missing in seed {key}"
            assert actor.score < 0, f"{name} in seed {key}: {actor.score}"
        putin = result.actor("Vladimir Putin")
        assert putin is not None and putin.score < 0 and putin.label == "negative", f"Putin in seed {key}"
    ukraine = seed_results["003"].actor("Ukraine")
    assert ukraine is not None and ukraine.score > 0 and ukraine.label == "positive"


def test_aliases_grouped(seed_results):
    names = {a.name for r in seed_results.values() for a in r.actors}
    assert "Putin" not in names and "North Korean" not in names and "Pyongyang" not in names
    putin = seed_results["000"].actor("Vladimir Putin")
    assert {"Vladimir Putin", "Putin"} <= set(putin.aliases)
    north_korea = seed_results["001"].actor("North Korea")
    assert {"North Korea", "North Korean", "Pyongyang"} <= set(north_korea.aliases)


def test_genre_of_clear_cases(model):
    interview = ("**Interviewer:** What do you make of the new treaty?\n"
                 "**Dr. Smith:** I think it changes everything. We have not seen this before.\n"
                 "**Interviewer:** Why does it matter now?\n"
                 "**Dr. Smith:** Because the timing is no accident, and both sides know it.")
    assert stance.classify(interview, model=model).genre == "interview"
    opinion = ("We should stop pretending that this policy works. It is a moral failure, and I believe "
               "history will judge our leaders harshly for their cowardice. Enough is enough: the government "
               "must change course now, before it is too late.")
    assert stance.classify(opinion, model=model).genre == "opinion"
    reporting = ("The ministry said on Tuesday that 1,200 people had been evacuated from the region, "
                 "according to a statement released at 10:00 local time. Officials told reporters that "
                 "a further 300 residents would be moved on Wednesday, the agency reported.")
    assert stance.classify(reporting, model=model).genre == "reporting"


def test_custom_actors_extend_default(model):
    text = "The North Korean leader praised the soldiers. Kim said the treaty was historic. Russia agreed."
    result = stance.classify(text, actors={"Kim Jong Un": ["Kim", "North Korean leader"]}, model=model)
    kim = result.actor("Kim Jong Un")
    assert kim is not None and kim.mentions == 2
    assert result.actor("Russia") is not None


def test_stance_toward_target_dependent(model):
    sentence = "Ukraine condemned Russia's brutal attack."
    russia = stance.stance_toward(sentence, "Russia", model=model)
    ukraine = stance.stance_toward(sentence, "Ukraine", model=model)
    assert russia.label == "negative" and russia.score < 0
    assert ukraine.label != "negative"
    assert 0 <= russia.confidence <= 1


@pytest.mark.parametrize("sentence, actor, label", [
    ("The crowd cheered as Maria Lopez was praised for her brave and generous rescue work.", "Maria Lopez", "positive"),
    ("Critics accused Smith of lying, corruption and a shameful abuse of power.", "Smith", "negative"),
    ("Johnson will travel to Brussels on Monday for the meeting.", "Johnson", "neutral"),
])
def test_stance_toward_clear_sentences(model, sentence, actor, label):
    assert stance.stance_toward(sentence, actor, model=model).label == label


def test_stance_toward_with_span(model):
    text = "Ukraine condemned Russia's brutal attack."
    start = text.index("Russia")
    result = stance.stance_toward(text, "Russia", (start, start + 6), model=model)
    assert result.mentions == 1 and result.score < 0


@pytest.mark.parametrize("bad", ["", "   \n\t ", "\n\n"])
def test_empty_text_is_a_clear_error(model, bad):
    with pytest.raises(stance.InvalidInputError, match="empty"):
        stance.classify(bad, model=model)


@pytest.mark.parametrize("bad", [None, 42, b"bytes text", ["a list"]])
def test_non_string_is_a_type_error(model, bad):
    with pytest.raises(TypeError, match="expected the article text as str"):
        stance.classify(bad, model=model)


def test_stance_toward_bad_input(model):
    with pytest.raises(stance.InvalidInputError, match="does not occur"):
        stance.stance_toward("Nothing to see here.", "Russia", model=model)
    with pytest.raises(stance.InvalidInputError, match="outside the text"):
        stance.stance_toward("Russia.", "Russia", (0, 99), model=model)


def test_classify_many_keeps_order_and_records_failures(model, seed_texts):
    texts = [seed_texts["003"], "", seed_texts["001"]]
    results = stance.classify_many(texts, model=model, on_error="record", batch_size=2)
    assert [type(r).__name__ for r in results] == ["ArticleResult", "FailedItem", "ArticleResult"]
    assert results[0].genre == "opinion" and results[2].mixed
    assert results[1].to_dict()["error"]["type"] == "empty"
    with pytest.raises(stance.InvalidInputError, match="text 1"):
        stance.classify_many(texts, model=model)


def test_classify_many_rejects_zero_jobs(model):
    for n_jobs in (0, 1.5, True):
        with pytest.raises(stance.InvalidInputError, match="n_jobs"):
            stance.classify_many(["Germany praised France."], model=model, n_jobs=n_jobs)


def test_classify_many_parallel_equals_serial(model, seed_texts):
    texts = list(seed_texts.values())
    serial = [r.to_dict() for r in stance.classify_many(texts, model=model)]
    parallel = [r.to_dict() for r in stance.classify_many(texts, model=model, n_jobs=2, batch_size=2)]
    assert parallel == serial


def test_stance_is_scored_in_chunks_with_the_same_results(model, seed_texts, monkeypatch):
    from stance import pipeline

    whole = [r.to_dict() for r in stance.classify_many(list(seed_texts.values()), model=model)]
    assert sum(len(r["actors"]) for r in whole) > 10
    monkeypatch.setattr(pipeline, "STANCE_CHUNK", 7)  # a batch's mentions go through the model 7 at a time
    assert [r.to_dict() for r in stance.classify_many(list(seed_texts.values()), model=model)] == whole
    assert stance.classify(seed_texts["002"], model=model).to_dict() == whole[2]


def test_only_boilerplate_is_reported(model):
    with pytest.raises(stance.InvalidInputError, match="web chrome"):
        stance.classify("Read also:\n19:08\n2 November\nTags:", model=model)


def _id_and_genre(result):
    return (result.id, getattr(result, "genre", None))


def test_iter_classify_render_applies_to_every_result_in_order():
    from stance.pipeline import iter_classify

    model = stance.load_model()
    items = [("a", "Russia attacked Ukraine again, officials said on Monday."), ("b", "   "),
             ("c", "I think the minister is wrong, and we should say so.")]
    plain = list(iter_classify(model, items, batch_size=2))
    rendered = list(iter_classify(model, items, batch_size=2, render=_id_and_genre))
    assert rendered == [_id_and_genre(r) for r in plain]
    assert [r[0] for r in rendered] == ["a", "b", "c"] and rendered[1][1] is None  # "b" is a failure record


def test_custom_actors_can_replace_the_default(model):
    text = "Acme Corp praised Russia. Kim Jong Un met Vladimir Putin in Moscow."
    extended = stance.classify(text, actors={"Acme": ["Acme Corp"]}, model=model)
    assert {"Acme", "Russia", "Vladimir Putin"} <= {a.name for a in extended.actors}
    replaced = stance.classify(text, actors={"Acme": ["Acme Corp"]}, replace_actors=True, model=model)
    assert [a.name for a in replaced.actors] == ["Acme"]
    many = stance.classify_many([text, text], actors={"Acme": ["Acme Corp"]}, replace_actors=True, model=model)
    assert [[a.name for a in r.actors] for r in many] == [["Acme"], ["Acme"]]


@pytest.mark.parametrize("actors, replace, message", [
    (["Kim"], False, "must be a mapping"),
    ({"Kim": "Kim Jong Un"}, False, "must be a list of strings"),
    ({}, True, "nothing to find"),
    (None, True, "needs actors="),
])
def test_bad_actor_lists_fail_once_up_front(model, actors, replace, message):
    with pytest.raises(stance.InvalidInputError, match=message):
        stance.classify("Russia attacked.", actors=actors, replace_actors=replace, model=model)
    with pytest.raises(stance.InvalidInputError, match=message):  # not one FailedItem per text
        stance.classify_many(["Russia attacked.", "Kim spoke."], actors=actors, replace_actors=replace,
                             model=model, on_error="record")


def test_classify_many_raises_the_first_failure_with_its_type(model):
    with pytest.raises(TypeError, match="text 1: expected the article text as str"):
        stance.classify_many(["Russia attacked Ukraine.", None, ""], model=model)
    with pytest.raises(stance.InvalidInputError, match="text 1") as info:
        stance.classify_many(["Russia attacked Ukraine.", "  ", None], model=model)
    assert info.value.reason == "empty"
    recorded = stance.classify_many(["Russia attacked Ukraine.", None], model=model, on_error="record")
    assert recorded[1].to_dict()["error"]["type"] == "wrong_type"


def test_id_must_be_a_string(model):
    with pytest.raises(TypeError, match="id must be a str"):
        stance.classify("Russia attacked Ukraine.", id=5, model=model)
    assert stance.classify("Russia attacked Ukraine.", id="5", model=model).to_dict()["id"] == "5"


def test_stance_toward_reports_kind_and_paragraph(model):
    text = "Germany met officials.\n\nLater, Russia bombed a hospital. Russia denied it."
    result = stance.stance_toward(text, "Russia", model=model)
    assert result.kind == "country"
    assert sorted(e.paragraph for e in result.evidence) == [1, 1]
    assert stance.stance_toward("Putin spoke.", "Putin", model=model).kind == "person"
    assert stance.stance_toward("Acme spoke.", "Acme", model=model).kind == "other"


@pytest.mark.parametrize("sentence, actor, sign", [
    ("Merkel's popularity has eroded.", "Merkel", -1),
    ("The company's profits, hit by rising costs, fell by half.", "company", -1),
    ("Biden's approval rating, already low in the summer, dropped again in October.", "Biden", -1),
    ("Greece's deficit has shrunk.", "Greece", +1),
    ("The city's crime rate, which peaked in 2010, fell again last year.", "city", +1),
])
def test_stance_toward_decrease_of_the_subject(model, sentence, actor, sign):
    # a decrease verb turns its subject around: a fall in something good is bad for its owner, and vice versa
    assert stance.stance_toward(sentence, actor, model=model).score * sign > 0


def test_lone_surrogates_are_invalid_input(model):
    with pytest.raises(stance.InvalidInputError, match="lone surrogate") as info:
        stance.classify("Germany praised France \ud800 for its help.", model=model)
    assert info.value.reason == "encoding"
    results = stance.classify_many(["Germany praised France.", "Bad \udc00 text."], model=model, on_error="record")
    assert isinstance(results[1], stance.FailedItem) and results[1].error_type == "encoding"


def test_a_fault_of_stance_is_not_blamed_on_the_text(model, monkeypatch):
    import stance.pipeline as pipeline

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(pipeline, "_prepare", broken)
    with pytest.raises(RuntimeError, match="please report"):
        stance.classify_many(["Germany praised France."], model=model)
