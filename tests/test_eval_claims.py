"""eval/claims.py: positive-class F1, the CLEF-2019 ranking metrics, the dev splits and the sayso adapter.

No ClaimBuster or CLEF text is used here (research-only licences): every sentence below is made up, and
the expected scores are computed by hand.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

EVAL_FILE = Path(__file__).resolve().parents[1] / "eval" / "claims.py"


@pytest.fixture(scope="module")
def ec() -> ModuleType:
    """eval/ is a folder of scripts, not a package: load the scorer by path."""
    spec = importlib.util.spec_from_file_location("sayso_eval_claims", EVAL_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_positive_class_f1(ec: ModuleType) -> None:
    # Predicted positive (>= 0.5): items 0, 2, 4; gold positive: 0, 1, 4 -> tp 2, fp 1, fn 1.
    got = ec.positive_f1([1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.5])
    assert (got["tp"], got["fp"], got["fn"]) == (2, 1, 1)
    assert got["p"] == pytest.approx(2 / 3)
    assert got["r"] == pytest.approx(2 / 3)
    assert got["f1"] == pytest.approx(2 / 3)
    assert ec.positive_f1([1, 0, 1], [0.0, 0.0, 0.0])["f1"] == 0.0  # no claims found scores 0


def test_average_precision_hand_computed(ec: ModuleType) -> None:
    # Ranking 0, 1, 3, 2: positives at ranks 2 and 3 -> AP = (1/2 + 2/3) / 2.
    assert ec.average_precision([0, 1, 0, 1], [0.9, 0.8, 0.1, 0.5]) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert ec.average_precision([0, 0], [0.3, 0.2]) == 0.0  # no positive
    assert ec.average_precision([0, 1], [0.0, 0.0]) == pytest.approx(0.5)  # ties keep line order
    assert ec.average_precision([1, 0], [0.0, 0.0]) == pytest.approx(1.0)


def test_clef_scores_average_over_debates(ec: ModuleType) -> None:
    debates = [([0, 1, 0, 1], [0.9, 0.8, 0.1, 0.5]), ([1, 0], [0.2, 0.7])]
    got = ec.clef_scores(debates)
    assert got["map"] == pytest.approx(((1 / 2 + 2 / 3) / 2 + 1 / 2) / 2)
    assert got["rr"] == pytest.approx((1 / 2 + 1 / 2) / 2)
    # R-precision: debate 1 has R = 2 and one positive in its top 2; debate 2 has R = 1 and none in its top 1.
    assert got["r_precision"] == pytest.approx((1 / 2 + 0) / 2)
    assert got["p_at_10"] == pytest.approx((2 / 10 + 1 / 10) / 2)
    assert ec.clef_scores([])["map"] == 0.0


def test_sentences_to_text_keeps_offsets(ec: ModuleType) -> None:
    sentences = ["Taxes rose 4%.", "", "  Odd  spacing stays. "]
    text, offsets = ec.sentences_to_text(sentences)
    assert text == "Taxes rose 4%.\n\n  Odd  spacing stays. "
    assert [text[s:e] for s, e in offsets] == sentences


def test_sentence_scores_take_the_max_overlapping_claim(ec: ModuleType) -> None:
    _, offsets = ec.sentences_to_text(["Aaa bbb.", "Ccc ddd.", "Eee."])
    claims = [(0, 12, 0.4), (9, 17, 0.8), (4, 7, 0.6)]  # the first spans sentences 1 and 2
    assert ec.sentence_scores(offsets, claims) == [0.6, 0.8, 0.0]


class _FakeAnalyzer:
    """Stands in for sayso.Analyzer: one claim on every sentence that contains 'percent'."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.nlp: Any = None  # no pipeline unless a test gives it one

    def analyze_many(self, items: Iterable[tuple[str, Any]], as_tuples: bool = False) -> Iterator[Any]:
        for text, context in items:
            self.texts.append(text)
            claims, start = [], 0
            for line in text.split("\n"):
                if "percent" in line:
                    claims.append(SimpleNamespace(start=start, end=start + len(line), checkworthiness=0.7))
                start += len(line) + 1
            yield SimpleNamespace(claims=claims), context


def test_sayso_scorer_maps_claims_back_to_sentences(ec: ModuleType) -> None:
    fake = _FakeAnalyzer()
    score = ec.sayso_scorer(fake, chunk=2)
    groups = [["Hello there.", "Prices rose 3 percent.", "Bye.", "Ten percent more."], ["Nothing."]]
    assert score(groups) == [[0.0, 0.7, 0.0, 0.7], [0.0]]
    assert len(fake.texts) == 3  # chunks of 2 sentences, never across groups


class _FakePipeline:
    """A pipeline with only a ``sayso_claims`` component, as ``sayso_scorer`` and the result see it."""

    def __init__(self, lexical: bool) -> None:
        from sayso.components.claims import ClaimsComponent

        self.pipe_names = ["sayso_claims"]
        self.claims = ClaimsComponent(threshold=0.5, lexical=lexical)

    def get_pipe(self, name: str) -> Any:
        assert name == "sayso_claims"
        return self.claims


def test_sayso_scorer_scores_what_users_get(ec: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    import sayso._lexical

    fake = _FakeAnalyzer()
    fake.nlp = _FakePipeline(lexical=True)
    ec.sayso_scorer(fake)([["Prices rose 3 percent."]])
    # every sentence becomes a claim, and the blend with the lexical model stays on
    assert fake.nlp.claims.threshold == 0.0 and fake.nlp.claims.lexical is True
    monkeypatch.setattr(sayso._lexical, "get_lexical_model", lambda: object())
    assert ec.checkworthiness_source(fake) == "encoder + lexical blend"
    monkeypatch.setattr(sayso._lexical, "get_lexical_model", lambda: None)  # no model file installed
    assert ec.checkworthiness_source(fake) == "encoder"
    fake.nlp = _FakePipeline(lexical=False)
    assert ec.checkworthiness_source(fake) == "encoder"
    assert ec.checkworthiness_source(_FakeAnalyzer()) == "unknown"


def test_claimbuster_dev_split_is_stratified_and_fixed(ec: ModuleType) -> None:
    sentences = [ec.Sentence(str(i), f"s{i}", int(i % 3 == 0)) for i in range(150)]  # 50 positive
    dev = ec.claimbuster_dev_ids(sentences)
    assert sum(1 for s in sentences if s.id in dev and s.label == 1) == 10
    assert sum(1 for s in sentences if s.id in dev and s.label == 0) == 20
    assert dev == ec.claimbuster_dev_ids(list(reversed(sentences)))  # order of the file does not matter


def test_clef_dev_files_and_loading(ec: ModuleType, tmp_path: Path) -> None:
    folder = tmp_path / "clef2019_checkthat_task1" / "training"
    folder.mkdir(parents=True)
    names = [f"2016010{i}_debate.tsv" for i in range(1, 9)]
    for name in names:
        (folder / name).write_text("1\tA\tWe cut taxes.\t1\r\n2\tB\tThank you.\t0\r\n", encoding="utf-8")
    assert ec.clef_dev_files(tmp_path) == names[-6:]
    debates = ec.load_clef(tmp_path)
    assert [(s.id, s.text, s.label) for s in debates[names[0]]] == [
        ("1", "We cut taxes.", 1),
        ("2", "Thank you.", 0),
    ]
