"""sayso_attribution on texts written for these tests: quotes of every form, reported speech, resolution."""

from __future__ import annotations

import pytest

import sayso
from sayso.components._attribution_rules import QuoteMap
from sayso.components._common import AttributionRecord
from sayso.components._quotes import find_quotes
from sayso.components._resolve import resolve_first_person
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


def test_first_person_after_a_speaker_label_resolves_to_the_speaker(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze("LIMA: I think the dam is unsafe and we warned the council.")
    inner = _find(a, "think")
    assert _text(inner.source) == "I"
    assert inner.parent is not None
    assert _text(inner.source_resolved) == "LIMA"


def test_first_person_in_reported_speech_stays_the_writers(analyzer: sayso.Analyzer) -> None:
    # Unquoted, "we" is the writer's: reported speech would have shifted the mayor's own "we" to "they".
    a = analyzer.analyze("Mayor Ana Lima said that we had warned the council twice that the dam was unsafe.")
    outer, inner = _find(a, "said"), _find(a, "had warned")
    assert inner.parent == outer.id
    assert _text(inner.source) == "we"
    assert inner.source_resolved is None


def test_first_person_inside_a_quotation_resolves_to_the_quoted_speaker(analyzer: sayso.Analyzer) -> None:
    text = '"When I said no, I meant it," Mayor Ana Lima said on Monday.'
    doc = analyzer.nlp(text)
    quote_end = text.index(',"') + 2

    def at(word: str, nth: int = 0) -> tuple[int, int]:
        start = -1
        for _ in range(nth + 1):
            start = text.index(word, start + 1)
        return start, start + len(word)

    outer = AttributionRecord(
        id="a1", kind="direct", source=at("Mayor Ana Lima"), cue=at("said", 1), content=[(0, quote_end)]
    )
    inner = AttributionRecord(
        id="a2", kind="indirect", source=at("I"), cue=at("said"), content=[at("no")], parent="a1"
    )
    unquoted = AttributionRecord(
        id="a3", kind="indirect", source=at("I"), cue=at("said"), content=[at("no")], parent="a1"
    )
    resolve_first_person(doc, [outer, inner], QuoteMap(find_quotes(text)))
    assert inner.source_resolved == at("Mayor Ana Lima")
    resolve_first_person(doc, [outer, unquoted], None)  # no quotation known: the writer's "I"
    assert unquoted.source_resolved is None


def test_first_person_under_a_transcript_label_stays_unresolved(analyzer: sayso.Analyzer) -> None:
    # "A:" names nobody, so the "I" of the answer is not resolved to the letter A.
    text = (
        "Q: Do you think the tariffs should be lifted?\n\n"
        "A: I think they cost farmers at least $2 billion last year. We warned about this."
    )
    a = analyzer.analyze(text)
    inner = next(att for att in a.attributions if _text(att.source) == "I")
    label = next(att for att in a.attributions if att.id == inner.parent)
    assert _text(label.source) == "A"
    assert inner.source_resolved is None


def test_pronoun_skips_a_mention_of_the_other_gender(analyzer: sayso.Analyzer) -> None:
    text = (
        "Engineer Rui Costa inspected the dam with Spokeswoman Ana Lima on Monday. "
        '"The cracks are new," he said.'
    )
    att = _find(analyzer.analyze(text), "said")
    assert _text(att.source) == "he"
    assert _text(att.source_resolved) == "Rui Costa"


def test_pronoun_takes_a_titled_name_the_entity_model_missed(analyzer: sayso.Analyzer) -> None:
    # The small model reads "Lima" as the city (GPE); the title says a person is meant.
    att = _find(analyzer.analyze('Mayor Ana Lima spoke on Monday. "Nobody listened," she said.'), "said")
    assert _text(att.source_resolved) == "Mayor Ana Lima"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Ana Lima, the mayor, spoke on Monday. "Nobody listened," she said.', "Ana Lima"),
        # a spokeswoman is never "he", even as the only person in the text
        ('Ana Lima, the spokeswoman, spoke on Monday. "Nobody listened," he said.', None),
    ],
)
def test_pronoun_takes_a_name_with_a_role_in_apposition(
    analyzer: sayso.Analyzer, text: str, expected: str | None
) -> None:
    att = _find(analyzer.analyze(text), "said")
    assert _text(att.source_resolved) == expected


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


