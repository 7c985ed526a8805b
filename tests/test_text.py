"""Tests for stance.text: paragraph offsets, boilerplate flags on the real seed pages, sentences."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stance.text import (
    Paragraph,
    is_boilerplate_line,
    split_paragraphs,
    split_sentences,
)

ROOT = Path(__file__).parent.parent
SEEDS = ROOT / "seeds"


def seed(prefix: str) -> str:
    (path,) = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8")


def flagged(text: str) -> list[str]:
    return [p.text for p in split_paragraphs(text) if p.boilerplate]


def content(text: str) -> list[str]:
    return [p.text for p in split_paragraphs(text) if not p.boilerplate]


# --------------------------------------------------------------------------------------------------
# Paragraph splitting and offsets
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_offsets_and_indices(prefix):
    text = seed(prefix)
    paragraphs = split_paragraphs(text)
    assert paragraphs
    for i, p in enumerate(paragraphs):
        assert isinstance(p, Paragraph)
        assert p.index == i
        assert text[p.start:p.end] == p.text
        assert p.text == p.text.strip() and p.text
        assert "\n" not in p.text
    starts = [p.start for p in paragraphs]
    assert starts == sorted(starts)
    # Every non-blank line of the file is exactly one paragraph.
    assert len(paragraphs) == sum(1 for line in text.splitlines() if line.strip())


def test_blank_lines_and_single_newlines_both_split():
    text = "First paragraph here.\n\n\nSecond one.\nThird on next line.\n   \n  Fourth, indented.  \n"
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == [
        "First paragraph here.",
        "Second one.",
        "Third on next line.",
        "Fourth, indented.",
    ]
    for p in paragraphs:
        assert text[p.start:p.end] == p.text


def test_hard_wrapped_prose_is_joined_into_its_paragraphs():
    first = ("Ukraine condemned Russia's attack on the city of Kharkiv on Tuesday, saying the strike killed "
             "twelve civilians and wounded dozens more. Officials said rescue work would go on overnight.")
    second = "Germany praised France for its generous and swift help, and both promised more aid next week."
    text = textwrap.fill(first, 60) + "\n\n" + textwrap.fill(second, 60) + "\n"
    paragraphs = split_paragraphs(text)
    assert [" ".join(p.text.split()) for p in paragraphs] == [first, second]
    for p in paragraphs:  # offsets still point into the text as given
        assert text[p.start:p.end] == p.text
    # lines of a listing or of scraped paragraphs are not wrapped prose: one paragraph per line, as before
    listing = "Read also:\nGermany wins the cup in Berlin after a long night\nFrance loses the final in Paris again\n"
    assert len(split_paragraphs(listing)) == 3
    long_lines = "\n".join([first, second, first])
    assert len(split_paragraphs(long_lines)) == 3


def test_crlf_and_other_line_breaks():
    text = "Alpha line one.\r\nBeta line two.\r\n\r\nGamma line three.\rDelta\u2029Epsilon"
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == [
        "Alpha line one.",
        "Beta line two.",
        "Gamma line three.",
        "Delta",
        "Epsilon",
    ]
    for p in paragraphs:
        assert text[p.start:p.end] == p.text
        assert "\r" not in p.text


def test_crlf_seed_gives_same_flags_as_lf():
    text = seed("003")
    lf = [(p.text, p.boilerplate) for p in split_paragraphs(text)]
    crlf_text = text.replace("\n", "\r\n")
    crlf = split_paragraphs(crlf_text)
    assert [(p.text, p.boilerplate) for p in crlf] == lf
    assert all(crlf_text[p.start:p.end] == p.text for p in crlf)


@pytest.mark.parametrize("text", ["", " ", "\n", "\n\n\n", " \t \r\n \u00a0 \n"])
def test_empty_and_whitespace_only(text):
    assert split_paragraphs(text) == []
    assert split_sentences(text) == []


# --------------------------------------------------------------------------------------------------
# Boilerplate on the real seed pages
# --------------------------------------------------------------------------------------------------


def test_seed_003_page_chrome_flagged():
    text = seed("003")
    flags = {p.text: p.boilerplate for p in split_paragraphs(text)}
    for chrome in [
        "Espreso. Global",
        "OPINION",
        "2 November, 2024 Saturday",
        "17:21",
        "client/title.list_title",
        "Source",
        "About the author. Viktor Kaspruk, journalist.",
        "The editors don't always share the opinions expressed by the authors of the blogs.",
        "Tags:",
        "Read also:",
        "More news",
    ]:
        assert flags[chrome] is True, chrome
    # The article's own headline is content.
    assert flags["North Korean soldiers in Ukraine will trigger domino effect worldwide"] is False


def test_seed_003_related_headlines_listing_flagged_entirely():
    paragraphs = split_paragraphs(seed("003"))
    start = next(i for i, p in enumerate(paragraphs) if p.text == "Read also:")
    listing = paragraphs[start:]
    assert len(listing) > 100
    assert all(p.boilerplate for p in listing), [p.text for p in listing if not p.boilerplate]
    texts = {p.text for p in listing}
    # Headlines, timestamps, dates and labels inside the listing.
    for line in [
        "NATO membership may become more realistic for Ukraine - diplomat Bryza",
        "Is Russia planning massive missile attack on Ukraine?",
        "19:08",
        "2024, Saturday",
        "2 November",
        "1 November",
        "Exclusive",
        "Interview",
        "Updated",
        "Review",
    ]:
        assert line in texts, line


def test_seed_003_argument_paragraphs_are_content():
    text = seed("003")
    paragraphs = split_paragraphs(text)
    footer = next(i for i, p in enumerate(paragraphs) if p.text == "Source")
    long_ones = [p for p in paragraphs[:footer] if len(p.text.split()) >= 20]
    assert len(long_ones) >= 25
    assert not any(p.boilerplate for p in long_ones)
    body = content(text)
    assert any(t.startswith("However, as reported by the Korean Central News Agency") for t in body)
    assert any(t.startswith("Western nations face a tough choice") for t in body)
    # Short real sentence inside the argument stays content.
    assert any(t.startswith("In short, withholding aid from allies") for t in body)


@pytest.mark.parametrize("prefix", ["000", "002"])
def test_read_the_original_article_flagged(prefix):
    assert flagged(seed(prefix)) == ["Read the original article here"]


def test_seed_001_headings_and_attributions_are_content():
    text = seed("001")
    assert flagged(text) == []
    body = content(text)
    for line in [
        "North Korea’s Bold Alliance with Russia: A Comedy of Errors or Serious Business?",
        "Escalation or Just Clowning Around?",
        "Strategic Partnerships: A Match Made in Misery",
        "Conclusion: A Show of Force or Foolishness?",
        "Ratification of the agreement next week",
        "A quote from Choe Son-hui, North Korean Foreign Minister",
    ]:
        assert line in body, line


def test_seed_004_section_label_flagged_headlines_kept():
    text = seed("004")
    assert flagged(text) == ["China-Russia relations"]
    body = content(text)
    for headline in [
        "North Korean troops have entered Kursk combat zone, Ukraine claims",
        "Putin lacks support as only 14 percent of Russians back his foreign policy",
        "Elon Musk’s Secret Conversations With Vladimir Putin",
        "NATO: North Korea sending troops to Ukraine would mark significant escalation",
    ]:
        assert headline in body, headline
    # Paragraphs that end in "… Continue reading" are content.
    continued = [p for p in split_paragraphs(text) if p.text.endswith("Continue reading")]
    assert len(continued) >= 5
    assert not any(p.boilerplate for p in continued)


# --------------------------------------------------------------------------------------------------
# Boilerplate rules on synthetic pages (general patterns, not seed strings)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "09:45",
        "9.45 pm",
        "Updated: 3 March 2024, 11:02",
        "Monday, March 4, 2024",
        "Mar. 4, 2024",
        "2024-03-04",
        "By Jane Doe and John Roe, Reuters",
        "Share this article",
        "Share on Facebook",
        "Subscribe to our newsletter",
        "Follow us on Telegram",
        "Facebook Twitter Email",
        "Tags: Ukraine, NATO",
        "Photo: AP",
        "Read more: Some other headline about things",
        "Related",
        "{{ article.author }}",
        "widgets/news.block_items",
        "Home > World > Europe",
        "© 2024 Example Media. All rights reserved.",
        "The views expressed in this article are the author's own.",
        "Continue reading",
        "Advertisement",
    ],
)
def test_chrome_lines(line):
    assert is_boilerplate_line(line), line


@pytest.mark.parametrize(
    "line",
    [
        "Escalation or Just Clowning Around?",
        "Ukraine resisted.",
        "He said so on Tuesday.",
        "By the way, the talks failed.",
        "“We will win.” – Choe Son-hui",
        "Israel/Iran",
        "The summit opened in Brussels on 2 November, with leaders arriving at 17:21.",
        "Russia and North Korea sign a defence pact",
    ],
)
def test_content_lines(line):
    assert not is_boilerplate_line(line), line


def test_listing_after_more_news_marker():
    article = (
        "Leaders met in Brussels to discuss the new aid package for the region.\n\n"
        "The package includes air defence systems and funding for reconstruction.\n\n"
        "More news\n"
        "Parliament passes the budget in first reading\n"
        "Storm leaves thousands without power in the north\n"
        "Central bank keeps its key rate unchanged\n"
    )
    assert flagged(article) == [
        "More news",
        "Parliament passes the budget in first reading",
        "Storm leaves thousands without power in the north",
        "Central bank keeps its key rate unchanged",
    ]


def test_listing_interleaved_with_timestamps_without_marker():
    article = (
        "Leaders met in Brussels to discuss the new aid package for the region.\n"
        "12:40\nParliament passes the budget in first reading\n"
        "12:15\nStorm leaves thousands without power in the north\n"
        "11:58\nCentral bank keeps its key rate unchanged\n"
        "11:30\nFarmers protest against import rules\n"
    )
    assert content(article) == ["Leaders met in Brussels to discuss the new aid package for the region."]


def test_section_headings_between_paragraphs_are_content():
    article = (
        "The Government's Plan\n\n"
        "Ministers unveiled the plan on Monday, promising faster reconstruction of damaged homes.\n\n"
        "What critics say\n\n"
        "Opposition deputies called the plan vague and underfunded, and demanded a vote.\n"
    )
    assert flagged(article) == []


def test_a_sign_off_after_the_last_paragraph_is_chrome():
    letter = ("I have lived here for 37 years and never written to a newspaper before.\n\n"
              "I hope the council reconsiders.\n\nMargaret Ellison\nHillside\n")
    assert flagged(letter) == ["Margaret Ellison", "Hillside"]
    assert flagged("The minister resigned on Friday, her office said.\n\nJane Doe, London") == ["Jane Doe, London"]
    # a last turn, a question or a closing line that ends a sentence is content, as is a heading before more text
    for text in ("We spoke to her on Monday.\n\nQ. Thanks.", "Nobody has an answer yet.\n\nWhat Comes Next?",
                 "Body text here.\n\nConclusion\n\nMore text follows here, at length."):
        assert flagged(text) == []


# --------------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    "text",
    [
        "U.S. Secretary of State Antony Blinken warned that up to 8,000 soldiers could be there.",
        "Dr. Thompson, thank you for being here with us today.",
        "Mr. Bauer went on to say that such horse-trading has been commonplace through history.",
        "In the straw poll, Sen. Cruz came in third behind Walker.",
        "The full-scale invasion began on Feb. 24, 2022, before dawn.",
        "Gov. Newsom met Gen. Milley at 9 a.m. on Jan. 5 in Washington.",
        "Kentucky Sen. Rand Paul and U.S. President Joe Biden spoke.",
    ],
)
def test_abbreviations_do_not_split(text):
    assert sentences(text) == [text]


def test_sentence_spans_and_boundaries():
    text = (
        "There’s no shortage of intelligence reports, with U.S. Secretary of State Antony Blinken "
        "warning that up to 8,000 North Korean soldiers could be in the Kursk region. No combat "
        "engagement has been seen. Is it real? Nobody knows!"
    )
    spans = split_sentences(text)
    got = [text[s:e] for s, e in spans]
    assert got == [
        "There’s no shortage of intelligence reports, with U.S. Secretary of State Antony Blinken "
        "warning that up to 8,000 North Korean soldiers could be in the Kursk region.",
        "No combat engagement has been seen.",
        "Is it real?",
        "Nobody knows!",
    ]
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert [s for s, _ in spans] == sorted(s for s, _ in spans)


def test_sentences_quotes_lines_and_whitespace():
    assert sentences('He said "yes." Then he left.') == ['He said "yes."', "Then he left."]
    assert sentences("He said no. Then he left.") == ["He said no.", "Then he left."]
    assert sentences("“We will win.” – Choe Son-hui") == ["“We will win.”", "– Choe Son-hui"]
    text = "  Leading space. Second sentence.\nA line without a period\n\nLast one.  "
    assert sentences(text) == ["Leading space.", "Second sentence.", "A line without a period", "Last one."]
    assert sentences("Dr. Thompson:\r\nThank you.\r\n") == ["Dr. Thompson:", "Thank you."]


def test_sentences_on_seed_paragraphs():
    text = seed("001")
    for p in split_paragraphs(text):
        spans = split_sentences(p.text)
        assert spans, p.text
        # No sentence is split off right after a title abbreviation.
        for s, e in spans:
            assert not p.text[s:e].endswith((" Dr.", " Mr.", " Sen.", " U.S.", "**Dr.")), p.text[s:e]
    paragraph = next(p.text for p in split_paragraphs(text) if p.text.startswith("There’s no shortage"))
    first = paragraph[slice(*split_sentences(paragraph)[0])]
    assert "U.S. Secretary of State Antony Blinken" in first


# --------------------------------------------------------------------------------------------------
# Packaging: cheap import, JSON parameters
# --------------------------------------------------------------------------------------------------


def test_import_does_not_load_nltk():
    # nltk costs ~0.8 s to import: stance.text may only import it inside functions.
    import ast

    tree = ast.parse((ROOT / "stance" / "text.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            assert not any(n.split(".")[0] == "nltk" for n in names)
    code = (
        "import sys, stance; before = 'nltk' in sys.modules; import stance.text; "
        "print(before or 'nltk' not in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_punkt_parameters_are_plain_json():
    path = ROOT / "stance" / "data" / "punkt.json"
    raw = path.read_bytes()
    assert len(raw) < 1_000_000
    data = json.loads(raw)
    abbrevs = set(data["abbrev_types"])
    assert {"u.s", "dr", "mr", "sen", "feb"} <= abbrevs
    assert isinstance(data["ortho_context"], dict) and data["ortho_context"]
    assert all(isinstance(v, int) for v in data["ortho_context"].values())
    assert all(len(c) == 2 for c in data["collocations"])
    assert isinstance(data["sent_starters"], list)


def test_long_sentences_are_cut_at_spaces_outside_the_kept_spans():
    from stance.text import cut_long_sentences

    text = " ".join(["word"] * 30 + ["Vladimir Putin"] + ["word"] * 30)  # one 'sentence' of 314 characters
    keep = [(text.index("Vladimir"), text.index("Putin") + 5)]
    pieces = cut_long_sentences(text, [(0, len(text))], keep, limit=100)
    assert len(pieces) >= 4 and all(e - s <= 100 for s, e in pieces)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(text[s] != " " and text[e - 1] != " " for s, e in pieces)
    assert " ".join(text[s:e] for s, e in pieces) == text  # nothing lost, cut only at single spaces
    assert any(s <= keep[0][0] and keep[0][1] <= e for s, e in pieces)  # the mention is whole in one piece
    short = [(0, 4), (5, 9)]
    assert cut_long_sentences("word word", short, limit=100) is short
    assert cut_long_sentences("x" * 300, [(0, 300)], limit=100) == [(0, 300)]  # no space: left whole


def test_a_text_without_full_stops_is_scored_in_pieces(model):
    import stance

    words = ["Russia", "attacked", "the", "town", "and", "Ukraine", "defended", "it"] * 400  # 3,200 words, no stop
    result = stance.classify(" ".join(words), model=model)
    russia = next(a for a in result.actors if a.name == "Russia")
    assert russia.mentions == 400 and all(len(e.sentence) <= 1500 for e in russia.evidence)
