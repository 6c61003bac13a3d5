"""sayso._lexical: the pure-numpy TF-IDF + logistic-regression scorer and its blend with the encoder.

Every sentence here is made up (no ClaimBuster or CLEF text). The parity tests fit scikit-learn on these
sentences, export the fit with the training script's own exporter and compare scores; they are skipped
where scikit-learn is absent (it is a dependency of the ``eval`` extra only, never of the runtime).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from sayso import _lexical as lx

TRAINER = Path(__file__).resolve().parents[1] / "training" / "train_checkworthy_lexical.py"

SENTENCES = [
    "Unemployment rose to 7.5 percent in 2023, the highest level in a decade.",
    "The city spent $40 million on new buses last year.",
    "Crime fell by 12% after the programme started in 2019.",
    "Our state has created 300,000 jobs since January.",
    "Exports to Brazil doubled between 2010 and 2020.",
    "The average family pays 2,000 dollars more in taxes than it did in 2015.",
    "Half of all schools lack a full-time nurse, the report found.",
    "Wages grew 3 percent while prices grew 5 percent.",
    "Thank you all for coming tonight.",
    "I think we can do better, and we will.",
    "Good evening, everybody.",
    "Let me be very clear about this.",
    "We love this country and we love its people.",
    "That is a great question, John.",
    "Well, I don't agree with that at all.",
    "Thank you, and God bless America.",
]
LABELS = [1] * 8 + [0] * 8
# unseen inputs with the cases the tokenisers must get right: capitals, accents, non-breaking and double
# spaces, tabs, newlines, digits, one-letter words, punctuation only, no known n-gram, empty text
PROBES = [
    "UNEMPLOYMENT rose 4 percent in São Paulo in 2021.",
    "Prices\u00a0rose  by\t9 %\nlast year.",
    "Thank you!",
    "a b c d e",
    "... !!! ???",
    "zzzz qqqq",
    "",
    "Café déjà vu: 1,5 million émigrés.",
]


@pytest.fixture(scope="module")
def trainer() -> ModuleType:
    """training/ holds scripts, not a package: load the trainer by path (it needs scikit-learn to fit)."""
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("sayso_train_checkworthy_lexical", TRAINER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("spec", ["word12+charwb15", "word12", "charwb25", "char25", "word13+char14"])
def test_runtime_scores_equal_sklearn(trainer: ModuleType, spec: str) -> None:
    pipeline = trainer.make_pipeline(spec, 2.0).fit(SENTENCES, LABELS)
    model = trainer.export(pipeline, len(SENTENCES))
    texts = SENTENCES + PROBES
    np.testing.assert_allclose(model.decision_function(texts), pipeline.decision_function(texts), atol=1e-6)
    # the written file scores the same
    reread = lx.LexicalModel.from_dict(json.loads(gzip.decompress(model.dump_bytes())))
    np.testing.assert_allclose(reread.decision_function(texts), pipeline.decision_function(texts), atol=1e-6)


def test_ngrams_equal_sklearn_analyzers(trainer: ModuleType) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    for analyzer, ngram_range in [("word", (1, 2)), ("char_wb", (1, 5)), ("char", (2, 4)), ("word", (2, 3))]:
        vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range)
        block = lx.NgramBlock(
            analyzer=analyzer,
            ngram_range=ngram_range,
            lowercase=True,
            token_pattern=vectorizer.token_pattern if analyzer == "word" else None,
            sublinear_tf=True,
            vocabulary={},
            n_documents=0,
            df=np.zeros(0, dtype=np.int64),
            coef=np.zeros(0),
        )
        reference = vectorizer.build_analyzer()
        for text in SENTENCES + PROBES:
            assert Counter(block.ngrams(text)) == Counter(reference(text)), (analyzer, text)


def test_export_rejects_unsupported_vectorizers(trainer: ModuleType) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(TfidfVectorizer(stop_words="english"), LogisticRegression()).fit(
        SENTENCES, LABELS
    )
    with pytest.raises(ValueError, match="stop words"):
        trainer.export(pipeline, len(SENTENCES))


def _tiny_model(weights: dict[str, float]) -> lx.LexicalModel:
    block = lx.NgramBlock(
        analyzer="word",
        ngram_range=(1, 1),
        lowercase=True,
        token_pattern=r"(?u)\b\w\w+\b",
        sublinear_tf=False,
        vocabulary={"percent": 0, "thank": 1},
        n_documents=3,
        df=np.array([1, 1]),
        coef=np.array([2.0, -1.0]),
    )
    return lx.LexicalModel(blocks=(block,), intercept=-0.5, weights=weights)


def test_tfidf_and_blend_by_hand() -> None:
    model = _tiny_model({"encoder": 0.5, "lexical": 2.0, "bias": -0.25})
    # one known term -> its l2-normalised weight is 1, so the logit is coef + intercept
    assert model.decision_function(["Ten PERCENT", "thank you", "nothing here"]) == pytest.approx(
        [1.5, -1.5, -0.5]
    )
    # two known terms with equal idf and tf 1 -> each weighs 1/sqrt(2)
    assert model.decision_function(["percent thank"])[0] == pytest.approx(-0.5 + (2.0 - 1.0) / np.sqrt(2))
    z = 0.5 * np.log(0.8 / 0.2) + 2.0 * 1.5 - 0.25
    assert model.blend([0.8], ["ten percent"])[0] == pytest.approx(1 / (1 + np.exp(-z)))
    # rounded encoder probabilities of exactly 0 or 1 are clipped, not infinite
    assert np.all(np.isfinite(model.blend_logits([0.0, 1.0], ["a", "b"])))
    with pytest.raises(ValueError):
        model.blend([0.5], ["one", "two"])


def test_dump_is_byte_for_byte_reproducible() -> None:
    model = _tiny_model({"encoder": 1.0, "lexical": 1.0, "bias": 0.0})
    assert model.dump_bytes() == model.dump_bytes()
    assert (
        lx.LexicalModel.from_dict(json.loads(gzip.decompress(model.dump_bytes()))).to_dict()
        == model.to_dict()
    )
    with pytest.raises(ValueError, match="format"):
        lx.LexicalModel.from_dict({**model.to_dict(), "format": "something-else/9"})


def test_missing_or_broken_file_gives_none(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert lx.get_lexical_model(tmp_path / "absent.json.gz") is None
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(gzip.compress(b'{"format": "nope"}'))
    with caplog.at_level(logging.WARNING, logger="sayso"):
        assert lx.get_lexical_model(broken) is None
    assert "unreadable" in caplog.text


needs_file = pytest.mark.skipif(
    not lx.DEFAULT_PATH.is_file(), reason="the lexical model file is not installed"
)


@pytest.fixture(scope="module")
def nlp() -> Any:
    import spacy

    from sayso.settings import MODEL

    return spacy.load(MODEL.value(), exclude=["lemmatizer"])


def _rows(nlp: Any, texts: list[str]) -> list[tuple[str, str]]:
    return [(t, lx.tag_sequence(doc)) for t, doc in zip(texts, nlp.pipe(texts), strict=True)]


def test_tag_sequence_marks_entities_and_skips_whitespace(nlp: Any) -> None:
    tags = lx.tag_sequence(nlp("Prices rose 5 percent  in 2023."))
    assert tags.split() == ["NNS", "VBD", "ENT_PERCENT", "ENT_PERCENT", "IN", "ENT_DATE", "."]
    assert lx.tag_sequence(nlp("")) == ""


@pytest.mark.parametrize("spec", ["word12+charwb15+tags13", "tags13", "tags14+char25"])
def test_runtime_scores_equal_sklearn_with_tags(trainer: ModuleType, nlp: Any, spec: str) -> None:
    rows = _rows(nlp, SENTENCES)
    pipeline = trainer.make_pipeline(spec, 2.0).fit(rows, LABELS)
    model = trainer.export(pipeline, len(SENTENCES))
    assert model.needs_tags
    assert [b.source for b in model.blocks] == [
        "tags" if n.startswith("tags") else "text" for n in spec.split("+")
    ]
    probes = rows + _rows(nlp, PROBES)
    texts, tags = [t for t, _ in probes], [g for _, g in probes]
    np.testing.assert_allclose(
        model.decision_function(texts, tags), pipeline.decision_function(probes), atol=1e-6
    )
    reread = lx.LexicalModel.from_dict(json.loads(gzip.decompress(model.dump_bytes())))
    np.testing.assert_allclose(
        reread.decision_function(texts, tags), pipeline.decision_function(probes), atol=1e-6
    )
    with pytest.raises(ValueError, match="tag"):
        model.decision_function(texts)  # a model that reads tags never silently scores without them
    with pytest.raises(ValueError, match="one tag sequence per text"):
        model.decision_function(texts, tags[:-1])


@needs_file
def test_shipped_model_ranks_made_up_sentences(nlp: Any) -> None:
    model = lx.get_lexical_model()
    assert model is not None and model is lx.get_lexical_model()  # loaded once
    assert set(model.weights) == {"encoder", "lexical", "bias"} and model.weights["encoder"] > 0
    assert model.weights["lexical"] > 0
    rows = _rows(
        nlp,
        [
            "Unemployment rose to 7.5 percent in 2023, the highest level in a decade.",
            "Thank you, and good night.",
        ],
    )
    statistic, greeting = model.decision_function([t for t, _ in rows], [g for _, g in rows])
    assert statistic > 0 > greeting
    ((budget, budget_tags),) = _rows(nlp, ["The budget grew by 4 billion dollars."])
    blended = model.blend([0.2, 0.5, 0.8], [budget] * 3, [budget_tags] * 3)
    assert np.all(np.diff(blended) > 0)  # the blend rises with the encoder's probability
    assert np.all((blended > 0) & (blended < 1))