# ----------------------------------------------------------------------------- rules and tagger together


def _combined(analyzer: sayso.Analyzer, text: str, spans: list[tuple[str, str, float]]) -> list[tuple]:
    """(source, cue, content, parent) of ``text``'s records, given tagger spans ``(label, text, score)``."""
    from sayso.components._attribution_model import combine
    from sayso.components._attribution_rules import extract_rules
    from sayso.components.attribution import build_records

    doc = analyzer.nlp(text)
    model_spans = []
    for label, piece, score in spans:
        start = text.index(piece)
        model_spans.append([label, start, start + len(piece), score])
    candidates, quotes = extract_rules(doc)
    records = build_records(doc, combine(doc, candidates, quotes, model_spans), quotes)
    return [
        (
            text[r.source[0] : r.source[1]] if r.source else None,
            text[r.cue[0] : r.cue[1]] if r.cue else None,
            [text[a:b] for a, b in r.content],
            r.parent,
        )
        for r in records
    ]


def test_clause_complement_is_the_content_not_a_title_quote(analyzer: sayso.Analyzer) -> None:
    """A that-less complement that ends in a quote is the writer's clause: a quoted show title before the
    cue is no content."""
    text = 'In an interview with "Morning Radio," the mayor said she wanted to meet "every single family."'
    att = _find(analyzer.analyze(text), "said")
    assert att.content[0].text.startswith("she wanted to meet")


def test_second_report_of_the_same_speaker_stands_apart(analyzer: sayso.Analyzer) -> None:
    """ "X said A, arguing B": the participle is X's second report, not part of A."""
    a = analyzer.analyze("Ms. Ortiz said she doubted the figures, arguing that the survey was too small.")
    said, arguing = _find(a, "said"), _find(a, "arguing")
    assert [c.text for c in said.content] == ["she doubted the figures"]
    assert _text(arguing.source) == "Ms. Ortiz"
    assert arguing.parent is None and arguing.content[0].text == "that the survey was too small"


def test_coordinated_report_takes_the_speaker_only_when_the_pronoun_agrees(analyzer: sayso.Analyzer) -> None:
    """ "The ministry said it ... and warned ...": "it" is the ministry, so "warned" is its second report;
    "The nurses said he ... and talked about ...": "he" is not the nurses, so that is what they said."""
    text = "The ministry said it was opposed to the plan and warned the council to drop it."
    records = _combined(
        analyzer,
        text,
        [("SOURCE", "The ministry", 0.9), ("CUE", "said", 0.9), ("CUE", "warned", 0.8)],
    )
    said = next(r for r in records if r[1] == "said")
    warned = next(r for r in records if r[1] == "warned")
    assert said[2] == ["it was opposed to the plan"]
    assert warned[0] == "The ministry" and warned[3] is None
    text2 = "The nurses said he ignored the complaints and talked about the budget."
    records2 = _combined(
        analyzer,
        text2,
        [
            ("CONTENT", "he ignored the complaints", 0.9),
            ("CUE", "talked", 0.6),
            ("CONTENT", "the budget", 0.8),
        ],
    )
    said2 = next(r for r in records2 if r[1] == "said")
    assert said2[2] == ["he ignored the complaints and talked about the budget"]
    assert all(r[3] is not None for r in records2 if r[1] == "talked")


def test_source_stays_on_the_line_of_its_cue(analyzer: sayso.Analyzer) -> None:
    """A live-blog time stamp on the line above is no part of the speaker."""
    a = analyzer.analyze('4:30 p.m.\n\nCity council member Ana Lima is calling the budget "a disgrace."')
    assert _text(_find(a, "is calling").source) == "City council member Ana Lima"


