"""eval/attribution.py: the brat reader and the PolNeAR attribution scorer, on small synthetic examples.

No PolNeAR text is used here (research-only licence): every article and annotation below is made up.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

EVAL_FILE = Path(__file__).resolve().parents[1] / "eval" / "attribution.py"


@pytest.fixture(scope="module")
def ea() -> ModuleType:
    """eval/ is a folder of scripts, not a package: load the scorer by path."""
    spec = importlib.util.spec_from_file_location("sayso_eval_attribution", EVAL_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


TEXT = (
    "Mayor backs plan\n"
    "\u201cWe will build it,\u201d said Jane Doe, the mayor. \u201cIt is overdue.\u201d\n"
    "It is said that taxes will rise. Bob and Ann say rain comes."
)


def at(text: str, piece: str, after: int = 0) -> tuple[int, int]:
    start = text.index(piece, after)
    return start, start + len(piece)


def brat_t(tid: str, kind: str, *pieces: tuple[int, int]) -> str:
    offsets = ";".join(f"{a} {b}" for a, b in pieces)
    covered = " ".join(TEXT[a:b] for a, b in pieces)
    return f"{tid}\t{kind} {offsets}\t{covered}"


def gold_ann() -> str:
    """Three relations: a quote split around its cue, a sourceless passive, a compound source."""
    q1 = at(TEXT, "\u201cWe will build it,\u201d")
    q2 = at(TEXT, "\u201cIt is overdue.\u201d")
    lines = [
        brat_t("T1", "Content", q1, q2),
        brat_t("T2", "Cue", at(TEXT, "said")),
        brat_t("T3", "Source", at(TEXT, "Jane Doe, the mayor")),
        brat_t("T4", "Attribution", at(TEXT, "said")),
        "E1\tAttribution:T4 Content:T1 Cue:T2 Source:T3",
        brat_t("T5", "Cue", at(TEXT, "is said")),
        brat_t("T6", "Content", at(TEXT, "that taxes will rise")),
        brat_t("T7", "Attribution-no-source", at(TEXT, "is said")),
        "E2\tAttribution-no-source:T7 Cue:T5 Content:T6",
        "E3\tAttribution-no-source:T7 ",  # an empty duplicate, as brat leaves them
        brat_t("T8", "Source", at(TEXT, "Bob and Ann")),
        brat_t("T9", "Cue", at(TEXT, "say")),
        brat_t("T10", "Content", at(TEXT, "rain comes")),
        brat_t("T11", "Attribution", at(TEXT, "say")),
        "E4\tAttribution:T11 Source:T8 Cue:T9 Content:T10",
        brat_t("T12", "Discard", at(TEXT, "Mayor backs plan")),
        "#1\tAnnotatorNotes T12\ta note",
    ]
    return "\n".join(lines) + "\n"


def rel(ea: ModuleType, source: str | None, cue: str | None, *content: str) -> object:
    """A relation from the first occurrence of each text piece in TEXT."""
    return ea.Relation(
        source=(at(TEXT, source),) if source else (),
        cue=(at(TEXT, cue),) if cue else (),
        content=tuple(sorted(at(TEXT, c) for c in content)),
    )


# ------------------------------------------------------------------------------------------ reader


def test_reader_builds_relations_with_discontinuous_and_missing_parts(ea: ModuleType) -> None:
    stats = ea.BratStats()
    relations = ea.parse_brat(gold_ann(), stats)
    assert len(relations) == 3
    quote, passive, compound = relations
    assert quote.content == (
        at(TEXT, "\u201cWe will build it,\u201d"),
        at(TEXT, "\u201cIt is overdue.\u201d"),
    )
    assert quote.source == (at(TEXT, "Jane Doe, the mayor"),)
    assert passive.source == ()
    assert passive.cue == (at(TEXT, "is said"),)
    assert compound.source == (at(TEXT, "Bob and Ann"),)
    assert stats.empty_events == 1


def test_reader_merges_numbered_roles_ignores_continuation_lines_and_counts_dangling(ea: ModuleType) -> None:
    ann = (
        "T1\tContent 0 5;10 12\tfirst\nsecond line of the covered text\n"
        "T2\tCue 6 9\tsay\n"
        "T3\tContent 20 25\tthird\n"
        "E1\tAttribution:T9 Content:T1 Cue:T2 Content2:T3 Source:T77\n"
    )
    stats = ea.BratStats()
    (relation,) = ea.parse_brat(ann, stats)
    assert relation.content == ((0, 5), (10, 12), (20, 25))
    assert relation.cue == ((6, 9),)
    assert relation.source == ()
    assert stats.dangling_refs == 1


def test_loader_uses_first_annotator_in_sorted_order(ea: ModuleType, tmp_path: Path) -> None:
    root = tmp_path / "polnear" / "dev"
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "pub_2016-01-01_story.txt").write_text(TEXT, encoding="utf-8", newline="")
    (root / "attributions" / "pub_2016-01-01_story_bbbb.ann").write_text(gold_ann(), encoding="utf-8")
    (root / "attributions" / "pub_2016-01-01_story_aaaa.ann").write_text(
        "T1\tCue 0 5\tMayor\nT2\tContent 6 11\tbacks\nE1\tAttribution:T1 Cue:T1 Content:T2\n",
        encoding="utf-8",
    )
    articles, _ = ea.load_polnear(tmp_path, "dev")
    assert [(a.name, a.annotator, len(a.relations)) for a in articles] == [
        ("pub_2016-01-01_story", "aaaa", 1)
    ]


def test_loader_keeps_carriage_returns_so_offsets_hold(ea: ModuleType, tmp_path: Path) -> None:
    root = tmp_path / "polnear" / "dev"
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    text = "Head\r\nAnn said so."
    (root / "text" / "a.txt").write_bytes(text.encode("utf-8"))
    (root / "attributions" / "a_0001.ann").write_text("T1\tSource 6 9\tAnn\n", encoding="utf-8")
    articles, _ = ea.load_polnear(tmp_path, "dev")
    assert articles[0].text[6:9] == "Ann"


# ------------------------------------------------------------------------------------------ spans


def test_trim_strips_edge_punctuation_and_quotes_but_keeps_a_punctuation_cue(ea: ModuleType) -> None:
    text = "He said: \u201cGo, now!\u201d \u2014Ann"
    assert ea.trim(text, *at(text, "\u201cGo, now!\u201d")) == at(text, "Go, now")
    assert ea.trim(text, *at(text, ":")) == at(text, ":")
    assert ea.trim(text, *at(text, " \u2014")) == at(text, "\u2014")
    assert ea.trim(text, 0, 0) is None


def test_normalize_merges_pieces_split_only_by_whitespace_and_punctuation(ea: ModuleType) -> None:
    text = "\u201cOne.\u201d\n\n\u201cTwo.\u201d she said. Three"
    pieces = (at(text, "\u201cTwo.\u201d"), at(text, "\u201cOne.\u201d"))
    assert ea.normalize(text, pieces) == ((text.index("One"), text.index("Two") + 3),)
    apart = (at(text, "\u201cOne.\u201d"), at(text, "Three"))
    assert len(ea.normalize(text, apart)) == 2


def test_tokens_of_a_span_starting_inside_a_word_include_the_word(ea: ModuleType) -> None:
    tokens = ea.Tokens("It's fine")
    assert tokens.of(((1, 4),)) == frozenset({0, 1, 2})  # "It", "'", "s"
    assert tokens.of(((4, 5),)) == frozenset()  # the space alone


# ------------------------------------------------------------------------------------------ scoring


def test_perfect_prediction_scores_one_everywhere(ea: ModuleType) -> None:
    gold = ea.parse_brat(gold_ann())
    scores = ea.score_article(gold, gold, TEXT)
    for role in ea.ROLES:
        for scheme in ea.SCHEMES:
            assert scores["roles"][role][scheme]["f1"] == 1.0, (role, scheme)
    assert scores["relation"]["exact"]["f1"] == 1.0
    assert scores["relation"]["overlap"]["f1"] == 1.0


def test_exact_ignores_edge_quotes_and_punctuation(ea: ModuleType) -> None:
    gold = [rel(ea, "Bob and Ann", "say", "rain comes")]
    pred = [
        ea.Relation(
            source=(at(TEXT, " Bob and Ann "),),
            cue=(at(TEXT, "say"),),
            content=(at(TEXT, "rain comes."),),
        )
    ]
    scores = ea.score_article(gold, pred, TEXT)
    assert scores["relation"]["exact"]["tp"] == 1
    assert scores["roles"]["content"]["exact"]["tp"] == 1


def test_partial_span_matches_on_overlap_but_not_exact(ea: ModuleType) -> None:
    gold = [
        rel(ea, "Jane Doe, the mayor", "said", "\u201cWe will build it,\u201d", "\u201cIt is overdue.\u201d")
    ]
    pred = [rel(ea, "Jane Doe", "said", "We will build it")]
    scores = ea.score_article(gold, pred, TEXT)
    source, content = scores["roles"]["source"], scores["roles"]["content"]
    assert (source["exact"]["tp"], source["overlap"]["tp"]) == (0, 1)
    assert (content["exact"]["tp"], content["overlap"]["tp"]) == (0, 1)
    assert scores["relation"]["overlap"]["tp"] == 1
    assert scores["relation"]["exact"]["tp"] == 0
    # token scheme: "Jane Doe" is 2 of the 5 gold source tokens (Jane, Doe, ",", the, mayor)
    assert source["token"]["tp"] == 2 and source["token"]["fn"] == 3 and source["token"]["fp"] == 0
    assert source["token"]["p"] == 1.0 and source["token"]["r"] == 0.4


def test_discontinuous_gold_is_one_span_union_of_pieces(ea: ModuleType) -> None:
    gold = [
        rel(ea, "Jane Doe, the mayor", "said", "\u201cWe will build it,\u201d", "\u201cIt is overdue.\u201d")
    ]
    second_half_only = [rel(ea, "Jane Doe, the mayor", "said", "It is overdue")]
    scores = ea.score_article(gold, second_half_only, TEXT)
    assert scores["roles"]["content"]["overlap"]["tp"] == 1  # one gold content, matched by one piece of it
    assert scores["roles"]["content"]["exact"]["tp"] == 0
    both_pieces = [rel(ea, "Jane Doe, the mayor", "said", "We will build it", "It is overdue")]
    assert ea.score_article(gold, both_pieces, TEXT)["roles"]["content"]["exact"]["tp"] == 1


def test_overlap_matching_is_one_to_one_and_prefers_the_larger_overlap(ea: ModuleType) -> None:
    text = "Ann said alpha beta gamma. Ann said delta epsilon."
    gold = [
        ea.Relation(
            source=(at(text, "Ann"),), cue=(at(text, "said"),), content=(at(text, "alpha beta gamma"),)
        ),
        ea.Relation(
            source=(at(text, "Ann", 20),), cue=(at(text, "said", 20),), content=(at(text, "delta epsilon"),)
        ),
    ]
    # one long predicted content across both gold contents: one hit, one miss
    wide = ea.Relation(content=(at(text, "alpha beta gamma. Ann said delta epsilon"),))
    scores = ea.score_article(gold, [wide], text)
    content = scores["roles"]["content"]["overlap"]
    assert (content["tp"], content["fp"], content["fn"]) == (1, 0, 1)
    # two predictions overlapping the first gold content: the larger overlap wins it, the other is a miss
    small = ea.Relation(content=(at(text, "gamma"),))
    large = ea.Relation(content=(at(text, "alpha beta"),))
    pairs = ea.match_spans(
        [ea._Span(p, ea.Tokens(text).of(p)) for p in (gold[0].content,)],
        [ea._Span(p, ea.Tokens(text).of(p)) for p in (small.content, large.content)],
        "overlap",
    )
    assert pairs == [(0, 1)]


def test_shared_source_counts_once_for_the_role_but_per_relation(ea: ModuleType) -> None:
    text = "Ann announced rates and said prices rise."
    ann = at(text, "Ann")
    gold = [
        ea.Relation(source=(ann,), cue=(at(text, "announced"),), content=(at(text, "rates"),)),
        ea.Relation(source=(ann,), cue=(at(text, "said"),), content=(at(text, "prices rise"),)),
    ]
    pred = [gold[1]]
    scores = ea.score_article(gold, pred, text)
    source = scores["roles"]["source"]["exact"]
    assert (source["tp"], source["fp"], source["fn"]) == (1, 0, 0)
    relation = scores["relation"]["exact"]
    assert (relation["tp"], relation["fp"], relation["fn"]) == (1, 0, 1)


def test_relation_needs_every_role_to_match(ea: ModuleType) -> None:
    gold = [rel(ea, "Bob and Ann", "say", "rain comes")]
    wrong_cue = [rel(ea, "Bob and Ann", "said", "rain comes")]
    scores = ea.score_article(gold, wrong_cue, TEXT)
    assert scores["relation"]["overlap"]["tp"] == 0
    assert scores["roles"]["content"]["overlap"]["tp"] == 1
    no_cue = [rel(ea, "Bob and Ann", None, "rain comes")]
    assert ea.score_article(gold, no_cue, TEXT)["relation"]["overlap"]["tp"] == 0


def test_gold_without_source_is_matched_only_by_a_prediction_without_source(ea: ModuleType) -> None:
    gold = [rel(ea, None, "is said", "that taxes will rise")]
    without = [rel(ea, None, "is said", "taxes will rise")]
    with_it = [ea.Relation(source=((TEXT.index("It is said"), TEXT.index("It is said") + 2),), **_rest(ea))]
    assert ea.score_article(gold, without, TEXT)["relation"]["overlap"]["tp"] == 1
    scores = ea.score_article(gold, with_it, TEXT)
    assert scores["relation"]["overlap"]["tp"] == 0
    assert scores["roles"]["source"]["overlap"]["fp"] == 1


def _rest(ea: ModuleType) -> dict[str, object]:
    r = rel(ea, None, "is said", "taxes will rise")
    return {"cue": r.cue, "content": r.content}  # type: ignore[attr-defined]


def test_relation_matching_is_one_to_one(ea: ModuleType) -> None:
    gold = [rel(ea, "Bob and Ann", "say", "rain comes")]
    scores = ea.score_article(gold, gold * 2, TEXT)
    relation = scores["relation"]["exact"]
    assert (relation["tp"], relation["fp"], relation["fn"]) == (1, 1, 0)


def test_missing_prediction_is_all_misses(ea: ModuleType) -> None:
    gold = ea.parse_brat(gold_ann())
    scores = ea.score_article(gold, [], TEXT)
    assert scores["relation"]["overlap"] == {"p": 0.0, "r": 0.0, "f1": 0.0, "tp": 0, "fp": 0, "fn": 3}


def test_sayso_dicts_become_relations_and_nested_ones_are_left_out(ea: ModuleType) -> None:
    def span(piece: str) -> dict[str, object]:
        start, end = at(TEXT, piece)
        return {"start": start, "end": end, "text": piece}

    attributions = [
        {"id": "a1", "source": span("Bob and Ann"), "cue": span("say"), "content": [span("rain comes")]},
        {"id": "a2", "source": None, "cue": span("is said"), "content": [span("taxes")], "parent": "a1"},
    ]
    relations, nested = ea.relations_from_sayso(attributions, len(TEXT))
    assert nested == 1 and relations == [rel(ea, "Bob and Ann", "say", "rain comes")]
    kept, nested = ea.relations_from_sayso(attributions, len(TEXT), keep_nested=True)
    assert nested == 0 and len(kept) == 2
    with pytest.raises(ValueError):
        ea.relations_from_sayso([{"cue": {"start": 5, "end": 10_000}}], len(TEXT))


def test_textacy_tokens_become_one_piece_per_run(ea: ModuleType) -> None:
    spacy = pytest.importorskip("spacy")
    doc = spacy.blank("en")("she did not really say it")
    assert ea._token_pieces([doc[4], doc[1], doc[2]]) == ((4, 11), (19, 22))


# ------------------------------------------------------------------------------------------ end to end


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "polnear" / "dev"
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for name, text in (("art_one", TEXT), ("art_two", TEXT + " More.")):
        (root / "text" / f"{name}.txt").write_text(text, encoding="utf-8", newline="")
        (root / "attributions" / f"{name}_ab12.ann").write_text(gold_ann(), encoding="utf-8")
    return tmp_path


def _prediction_file(ea: ModuleType, path: Path) -> Path:
    def span(piece: str) -> dict[str, object]:
        start, end = at(TEXT, piece)
        return {"start": start, "end": end, "text": piece}

    analysis = {
        "schema": "sayso/1",
        "article": "art_one",
        "text": TEXT,
        "attributions": [
            {"id": "a1", "kind": "direct", "source": span("Jane Doe"), "cue": span("said"),
             "content": [span("We will build it"), span("It is overdue")], "parent": None},
            {"id": "a2", "kind": "indirect", "source": span("Bob and Ann"), "cue": span("say"),
             "content": [span("rain comes")], "parent": None},
        ],
    }  # fmt: skip
    path.write_text(json.dumps(analysis) + "\n\n", encoding="utf-8")
    return path


def test_evaluate_predictions_counts_missing_articles_as_crashes(
    ea: ModuleType, corpus: Path, tmp_path: Path
) -> None:
    predictions = _prediction_file(ea, tmp_path / "pred.jsonl")
    result = ea.evaluate("dev", ("predictions",), corpus, predictions=predictions)
    assert result["gold_relations"] == 6 and result["gold_without_source"] == 2
    system = result["systems"]["predictions"]
    assert system["crashes"] == 1 and "art_two" in system["crashed"]
    relation = system["relation"]["overlap"]
    assert (relation["tp"], relation["fp"], relation["fn"]) == (2, 0, 4)
    assert system["metrics"]["relation_overlap"] == pytest.approx(2 * 1.0 * (2 / 6) / (1.0 + 2 / 6), abs=1e-4)
    assert system["metrics"]["crash_rate"] == 0.5
    assert ea.evaluate("dev", ("predictions",), corpus, limit=1, predictions=predictions)["articles"] == 1


def test_floors_pass_and_fail(ea: ModuleType) -> None:
    result = {"systems": {"sayso": {"metrics": {"relation_overlap": 0.5, "crash_rate": 0.1}}}}
    assert ea.check_floors(result, ["relation_overlap=0.5", "crash_rate=0.2"], "sayso") == []
    failures = ea.check_floors(result, ["relation_overlap=0.7", "sayso:crash_rate=0.0", "nope=1"], "sayso")
    assert len(failures) == 3


def test_cli_exit_code_follows_floors(
    ea: ModuleType, corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    predictions = _prediction_file(ea, tmp_path / "pred.jsonl")
    out = tmp_path / "out.json"
    base = ["--data-dir", str(corpus), "--predictions", str(predictions), "--json", str(out)]
    assert ea.main([*base, "--floor", "relation_overlap=0.4"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["systems"]["predictions"]["crashes"] == 1
    assert ea.main([*base, "--check-floors", "--floor", "relation_overlap=0.9"]) == 1
    printed = capsys.readouterr()
    assert "relation" in printed.out and "FLOOR NOT MET" in printed.err
    with pytest.raises(SystemExit):
        ea.main([*base, "--check-floors"])
    with pytest.raises(SystemExit):
        ea.main(["--data-dir", str(corpus), "--systems", "nonesuch"])
