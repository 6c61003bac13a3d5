"""Offsets are truth: every span of every output satisfies ``text[start:end] == span.text``.

Checked on generated article-like texts (datelines, quotes of every kind, odd whitespace, non-Latin
scripts, stray punctuation) and on every PolNeAR dev article.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sayso

from .conftest import assert_offsets_exact

CITIES = ["FARO", "KYIV", "NEW YORK", "São Paulo", "WASHINGTON", "Sion", "BEIRUT", "LAGOS"]
AGENCIES = ["(Reuters)", "(AP)", "(AFP)", "", "(Iberia Press)"]
DATES = ["June 4", "4 June", "Jun. 4", "Tuesday", "", "June 4, 2024"]
DASHES = [" - ", " — ", " -- ", ". ", ", "]
QUOTES = [('"', '"'), ("“", "”"), ("‘", "’"), ("«", "»"), ("„", "“"), ("'", "'"), ('"', "")]
SPEAKERS = ["the minister", "Marta Sousa", "a spokeswoman for the ministry", "they", "The statement"]
CUES = ["said", "told reporters", "added", "warned", "noted", "according to"]
WORDS = st.sampled_from(
    "the government floods 40 homes were destroyed in Faro more than 3,000 people killed on May 12 "
    "2019 decree and a statement urged ministers to act \u00e9t\u00e9 Mü\u00df Κρήτη Київ 東京 …".split()
)


@st.composite
def article_like(draw: st.DrawFn) -> str:
    dateline = (
        draw(st.sampled_from(CITIES))
        + ", "
        + draw(st.sampled_from(DATES))
        + " "
        + draw(st.sampled_from(AGENCIES))
        + draw(st.sampled_from(DASHES))
    )
    paragraphs = []
    for _ in range(draw(st.integers(1, 4))):
        left, right = draw(st.sampled_from(QUOTES))
        quote = " ".join(draw(st.lists(WORDS, min_size=1, max_size=12)))
        plain = " ".join(draw(st.lists(WORDS, min_size=0, max_size=15)))
        speaker = draw(st.sampled_from(SPEAKERS))
        cue = draw(st.sampled_from(CUES))
        form = draw(st.integers(0, 2))
        if form == 0:
            paragraphs.append(f"{left}{quote},{right} {speaker} {cue}. {plain}")
        elif form == 1:
            paragraphs.append(f"{speaker.capitalize()} {cue} that {plain}{right}.")
        else:
            paragraphs.append(f"{plain} {left}{quote}")
    noise = draw(st.sampled_from(["", "\t", "  ", "\r\n", "\u00a0", "(", ")", "\u200b"]))
    return dateline + noise + ("\n\n" + noise).join(paragraphs)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=article_like())
def test_every_span_is_offset_exact_on_generated_articles(analyzer: sayso.Analyzer, text: str) -> None:
    if not text.strip():
        return
    analysis = analyzer.analyze(text, published="2024-06-04")
    assert analysis.text == text
    assert_offsets_exact(analysis)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=300))
def test_arbitrary_unicode_never_breaks_offsets(analyzer: sayso.Analyzer, text: str) -> None:
    try:
        analysis = analyzer.analyze(text)
    except sayso.InputError:
        return  # empty or binary-looking input is refused with a coded error, by design
    assert_offsets_exact(analysis)


@pytest.mark.data
def test_every_span_is_offset_exact_on_polnear_dev(analyzer: sayso.Analyzer, shared_data: Path) -> None:
    files = sorted((shared_data / "polnear" / "dev" / "text").glob("*.txt"))
    assert len(files) >= 80
    texts = [f.read_text(encoding="utf-8") for f in files]
    analyses = list(analyzer.analyze_many(texts, batch_size=16))
    assert len(analyses) == len(texts)  # no article was skipped
    checked = sum(assert_offsets_exact(a) for a in analyses)
    assert checked > 1000


@pytest.mark.data
@pytest.mark.slow
def test_no_crash_on_any_polnear_train_article(analyzer: sayso.Analyzer, shared_data: Path) -> None:
    """All 840 PolNeAR train articles (about 4 minutes): every one analysed, every span offset-exact."""
    files = sorted((shared_data / "polnear" / "train" / "text").glob("*.txt"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    analyses = list(analyzer.analyze_many(texts, batch_size=16))
    assert len(analyses) == len(texts) >= 800
    for analysis in analyses:
        assert_offsets_exact(analysis)