def test_editorial_label_is_no_speaker(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze("CLARIFICATION: An earlier version of this article misstated the date of the vote.")
    assert all(_text(att.source) != "CLARIFICATION" for att in a.attributions)


def test_passive_cue_has_no_source_and_its_subject_is_content(analyzer: sayso.Analyzer) -> None:
    """ "X was accused of Y": nobody is named as saying it (a tagger source on X is not taken either)."""
    text = "The senator was accused of lying about the budget."
    records = _combined(analyzer, text, [("SOURCE", "The senator", 0.6), ("CUE", "was accused of", 0.9)])
    (source, cue, content, _parent) = records[0]
    assert (source, cue) == (None, "was accused of")
    assert content == ["The senator", "lying about the budget"]


@pytest.mark.parametrize(
    ("text", "cue", "source", "subject"),
    [
        ("The new toll seems to be unpopular with drivers.", "seems", None, "The new toll"),
        ("The plan drew sharp criticism from the unions.", "drew sharp criticism", "the unions", "The plan"),
        ("The mayor faced questions about the contract.", "faced questions about", None, "The mayor"),
    ],
)
def test_subject_of_a_raising_or_criticism_cue_is_content(
    analyzer: sayso.Analyzer, text: str, cue: str, source: str | None, subject: str
) -> None:
    """ "X seems ...", "X drew criticism (from Y)": X is talked about; the source is Y, or nobody."""
    from sayso.components._attribution_rules import Candidate
    from sayso.components.attribution import reported_subjects

    doc = analyzer.nlp(text)
    start = text.index(cue)
    span = doc.char_span(start, start + len(cue), alignment_mode="expand")
    assert span is not None
    after = span.end_char + 1
    candidate = Candidate(
        kind="indirect",
        cue=(start, start + len(cue)),
        source=(0, len(subject)),
        content=[(after, len(text) - 1)],
        cue_token=span.root.i,
        source_token=0,
    )
    reported_subjects(doc, [candidate])
    assert (text[candidate.source[0] : candidate.source[1]] if candidate.source else None) == source
    assert text[candidate.content[-1][0] : candidate.content[-1][1]] == subject


def test_continued_quote_goes_to_its_own_cue(analyzer: sayso.Analyzer) -> None:
    """A quote the rules attach to the previous speaker is given back when the tagger finds its own cue."""
    text = '"We will rebuild," she said. She continued, "Nobody will be left behind."'
    records = _combined(
        analyzer,
        text,
        [
            ("SOURCE", "She", 0.97),
            ("CUE", "continued", 0.98),
            ("CONTENT", '"Nobody will be left behind."', 0.99),
        ],
    )
    said = next(r for r in records if r[1] == "said")
    continued = next(r for r in records if r[1] == "continued")
    assert said[2] == ['"We will rebuild,"']
    assert continued[:3] == ("She", "continued", ['"Nobody will be left behind."'])


def test_each_tagger_cue_keeps_the_content_that_follows_it(analyzer: sayso.Analyzer) -> None:
    """Two tagger-only cues in one sentence: each takes the content after it, not the first one both."""
    text = "Protesters demanded a recount on Monday while officials praised the calm vote."
    records = _combined(
        analyzer,
        text,
        [
            ("SOURCE", "Protesters", 0.9),
            ("CUE", "demanded", 0.9),
            ("CONTENT", "a recount", 0.9),
            ("SOURCE", "officials", 0.9),
            ("CUE", "praised", 0.9),
            ("CONTENT", "the calm vote", 0.9),
        ],
    )
    by_cue = {r[1]: r for r in records}
    assert by_cue["demanded"][2] == ["a recount"]
    assert by_cue["praised"][:3] == ("officials", "praised", ["the calm vote"])


def test_tagger_source_that_is_the_subject_beats_a_nearer_one(analyzer: sayso.Analyzer) -> None:
    text = "Mr. Diaz, who spoke after Ms. Lee at the hearing, cited its cost."
    records = _combined(
        analyzer,
        text,
        [
            ("SOURCE", "Mr. Diaz", 0.9),
            ("SOURCE", "Ms. Lee", 0.5),
            ("CUE", "cited", 0.95),
            ("CONTENT", "its cost", 0.9),
        ],
    )
    assert [r[:2] for r in records if r[1] == "cited"] == [("Mr. Diaz", "cited")]


def test_rule_content_takes_the_tagger_boundaries() -> None:
    """Where the tagger marks the content a rule read from the parse, its boundaries win, but never over
    the rule's own cue or a quotation."""
    from sayso.components._attribution_model import _Sentences, _tagger_boundaries
    from sayso.components._attribution_rules import Candidate

    class _Doc:  # _Sentences only needs to know there are no sentence marks
        def has_annotation(self, name: str) -> bool:
            return False

    sentences = _Sentences(_Doc())  # type: ignore[arg-type]
    rule = Candidate(kind="indirect", cue=(10, 14), source=(0, 9), content=[(15, 40)], cue_token=2)
    quote = Candidate(kind="direct", cue=(50, 54), source=(45, 49), content=[(55, 80)], cue_token=9)
    contents = [("CONTENT", 15, 60, 0.9), ("CONTENT", 56, 70, 0.9)]
    _tagger_boundaries([rule, quote], contents, [], sentences)
    assert rule.content == [(15, 60)] and quote.content == [(55, 80)]
    crossing = Candidate(kind="indirect", cue=(10, 14), source=(0, 9), content=[(15, 40)], cue_token=2)
    _tagger_boundaries([crossing], [("CONTENT", 5, 40, 0.9)], [], sentences)
    assert crossing.content == [(15, 40)]


def test_tagger_attribution_inside_a_rule_content_takes_its_content() -> None:
    """A tagged source and cue inside a rule content ("... while he conceded X, ...") are a report of
    their own: the tagger's content after the cue is theirs."""
    from sayso.components._attribution_model import _embedded_contents, _Sentences
    from sayso.components._attribution_rules import Candidate

    class _Doc:
        text = "Lee also noted, while he conceded the plan was costly, that it adds jobs."

        def has_annotation(self, name: str) -> bool:
            return False

    doc = _Doc()
    text = doc.text
    at = text.index
    outer = Candidate(
        kind="indirect",
        cue=(at("also"), at(",")),
        source=(0, 3),
        content=[(at("while"), len(text) - 1)],
        cue_token=1,
    )
    cue = ("CUE", at("conceded"), at("conceded") + 8, 0.9)
    sources = [("SOURCE", at("he "), at("he ") + 2, 0.9)]
    contents = [("CONTENT", at("the plan"), at(", that"), 0.9)]
    sentences = _Sentences(doc)  # type: ignore[arg-type]
    assert _embedded_contents(doc, cue, [outer], contents, sources, sentences) == [0]  # type: ignore[arg-type]
    far = [("SOURCE", 0, 3, 0.9)]  # the outer speaker, not one of the inner cue's own
    assert _embedded_contents(doc, cue, [outer], contents, far, sentences) == []  # type: ignore[arg-type]


def test_rule_content_stays_in_its_paragraph(analyzer: sayso.Analyzer) -> None:
    from sayso.components._attribution_rules import Candidate, QuoteMap, _clip_to_paragraph

    text = "The council said the vote was final.\n\n___\n\nOther news follows."
    doc = analyzer.nlp.make_doc(text)
    cue = text.index("said")
    candidate = Candidate(
        kind="indirect", cue=(cue, cue + 4), source=(0, 11), content=[(cue + 5, len(text) - 1)], cue_token=2
    )
    _clip_to_paragraph(doc, candidate, QuoteMap([]))
    assert [text[a:b] for a, b in candidate.content] == ["the vote was final"]


@pytest.mark.parametrize(
    ("text", "frame", "cue", "source"),
    [
        ("The survey had voters wondering about the costs.", "had", "wondering about", "voters"),
        ("Firefighters received calls saying the bridge had collapsed.", "received", "saying", "calls"),
        (
            "The senator is pushing back, questioning the budget figures.",
            "is pushing back",
            "questioning",
            None,
        ),
    ],
)
def test_tagger_cue_that_only_frames_another_report_is_dropped(
    analyzer: sayso.Analyzer, text: str, frame: str, cue: str, source: str | None
) -> None:
    """Two tagger cues of one sentence, the first one's whole content the second report: one attribution."""
    from sayso.components._attribution_rules import Candidate
    from sayso.components.attribution import drop_framing_cues

    doc = analyzer.nlp(text)
    at = text.index
    inner_start = at(source) if source is not None else at(cue)
    outer = Candidate(
        kind="indirect",
        cue=(at(frame), at(frame) + len(frame)),
        source=(0, at(frame) - 1),
        content=[(inner_start, len(text) - 1)],
        cue_token=0,
        origin="model",
    )
    inner = Candidate(
        kind="indirect",
        cue=(at(cue), at(cue) + len(cue)),
        source=(at(source), at(source) + len(source)) if source is not None else None,
        content=[(at(cue) + len(cue) + 1, len(text) - 1)],
        cue_token=0,
        origin="model",
    )
    assert drop_framing_cues(doc, [outer, inner]) == [inner]
    outer.origin = "rules"  # a cue the rules know keeps its frame; the second report is nested in it
    assert drop_framing_cues(doc, [outer, inner]) == [outer, inner]


def test_tagger_cue_with_content_of_its_own_is_kept(analyzer: sayso.Analyzer) -> None:
    """The first cue keeps its attribution when its content says more than the second report."""
    from sayso.components._attribution_rules import Candidate
    from sayso.components.attribution import drop_framing_cues

    text = "The plan was praised by the mayor, who told reporters the budget was sound. Critics disagreed."
    doc = analyzer.nlp(text)
    at = text.index
    outer = Candidate(
        kind="indirect",
        cue=(at("praised"), at("praised") + 7),
        source=(at("the mayor"), at(", who")),
        content=[(at("by the mayor"), at(". Critics"))],
        cue_token=0,
        origin="model",
    )
    inner = Candidate(
        kind="indirect",
        cue=(at("told"), at("told") + 4),
        source=(at("who"), at("who") + 3),
        content=[(at("the budget"), at(". Critics"))],
        cue_token=0,
        origin="model",
    )
    later = Candidate(
        kind="indirect",
        cue=(at("disagreed"), at("disagreed") + 9),
        source=(at("Critics"), at("Critics") + 7),
        content=[(at("Critics"), at("Critics") + 7)],
        cue_token=0,
        origin="model",
    )
    assert drop_framing_cues(doc, [outer, inner, later]) == [outer, inner, later]


# ----------------------------------------------------------------------------- transcripts and "in"


def test_transcript_reprinted_as_a_quotation_is_attributed_turn_by_turn(analyzer: sayso.Analyzer) -> None:
    # Each turn reopens the quotation and never closes it (news convention): the speakers are the labels,
    # not whichever cue stands nearest, and the reports inside a turn are nested in it.
    text = (
        "Partial transcript as follows:\n\n"
        '"MORENO: After the council announced that it was closing the bridge, residents protested. '
        "Will it reopen?\n\n"
        '"ROE: Well, look, the engineers told us it needs at least six months of repairs. '
        "We will reopen it in the spring.\n\n"
        '"MORENO: So the bridge stays closed until the spring, and the council pays for the repairs?"'
    )
    a = analyzer.analyze(text)
    turns = [att for att in a.attributions if att.cue and att.cue.text == ":"]
    # (the learned filter may drop a last turn with nothing nested in it; the first two carry reports)
    assert [_text(t.source) for t in turns][:2] == ["MORENO", "ROE"]
    assert all(t.parent is None and t.kind == "direct" for t in turns)
    roe = turns[1]
    assert roe.content[0].text.startswith("Well, look, the engineers told us")
    assert roe.content[-1].text.endswith("We will reopen it in the spring")
    told = _find(a, "told")
    assert told.parent == roe.id
    assert all(att.parent is not None for att in a.attributions if att.cue and att.cue.text == "announced")
    assert_offsets_exact(a)


def test_transcript_turns_are_not_quotations() -> None:
    from sayso.components._attribution_rules import without_transcript_turns

    text = '"Before," he said.\n\n"MORENO: First turn\n\n"ROE: Second turn\n\n"An ordinary quote," she said.'
    quotes = without_transcript_turns(text, find_quotes(text))
    assert [text[q.start : q.end] for q in quotes] == ['"Before,"', '"An ordinary quote,"']
    assert not any(q.continues for q in quotes)


@pytest.mark.parametrize(
    ("text", "cue", "source", "content"),
    [
        (
            "In the latest Harbour Institute poll, 48 percent of voters backed the bridge tax.",
            "In",
            "the latest Harbour Institute poll",
            "48 percent of voters backed the bridge tax",
        ),
        ("The mayor is leading in the polls.", "in", "the polls", "The mayor is leading"),
        (
            "The tax is unfair, in Mr. Costa's view.",
            "view",
            "Mr. Costa",
            "The tax is unfair",
        ),
        (
            "The levy is unjust, in the eyes of most fishermen.",
            "in the eyes of",
            "most fishermen",
            "The levy is unjust",
        ),
    ],
)
def test_in_names_a_source(analyzer: sayso.Analyzer, text: str, cue: str, source: str, content: str) -> None:
    att = _find(analyzer.analyze(text), cue)
    assert att.kind == "according_to"
    assert _text(att.source) == source
    assert att.content[0].text == content


@pytest.mark.parametrize(
    "text",
    [
        "Support fell from 58 percent in the last poll to 45 percent now.",  # the poll dates a figure
        "The new survey showed the mayor doing better than in other polls.",  # the verb reports
        "The mayor campaigned in Ohio and in Maine last week.",  # places report nothing
    ],
)
def test_in_without_a_source(analyzer: sayso.Analyzer, text: str) -> None:
    a = analyzer.analyze(text)
    assert not [att for att in a.attributions if att.cue and att.cue.text.lower() == "in"]


@pytest.mark.parametrize(
    ("text", "cue", "source", "content"),
    [
        (
            "Fishermen rejected the ministry's claim that the harbour was safe.",
            "claim",
            "the ministry's",
            "that the harbour was safe",
        ),
        (
            "The council cited a Harbour Institute report that the dam had cracked.",
            "report",
            "Harbour Institute",
            "that the dam had cracked",
        ),
        (
            "The vote went ahead despite concerns that the count was rigged.",
            "concerns",
            None,
            "that the count was rigged",
        ),
    ],
)
def test_reporting_noun_with_a_that_clause(
    analyzer: sayso.Analyzer, text: str, cue: str, source: str | None, content: str
) -> None:
    att = _find(analyzer.analyze(text), cue)
    assert _text(att.source) == source
    # the tagger's learnt boundaries may take over the clause's ("count was rigged")
    found = att.content[0].text.removeprefix("that ").removeprefix("the ")
    assert content.endswith(found) and len(found.split()) >= 3


def test_reporting_noun_with_a_relative_clause_is_no_cue(analyzer: sayso.Analyzer) -> None:
    a = analyzer.analyze("The mayor repeated the claim that he made on Monday.")
    assert not [att for att in a.attributions if att.cue and att.cue.text == "claim"]


class _Parsed:
    """A text parsed by the fast profile, with character spans and token indices looked up by text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.doc = sayso.Analyzer(profile="fast").nlp(text)

    def at(self, part: str) -> tuple[int, int]:
        start = self.text.index(part)
        return (start, start + len(part))

    def token(self, word: str) -> int:
        return next(t.i for t in self.doc if t.text == word)


def test_tagger_cue_framing_a_noun_report_is_dropped() -> None:
    # "The union seized on [the ministry's claim that ...]": the claim is the report, "seized on" frames it.
    from sayso.components._attribution_rules import Candidate
    from sayso.components.attribution import drop_framing_cues

    p = _Parsed("The union seized on the ministry's claim that the harbour was safe.")
    noun = Candidate(
        "indirect",
        p.at("claim"),
        p.at("the ministry's"),
        [p.at("that the harbour was safe")],
        p.token("claim"),
    )
    framing = Candidate(
        "indirect",
        p.at("seized on"),
        p.at("The union"),
        [p.at("the ministry's claim that the harbour was safe")],
        p.token("seized"),
        origin="model",
    )
    assert drop_framing_cues(p.doc, [noun, framing]) == [noun]


def test_content_pieces_without_words_are_dropped() -> None:
    # A lone quote mark is no content; a report left with nothing reported is no report.
    from sayso.components._attribution_rules import Candidate
    from sayso.components.attribution import build_records

    p = _Parsed('Residents protested the closure. "\n\nThe mayor said the bridge would reopen.')
    quote_mark = p.at('"')
    only_mark = Candidate(
        "indirect", p.at("protested"), p.at("Residents"), [quote_mark], p.token("protested"), origin="model"
    )
    with_words = Candidate(
        "indirect",
        p.at("said"),
        p.at("The mayor"),
        [p.at("the bridge would reopen"), quote_mark],
        p.token("said"),
    )
    records = build_records(p.doc, [only_mark, with_words])
    text = p.text
    assert [(text[r.cue[0] : r.cue[1]], [text[a:b] for a, b in r.content]) for r in records if r.cue] == [
        ("said", ["the bridge would reopen"])
    ]
