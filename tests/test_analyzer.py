"""The Analyzer: single and batch analysis, metadata, and that bad documents never sink a batch."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from spacy.language import Language
from spacy.tokens import Doc

import sayso
from sayso.errors import ConfigError, InputError
from sayso.pipeline import PROFILES

TEXT = "MADRID (Reuters) - Spain's interior ministry said on Friday that 40 people were saved near Valencia."


def test_analyze_fills_metadata(analyzer: sayso.Analyzer) -> None:
    analysis = analyzer.analyze(TEXT, title="Rescue", url="https://example.org/a", published="2024-06-07")
    assert analysis.title == "Rescue"
    assert analysis.url == "https://example.org/a"
    assert analysis.published == dt.date(2024, 6, 7)
    assert analysis.language == "en"
    assert analysis.text == TEXT
    assert analysis.model and "sayso-" in analysis.model


def test_module_level_analyze_reuses_one_analyzer() -> None:
    first = sayso.analyze("Rome is the capital of Italy.")
    second = sayso.analyze("Oslo is the capital of Norway.")
    assert first.model == second.model
    from sayso import _analyzer

    assert _analyzer._default is not None


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "E001"), ("   \n\t ", "E001"), ("abc\x00def", "E002"), ("\x01\x02\x03\x04" * 20, "E002")],
)
def test_bad_text_raises_coded_error(analyzer: sayso.Analyzer, text: str, code: str) -> None:
    with pytest.raises(InputError) as info:
        analyzer.analyze(text)
    assert info.value.code == code


def test_too_long_text(analyzer: sayso.Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAYSO_MAX_CHARS", "50")
    with pytest.raises(InputError) as info:
        analyzer.analyze("word " * 20)
    assert info.value.code == "E004"


def test_bad_published_date(analyzer: sayso.Analyzer) -> None:
    with pytest.raises(InputError) as info:
        analyzer.analyze(TEXT, published="June the fourth")
    assert info.value.code == "E009"


def test_analyze_many_skips_bad_documents_and_keeps_order(
    analyzer: sayso.Analyzer, caplog: pytest.LogCaptureFixture
) -> None:
    items: list[object] = [
        "Lisbon is in Portugal.",
        "",
        {"text": "Porto is in Portugal.", "published": "2024-01-02", "url": "u2"},
        "\x00binary",
        sayso.Article(text="Faro is in Portugal.", title="t3"),
    ]
    with caplog.at_level(logging.WARNING, logger="sayso"):
        results = list(analyzer.analyze_many(items, batch_size=2))  # type: ignore[arg-type]
    assert [r.text for r in results] == [
        "Lisbon is in Portugal.",
        "Porto is in Portugal.",
        "Faro is in Portugal.",
    ]
    assert results[1].published == dt.date(2024, 1, 2) and results[1].url == "u2"
    assert results[2].title == "t3"
    assert "#1" in caplog.text and "E001" in caplog.text
    assert "#3" in caplog.text and "E002" in caplog.text


def test_analyze_many_as_tuples_returns_contexts(analyzer: sayso.Analyzer) -> None:
    pairs = [("Athens is in Greece.", "a"), ("", "b"), ("Sofia is in Bulgaria.", "c")]
    results = list(analyzer.analyze_many(pairs, as_tuples=True))
    assert [context for _, context in results] == ["a", "c"]


def test_analyze_many_in_two_processes_matches_one(analyzer: sayso.Analyzer) -> None:
    texts = [
        f"KYIV, June {d} (Reuters) - Officials in Kharkiv said {d} buildings were hit on Monday."
        for d in range(1, 7)
    ]
    # with a published date too: it travels to the worker processes on the doc (msgpack has no dates)
    articles = [sayso.Article(text, published=dt.date(2024, 6, 7)) for text in texts]
    single = [a.to_dict() for a in analyzer.analyze_many([*texts, *articles])]
    double = [a.to_dict() for a in analyzer.analyze_many([*texts, *articles], n_process=2, batch_size=2)]
    assert single == double
    assert single[-1]["published"] == "2024-06-07"
    assert any(t["value"] == "2024-06-03" for t in single[-1]["times"])  # "on Monday", anchored


_BOOM_NAME = "test_boom_on_marker"


@Language.component(_BOOM_NAME)
def _boom_on_marker(doc: Doc) -> Doc:
    if "EXPLODE" in doc.text:
        raise RuntimeError("component failure on purpose")
    return doc


def test_failing_component_skips_only_that_document(caplog: pytest.LogCaptureFixture) -> None:
    local = sayso.Analyzer()
    local.nlp.add_pipe(_BOOM_NAME)
    with caplog.at_level(logging.WARNING, logger="sayso"):
        results = list(
            local.analyze_many(["Fine text one.", "EXPLODE here.", "Fine text two."], batch_size=3)
        )
    assert [r.text for r in results] == ["Fine text one.", "Fine text two."]
    assert "component failure on purpose" in caplog.text
    with pytest.raises(RuntimeError):  # a single analysis still raises: the caller asked for this one
        local.analyze("EXPLODE again.")


def test_unknown_model_and_profile() -> None:
    with pytest.raises(ConfigError) as info:
        sayso.Analyzer(model="xx_no_such_pipeline")
    assert info.value.code == "E005"
    with pytest.raises(ConfigError) as info:
        sayso.Analyzer(profile="turbo")
    assert info.value.code == "E006"
    assert {"fast", "full"} <= set(PROFILES)


def test_any_installed_pipeline_can_be_used() -> None:
    import spacy

    nlp = spacy.blank("en")
    analysis = sayso.Analyzer(nlp=nlp, profile="fast").analyze("A tiny text, with no parser at all.")
    assert analysis.text.startswith("A tiny")
