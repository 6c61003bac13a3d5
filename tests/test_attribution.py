"""sayso_attribution on texts written for these tests: quotes of every form, reported speech, resolution."""

from __future__ import annotations

import pytest

import sayso
from sayso.components._quotes import find_quotes
from sayso.schema import Analysis, Attribution

from .conftest import assert_offsets_exact


def _find(analysis: Analysis, cue: str) -> Attribution:
    for attribution in analysis.attributions:
        if attribution.cue and attribution.cue.text == cue:
            return attribution
    raise AssertionError(f"no attribution with cue {cue!r}: {[a.cue for a in analysis.attributions]}")


def _text(span: object) -> str | None:
    return getattr(span, "text", None)


# ----------------------------------------------------------------------------- quotes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"We will rebuild," she said.', ['"We will rebuild,"']),
        ("“We will rebuild,” she said.", ["“We will rebuild,”"]),
        ("«Nous reconstruirons», a-t-elle dit.", ["«Nous reconstruirons»"]),
        ("„Wir bauen wieder auf“, sagte sie.", ["„Wir bauen wieder auf“"]),
        ("He called it 'a farce' and left.", ["'a farce'"]),
        ("The workers' union didn't say.", []),
        ('A stray " mark and nothing else.', []),
    ],
)
def test_quote_marks(text: str, expected: list[str]) -> None:
    assert [text[q.start : q.end] for q in find_quotes(text)] == expected


def test_quote_running_over_paragraphs() -> None:
    text = "“The first paragraph has no closing mark.\n\n“The second one closes,” he said."
    quotes = find_quotes(text)
    assert [q.continues for q in quotes] == [True, False]
    assert quotes[0].closed is False and quotes[1].closed is True


def test_unbalanced_quote_degrades_per_quote() -> None:
    text = 'He said "this never closes. Later she said "yes" twice.'
    quotes = find_quotes(text)
    assert quotes, "the best reading still finds a quote"
    assert all(text[q.start] == '"' for q in quotes)


# ----------------------------------------------------------------------------- direct speech


