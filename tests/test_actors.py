"""Tests for stance.actors: gazetteer matching, personal-name finding, alias grouping, caller actor lists."""

from __future__ import annotations

import json
import pickle
from collections import defaultdict
from importlib import resources
from pathlib import Path

import pytest

from stance.actors import Gazetteer, Mention
from stance.errors import InvalidInputError

SEEDS = Path(__file__).parent.parent / "seeds"


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _find(text: str, **kwargs) -> list[Mention]:
    mentions = Gazetteer.default().find(text, **kwargs)
    for m in mentions:
        assert text[m.start : m.end] == m.surface
    return mentions


def _actors(mentions: list[Mention]) -> dict[str, dict]:
    out: dict[str, dict] = defaultdict(lambda: {"kind": None, "surfaces": defaultdict(int)})
    for m in mentions:
        out[m.actor]["kind"] = m.kind
        out[m.actor]["surfaces"][m.surface] += 1
    return out


def _surface_actor(mentions: list[Mention]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        out[m.surface].add(m.actor)
    return out


# ---------------------------------------------------------------- invariants
@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_mentions_are_sorted_non_overlapping_and_offsets_exact(path):
    text = path.read_text(encoding="utf-8")
    mentions = _find(text)
    assert mentions, "every seed mentions some actor"
    for a, b in zip(mentions, mentions[1:]):
        assert a.start < b.start and a.end <= b.start
    for m in mentions:
        assert m.kind in {"person", "country", "organization", "other"}
        assert m.surface.strip() == m.surface and m.surface


def test_empty_and_actorless_text():
    assert _find("") == []
    assert _find("   \n\n ") == []
    assert _find("He said she told them it was his; they praised him and us.") == []


def test_non_string_text_is_rejected():
    with pytest.raises(InvalidInputError):
        Gazetteer.default().find(None)  # type: ignore[arg-type]


def test_default_is_cached_and_pickles_by_reference():
    assert Gazetteer.default() is Gazetteer.default()
    assert pickle.loads(pickle.dumps(Gazetteer.default())) is Gazetteer.default()


def test_gazetteer_file_has_header_and_broad_coverage():
    data = json.loads((resources.files("stance") / "data" / "actors.json").read_text(encoding="utf-8"))
    assert data["version"] and "compil" in data["note"]
    kinds = defaultdict(int)
    for entry in data["actors"]:
        kinds[entry["kind"]] += 1
    assert kinds["country"] >= 196  # UN members + Taiwan, Kosovo, Palestine
    assert kinds["organization"] >= 60
    assert kinds["person"] >= 80
    names = {e["name"] for e in data["actors"]}
    for name in ("Taiwan", "Kosovo", "Palestine", "North Korea", "Tuvalu", "United States", "NATO", "IAEA"):
        assert name in names


# ---------------------------------------------------------------- seeds
def test_seed_000():
    mentions = _find(_seed("000"))
    actors = _actors(mentions)
    putin = actors["Vladimir Putin"]
    assert putin["kind"] == "person"
    assert {"Vladimir Putin", "Putin"} <= set(putin["surfaces"])
    assert actors["North Korea"]["kind"] == "country"
    assert "North Korean" in actors["North Korea"]["surfaces"]
    assert actors["United States"]["surfaces"]["US"] >= 5
    # Decision: the State Department is its own organization actor, not the United States.
    assert actors["US State Department"]["kind"] == "organization"
    assert actors["US State Department"]["surfaces"]["US State Department"] == 3
    assert actors["Russia"]["surfaces"]["Russia"] >= 8
    # "Putin’s" and "Russia’s": the mention covers the name only.
    assert all("’" not in m.surface for m in mentions)
    assert not [m for m in mentions if m.kind == "person" and m.actor != "Vladimir Putin"]


def test_seed_001_people_grouping():
    text = _seed("001")
    mentions = _find(text)
    actors = _actors(mentions)
    choe = actors["Choe Son-hui"]
    assert choe["kind"] == "person"
    assert {"Choe Son-hui", "Choe"} <= set(choe["surfaces"])
    # "Minister Choe" is Choe Son-hui.
    i = text.index("Minister Choe praised")
    assert any(m.actor == "Choe Son-hui" and m.start == i + len("Minister ") for m in mentions)
    thompson = actors["Jane Thompson"]
    assert thompson["kind"] == "person"
    assert "Jane Thompson" in thompson["surfaces"] and thompson["surfaces"]["Thompson"] >= 6
    i = text.index("Dr. Thompson")
    assert any(m.actor == "Jane Thompson" and m.start == i + 4 for m in mentions)
    assert {"Pyongyang"} <= set(actors["North Korea"]["surfaces"])
    assert {"Moscow", "Russian"} <= set(actors["Russia"]["surfaces"])
    assert {"Antony Blinken", "Blinken"} <= set(actors["Antony Blinken"]["surfaces"])
    assert {"Sergei Lavrov", "Lavrov"} <= set(actors["Sergey Lavrov"]["surfaces"])
    assert actors["Russian Federation Council"]["kind"] == "organization"
    people = {name for name, a in actors.items() if a["kind"] == "person"}
    assert people == {"Choe Son-hui", "Jane Thompson", "Vladimir Putin", "Antony Blinken", "Sergey Lavrov"}
    surfaces = {m.surface for m in mentions}
    for fake in ("Well", "Conclusion", "Interviewer", "Yes", "However", "Victory Day", "The West", "Lethal Weapon",
                 "Bold Alliance", "Kursk", "Escalation"):
        assert fake not in surfaces
    # "U.S. Secretary of State Antony Blinken": the name is the person, "U.S." stays the country.
    i = text.index("U.S. Secretary of State Antony Blinken")
    at = {m.start: m for m in mentions}
    assert at[i].actor == "United States" and at[i + len("U.S. Secretary of State ")].actor == "Antony Blinken"


def test_seed_002_organisations_and_cities():
    actors = _actors(_find(_seed("002")))
    assert actors["United Nations"]["surfaces"]["UN"] == 2
    assert actors["NATO"]["kind"] == "organization"
    assert "Kyiv" in actors["Ukraine"]["surfaces"]
    assert not [a for a in actors.values() if a["kind"] == "person" and "Putin" not in a["surfaces"]]


def test_seed_003_kim_jong_gyu_is_not_kim_jong_un():
    text = _seed("003")
    mentions = _find(text)
    by_surface = _surface_actor(mentions)
    assert by_surface["Kim Jong Gyu"] == {"Kim Jong Gyu"}
    assert by_surface["Kim Jong Un"] == {"Kim Jong Un"}
    actors = _actors(mentions)
    assert actors["Kim Jong Gyu"]["kind"] == "person"
    assert actors["KCNA"]["kind"] == "organization"
    assert {"Joe Biden", "Biden"} <= set(actors["Joe Biden"]["surfaces"])
    assert actors["General Staff of Ukraine"]["surfaces"]["Ukraine's General Staff"] == 2
    # Ambiguous or non-actor forms stay out.
    assert "Korean" not in by_surface and "Korean War" not in by_surface
    assert "Budapest" not in by_surface  # "Budapest Memorandum" is a treaty, not Hungary
    assert "Muscovites" not in by_surface


def test_seed_004_headlines_and_names():
    mentions = _find(_seed("004"))
    actors = _actors(mentions)
    assert {"Elon Musk", "Musk"} <= set(actors["Elon Musk"]["surfaces"])
    assert "Lukashenko" in actors["Alexander Lukashenko"]["surfaces"]
    assert "Kim Jong-un" in actors["Kim Jong Un"]["surfaces"]
    assert "Seoul" in actors["South Korea"]["surfaces"]
    people = {m.actor for m in mentions if m.kind == "person"}
    assert people <= {"Vladimir Putin", "Elon Musk", "Alexander Lukashenko", "Kim Jong Un", "Michael Turner"}


# ---------------------------------------------------------------- matching rules
def test_case_sensitive_short_forms():
    by_surface = _surface_actor(_find("Tell us who knows the un plan. The US, the UN, WHO and the EU met."))
    assert by_surface == {
        "US": {"United States"},
        "UN": {"United Nations"},
        "WHO": {"WHO"},
        "EU": {"European Union"},
    }


def test_possessives_hyphens_and_demonyms():
    text = "Russia's envoy and Putin’s aide discussed Russia-North Korea ties; North Korean troops and South Korean officials."
    mentions = _find(text)
    assert [(m.surface, m.actor) for m in mentions] == [
        ("Russia", "Russia"),
        ("Putin", "Vladimir Putin"),
        ("Russia", "Russia"),
        ("North Korea", "North Korea"),
        ("North Korean", "North Korea"),
        ("South Korean", "South Korea"),
    ]


def test_korean_alone_is_ambiguous():
    assert _find("A Korean official spoke about the Korean Peninsula and the Korean War.") == []


def test_metonyms():
    text = "Pyongyang, Moscow, the Kremlin, Washington, the White House, Kyiv, Kiev, Beijing, Seoul, Tehran and Minsk."
    assert [m.actor for m in _find(text)] == [
        "North Korea", "Russia", "Russia", "United States", "United States", "Ukraine", "Ukraine", "China",
        "South Korea", "Iran", "Belarus",
    ]


def test_role_alias_before_name_gives_way_to_the_name():
    text = "Russian President Vladimir Putin met North Korea's Foreign Minister Kim Jong Gyu."
    assert [(m.surface, m.actor) for m in _find(text)] == [
        ("Russian", "Russia"),
        ("Vladimir Putin", "Vladimir Putin"),
        ("North Korea", "North Korea"),
        ("Kim Jong Gyu", "Kim Jong Gyu"),
    ]
    assert [m.actor for m in _find("The Kremlin's leader spoke.")] == ["Vladimir Putin"]


def test_lowercase_particles_in_aliases():
    text = "Ursula von der Leyen spoke; later von der Leyen and al-Qaeda were mentioned."
    assert [(m.surface, m.actor) for m in _find(text)] == [
        ("Ursula von der Leyen", "Ursula von der Leyen"),
        ("von der Leyen", "Ursula von der Leyen"),
        ("al-Qaeda", "al-Qaeda"),
    ]


# ---------------------------------------------------------------- personal names
def test_titles_first_names_and_surname_grouping():
    text = (
        "Prime Minister Keir Starmer met Dr. Maria Schmidt, an expert. Schmidt said the talks went well. "
        "Later Dr. Schmidt met analyst Petra Novak and spokesperson Bryza. Novak agreed."
    )
    actors = _actors(_find(text))
    assert dict(actors["Maria Schmidt"]["surfaces"]) == {"Maria Schmidt": 1, "Schmidt": 2}
    assert dict(actors["Petra Novak"]["surfaces"]) == {"Petra Novak": 1, "Novak": 1}
    assert actors["Bryza"]["kind"] == "person"
    assert actors["Keir Starmer"]["kind"] == "person"


def test_no_fake_people_from_capitalised_words():
    text = (
        "However, the plan failed. Yes, that is right. Well, well, well.\n"
        "Bold Alliance With Russia: A Comedy Of Errors\n"
        "Read the original article here. The West reacted. Monday was quiet. In March, troops arrived in Kursk Oblast "
        "before Victory Day. Conclusion: nothing changed.\n**Interviewer:** Welcome."
    )
    assert {m.kind for m in _find(text)} == {"country"}


@pytest.mark.parametrize("text", [
    "Gaza said on Monday that the crossing was closed.",  # a known place
    "New York said it would sue.",  # a known place whose first word is no name
    "Hong Kong said the rule would stay.",
    "Sources inside Trump Tower said the calls went on.",
    "Officials in Slovyansk said ten people were hurt.",  # an unknown place after a locative preposition
    "Police at Heathrow said the terminal was closed.",
])
def test_a_place_before_a_speech_verb_is_not_a_person(text):
    assert [m for m in _find(text) if m.kind == "person"] == []


@pytest.mark.parametrize("text, person", [
    ("Petrenko said he was fine.", "Petrenko"),
    ("A friend of Petrenko said he was fine.", "Petrenko"),
    ("The lawyer for Petrenko said he would appeal.", "Petrenko"),
    ("Sydney Smith said the talks failed.", "Sydney Smith"),  # a place's name as a given name
    ("Geneva Jones said the talks failed.", "Geneva Jones"),
])
def test_people_next_to_place_rules_stay_people(text, person):
    assert [m.actor for m in _find(text) if m.kind == "person"] == [person]


@pytest.mark.parametrize("text, actor", [
    ("Pfizer said the vaccine works.", "Pfizer"),  # was a guessed person
    ("Tories said the budget was fair.", "Conservative Party"),
    ("Labour said it would win.", "Labour Party"),
    ("Facebook said it removed the posts.", "Facebook"),
    ("Amazon said it would hire more staff.", "Amazon"),
])
def test_companies_and_parties_are_organisations(text, actor):
    assert [(m.actor, m.kind) for m in _find(text)] == [(actor, "organization")]


@pytest.mark.parametrize("text", [
    "The Amazon rainforest is burning.",
    "Labour Day parades were held.",
    "Shell casings littered the street.",  # "Shell" alone is not the company
])
def test_common_phrases_are_not_the_organisations(text):
    assert _find(text) == []


def test_brussels_speaks_for_the_european_union():
    assert [(m.surface, m.actor) for m in _find("Brussels said the deal was dead.")] == [
        ("Brussels", "European Union")]


def test_nearest_full_name_wins_for_shared_surname():
    text = "Kim Jong Un spoke. Then Foreign Minister Kim Jong Gyu arrived. Kim said the talks were good."
    mentions = _find(text)
    assert [m.actor for m in mentions if m.kind == "person"] == ["Kim Jong Un", "Kim Jong Gyu", "Kim Jong Gyu"]


def test_bare_surname_goes_to_the_person_last_named_in_full():
    text = "Kamala Harris met John Harris. Harris said no. Joe Biden spoke, said Hunter Biden. Biden left."
    mentions = _find(text)
    assert [(m.surface, m.actor) for m in mentions if m.kind == "person"] == [
        ("Kamala Harris", "Kamala Harris"),
        ("John Harris", "John Harris"),
        ("Harris", "John Harris"),
        ("Joe Biden", "Joe Biden"),
        ("Hunter Biden", "Hunter Biden"),
        ("Biden", "Hunter Biden"),
    ]
    # Without a full name before it, a bare gazetteer surname keeps its gazetteer actor.
    assert [m.actor for m in _find("Biden spoke.")] == ["Joe Biden"]


def test_pronouns_are_never_actors():
    assert _find("He, she, it, they, him, her, his and them.") == []
    mentions = _find("Putin spoke; he said it.", actors={"Vladimir Putin": ["Putin", "he", "it"]})
    assert [m.surface for m in mentions] == ["Putin"]


# ---------------------------------------------------------------- caller actors
def test_caller_actors_extend_the_default():
    text = "The North Korean leader met Putin. Kim praised the Wagner veterans and the Friends of Kursk club."
    mentions = _find(text, actors={"Kim Jong Un": ["Kim Jong Un", "Kim", "North Korean leader"], "Friends of Kursk": ["Friends of Kursk"]})
    pairs = [(m.surface, m.actor, m.kind) for m in mentions]
    assert ("North Korean leader", "Kim Jong Un", "person") in pairs
    assert ("Kim", "Kim Jong Un", "person") in pairs  # kind taken from the default entry of the same name
    assert ("Putin", "Vladimir Putin", "person") in pairs  # default gazetteer still active
    assert ("Friends of Kursk", "Friends of Kursk", "other") in pairs
    assert ("Wagner", "Wagner Group", "organization") in pairs


def test_caller_actor_wins_a_tie_with_the_default():
    mentions = _find("The Kremlin denied it.", actors={"Russian government": ["Kremlin"]})
    assert [(m.surface, m.actor, m.kind) for m in mentions] == [("Kremlin", "Russian government", "other")]


def test_caller_actors_replace_the_default():
    text = "Putin met Jane Thompson in Moscow. The Acme Corp board and ACME agreed."
    mentions = _find(text, actors={"Acme": {"aliases": ["Acme Corp", "ACME"], "kind": "organization"}}, replace=True)
    assert [(m.surface, m.actor, m.kind) for m in mentions] == [
        ("Acme Corp", "Acme", "organization"),
        ("ACME", "Acme", "organization"),
    ]


def test_caller_lowercase_alias():
    mentions = _find("What does the west want?", actors={"The West": ["the west"]}, replace=True)
    assert [(m.surface, m.actor) for m in mentions] == [("the west", "The West")]


@pytest.mark.parametrize(
    "actors, message",
    [
        (["Putin"], "mapping"),
        ({"Putin": []}, "empty alias list"),
        ({"Putin": "Putin"}, "list of strings"),
        ({"Putin": ["Putin", 3]}, "not a string"),
        ({"Putin": [""]}, "empty alias"),
        ({"": ["x"]}, "non-empty strings"),
        ({"Putin": {"aliases": ["Putin"], "kind": "tsar"}}, "kind"),
        ({"He": ["he", "him"]}, "pronouns"),
    ],
)
def test_caller_actor_validation(actors, message):
    with pytest.raises(InvalidInputError, match=message):
        Gazetteer.default().find("Putin spoke.", actors=actors)


def test_replace_needs_actors():
    with pytest.raises(InvalidInputError, match="replace=True"):
        Gazetteer.default().find("Putin spoke.", replace=True)
    with pytest.raises(InvalidInputError, match="nothing to find"):
        Gazetteer.default().find("Putin spoke.", actors={}, replace=True)
    assert [m.actor for m in _find("Putin spoke.", actors={})] == ["Vladimir Putin"]


# A country's one-word name inside a two-word personal name (sentences written for this test).
@pytest.mark.parametrize("text, person, country", [
    ("Basketball legend Michael Jordan praised Jordan for its hospitality.", "Michael Jordan", "Jordan"),
    ("Reuters reporter Steve Holland asked about the Netherlands.", "Steve Holland", "Netherlands"),
    ("Israel Adesanya won the fight in Israel.", "Israel Adesanya", "Israel"),
    ("Senator Chad Johnson voted against aid to Chad.", "Chad Johnson", "Chad"),
    ("Jordan Bardella said France must act.", "Jordan Bardella", "France"),
])
def test_a_country_name_inside_a_personal_name(text, person, country):
    found = _actors(_find(text))
    assert found[person]["kind"] == "person"
    assert found[country]["kind"] == "country" and sum(found[country]["surfaces"].values()) == 1


@pytest.mark.parametrize("text, country", [
    ("Jordan condemned the attack.", "Jordan"),             # alone: the country
    ("The Jordan Valley is dry.", "Jordan"),                 # a place word, not a surname
    ("Georgia Baptists met in Tbilisi.", "Georgia"),        # a plural is no surname
    ("He told the Washington Examiner.", "United States"),  # an alias ("Washington") is no given name
    ("Egypt Jordan and Israel signed.", "Jordan"),
])
def test_country_names_that_stay_countries(text, country):
    found = _actors(_find(text))
    assert found[country]["kind"] == "country"
    assert not any(v["kind"] == "person" and country in name for name, v in found.items())