def test_speaker_after_quote(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze('"The bridge will open in May," said Ana Ribeiro, a city engineer.')
    att = _find(a, "said")
    assert att.kind == "direct"
    assert _text(att.source) == "Ana Ribeiro, a city engineer"
    assert [c.text for c in att.content] == ['"The bridge will open in May,"']
    assert_offsets_exact(a)


def test_speaker_before_colon_quote(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze('The mayor said: "Nobody will be left behind." Then she left.')
    att = _find(a, "said")
    assert att.kind == "direct"
    assert _text(att.source) == "The mayor"
    assert att.content[0].text == '"Nobody will be left behind."'


def test_quote_split_around_speaker_continues(analyzer: sayso.Analyzer) -> None:
    text = '"We lost the harvest," said Tomas Berg, a farmer. "Nobody has paid us anything for it yet."'
    a = analyzer.analyze(text)
    att = _find(a, "said")
    assert [c.text for c in att.content] == [
        '"We lost the harvest,"',
        '"Nobody has paid us anything for it yet."',
    ]


def test_multi_sentence_quote_with_closing_cue(analyzer: sayso.Analyzer) -> None:
    text = '"Ten bridges collapsed. Two schools were flooded. The roads are gone," the report said.'
    a = analyzer.analyze(text)
    att = _find(a, "said")
    assert att.kind == "direct"
    assert att.content[0].text.startswith('"Ten bridges') and att.content[0].text.endswith('gone,"')


def test_quote_continuing_in_next_paragraph(analyzer: sayso.Analyzer) -> None:
    text = (
        '"We warned the council in March," said Ines Moura, who leads the residents\' group.\n\n'
        '"They promised new pumps and then did nothing at all for a whole year."'
    )
    a = analyzer.analyze(text)
    att = _find(a, "said")
    assert len(att.content) == 2
    assert att.content[1].text.startswith('"They promised')
    assert _text(att.source) == "Ines Moura"  # the relative clause is incidental, left out


# ----------------------------------------------------------------------------- indirect and mixed


def test_indirect_that_clause(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze("The ministry said on Friday that 40 families had been moved to shelters.")
    att = _find(a, "said")
    assert att.kind == "indirect"
    assert _text(att.source) == "The ministry"
    assert att.content[0].text == "that 40 families had been moved to shelters"


def test_mixed_with_partial_quote(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze('The governor warned that the dam was "close to failing" after the storm.')
    att = _find(a, "warned")
    assert att.kind == "mixed"
    assert '"close to failing"' in att.content[0].text


def test_according_to(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze("According to the fire brigade, at least 12 homes burned overnight.")
    att = _find(a, "According to")
    assert att.kind == "according_to"
    assert _text(att.source) == "the fire brigade"
    assert att.content[0].text == "at least 12 homes burned overnight"


def test_call_on_and_urge(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze("Teachers' unions call on the ministry to raise salaries before September.")
    att = _find(a, "call on")
    assert _text(att.source) == "Teachers' unions"
    assert att.content[0].text == "the ministry to raise salaries before September"


def test_statement_urging(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze(
        "Fishermen's cooperatives issued a statement urging the port authority to reopen the harbour."
    )
    att = _find(a, "issued a statement urging")
    assert _text(att.source) == "Fishermen's cooperatives"
    assert att.content[0].text == "the port authority to reopen the harbour"


def test_trailing_agency_cue_reports_the_sentence_without_its_dateline(analyzer: sayso.Analyzer) -> None:
    text = (
        "BREMEN, Germany, May 2 (Nordsee Wire) - Two dock unions said on Friday that 900 workers would "
        "strike next week, Nordsee Wire reports, citing the port authority.\n"
    )
    a = analyzer.analyze(text)
    att = _find(a, "reports")
    assert _text(att.source) == "Nordsee Wire"
    assert [c.text for c in att.content] == [
        "Two dock unions said on Friday that 900 workers would strike next week"
    ]
    inner = _find(a, "said")
    assert inner.parent == att.id
    for attribution in a.attributions:  # nothing in the dateline is ever reported content
        assert all(c.start >= text.index("Two dock") for c in attribution.content), attribution


def test_trailing_cue_after_and_is_a_second_statement(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze("The mayor said the bridge was safe, and engineers reported cracks in two pillars.")
    assert all(
        att.cue is None
        or att.cue.text != "reported"
        or att.content[0].text != ("The mayor said the bridge was safe")
        for att in a.attributions
    )


def test_parenthetical_cue(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze("The plan, the union argues, will cost hundreds of jobs.")
    att = _find(a, "argues")
    assert _text(att.source) == "the union"
    assert any("will cost hundreds of jobs" in c.text for c in att.content)


def test_no_speaker_no_attribution(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze("The council plans to declare the area a disaster zone next week.")
    assert not any(att.cue and att.cue.text == "to declare" for att in a.attributions)


# ----------------------------------------------------------------------------- resolution and nesting


def test_pronoun_resolves_to_earlier_speaker(analyzer: sayso.Analyzer) -> None:
    text = (
        "Health minister Clara Nunes told parliament that three clinics would close. "
        '"It is a painful choice," she said.'
    )
    a = analyzer.analyze(text)
    att = _find(a, "said")
    assert _text(att.source) == "she"
    assert "Clara Nunes" in (_text(att.source_resolved) or "")


def test_document_resolves_to_its_issuer(analyzer: sayso.Analyzer) -> None:
    text = (
        "Three farmers' unions released a statement on Monday. "
        "According to the statement, the drought destroyed half of the wheat crop."
    )
    a = analyzer.analyze(text)
    att = _find(a, "According to")
    assert _text(att.source) == "the statement"
    assert _text(att.source_resolved) == "Three farmers' unions"


def test_nested_reporting_has_parent(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze("The lawyers say the contract itself stated that payment was due in May.")
    outer = _find(a, "say")
    inner = _find(a, "stated")
    assert inner.parent == outer.id
    assert outer.parent is None


def test_shudder_quotes_are_not_attributions(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze('The so-called "reform" was passed on Tuesday by a narrow margin.')
    assert a.attributions == []


@pytest.mark.parametrize(
    "text",
    [
        '"Unclosed quote, said the man.',
        'He said "" and then “”.',
        "“„«»‘’‚'\" said she.",
        '"' * 50,
        "She said that.\n\n\n“\n\n”",
    ],
)
def test_odd_quote_marks_never_raise(analyzer: sayso.Analyzer, text: str) -> None:
    assert_offsets_exact(analyzer.analyze(text))


def test_tagger_cue_pieces_across_a_comma_stay_apart(analyzer: sayso.Analyzer) -> None:
    """ "..., the mayor said, hinting at ...": two cues, not one ("said, hinting")."""
    from sayso.components._attribution_model import _merge_cue_pieces

    text = "The bridge will reopen soon, the mayor said, hinting at a new toll."
    doc = analyzer.nlp.make_doc(text)
    said, hinting = text.index("said"), text.index("hinting")
    cues = [("CUE", said, said + 4, 0.9), ("CUE", hinting, hinting + 7, 0.8)]
    assert len(_merge_cue_pieces(doc, cues, [])) == 2
    text2 = "The mayor has long said that tolls are unfair."
    doc2 = analyzer.nlp.make_doc(text2)
    has2, said2 = text2.index("has"), text2.index("said")
    merged = _merge_cue_pieces(doc2, [("CUE", has2, has2 + 3, 0.9), ("CUE", said2, said2 + 4, 0.7)], [])
    assert [(c[1], c[2]) for c in merged] == [(has2, said2 + 4)]


def test_tagger_cue_without_known_frame_reads_what_follows(analyzer: sayso.Analyzer) -> None:
    """A tagger-only cue whose complement no frame lists still gets the phrase it governs as content."""
    from sayso.components._attribution_model import _parse_content
    from sayso.components._attribution_rules import QuoteMap

    text = "The senators bristled at repeated questions about the new pipeline."
    doc = analyzer.nlp(text)
    cue = text.index("bristled")
    pieces = _parse_content(doc, (cue, cue + len("bristled")), QuoteMap([]))
    assert pieces, "a content is read from the parse"
    assert all(text[a:b].strip() for a, b in pieces)
    assert "questions about the new pipeline" in " ".join(text[a:b] for a, b in pieces)
    assert all(a >= cue + len("bristled") for a, _ in pieces)  # never the cue or its subject
