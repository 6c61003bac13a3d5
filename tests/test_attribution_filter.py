"""The learned attribution filter: the runtime scores what the trainer fitted, and it fails safe.

Texts and feature rows are made up for these tests (the training data is research-only).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import spacy

import sayso
from sayso.components._attribution_filter import (
    FORMAT,
    AttributionFilter,
    doc_features,
    load_filter,
)

REPO = Path(__file__).resolve().parent.parent
TEXT = (
    "The mayor said the bridge would reopen in May. "
    "Residents hope the repairs will be finished sooner. "
    '"We are on schedule," a spokesman for the city told reporters.'
)


def _trainer() -> ModuleType:
    """``training/train_attribution_filter.py``, loaded by path (training/ is no package)."""
    pytest.importorskip("sklearn")
    name = "sayso_train_attribution_filter"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "training" / "train_attribution_filter.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _rows(n: int, seed: int = 3) -> tuple[list[dict[str, float]], list[int]]:
    """Feature rows shaped like ``record_features``' (numbers and indicators) with a learnable label."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    for _ in range(n):
        lemma = str(rng.choice(["say", "tell", "hope", "want", "add"]))
        tagger = float(rng.random())
        row = {
            "confidence": float(rng.random()),
            "tag_cue": tagger,
            "content_words_log": float(rng.random() * 3),
            "cue_words": float(rng.integers(1, 4)),
            f"lemma={lemma}": 1.0,
            f"method={rng.choice(['rules', 'model'])}": 1.0,
        }
        if rng.random() < 0.5:
            row["source=none"] = 1.0
        rows.append(row)
        labels.append(int(lemma in ("say", "tell", "add") or tagger + rng.normal(0, 0.3) > 0.7))
    return rows, labels


def test_runtime_reproduces_the_fitted_model(tmp_path: Path) -> None:
    trainer = _trainer()
    rows, labels = _rows(300)
    vectorizer, model = trainer.fit(rows, labels, trainer.Config(c=1.0, min_count=1, lexical=True))
    text = trainer.export(vectorizer, model, 0.4, {"data": "made-up rows"})
    assert text == trainer.export(vectorizer, model, 0.4, {"data": "made-up rows"})  # byte-stable
    data = json.loads(text)
    assert data["format"] == FORMAT and list(data) == sorted(data)
    path = tmp_path / "filter.json"
    path.write_text(text, encoding="utf-8")
    runtime = load_filter(path)
    assert runtime is not None and runtime.threshold == pytest.approx(0.4)
    expected = model.predict_proba(vectorizer.transform(rows))[:, 1]
    got = np.array([runtime.probability(row) for row in rows])
    assert np.abs(got - expected).max() < 1e-4
    # a feature the model never saw counts for nothing
    assert runtime.probability({**rows[0], "lemma=unseen": 1.0}) == pytest.approx(got[0])


def test_missing_file_disables_filtering(tmp_path: Path) -> None:
    assert load_filter(tmp_path / "absent.json") is None


def test_wrong_format_is_refused() -> None:
    with pytest.raises(ValueError):
        AttributionFilter.from_json({"format": "something-else", "weights": {}, "bias": 0, "threshold": 0})


def _tagged_doc(analyzer: sayso.Analyzer) -> spacy.tokens.Doc:
    return analyzer.nlp(analyzer.nlp.make_doc(TEXT))


def test_keep_drops_records_below_the_threshold(analyzer: sayso.Analyzer) -> None:
    doc = _tagged_doc(analyzer)
    records = doc._.sayso_attributions
    tagged = (doc._.sayso_heads or {}).get("attribution") or []
    features = doc_features(doc, records, tagged)
    assert len(features) == len(records)
    for record, row in zip(records, features, strict=True):
        assert (row is None) == (record.cue is None)
    cued = [r for r in records if r.cue is not None]
    assert cued, [r.cue for r in records]
    keep_all = AttributionFilter({}, bias=5.0, threshold=0.5)
    assert keep_all.keep(doc, records, tagged) == list(records)
    drop_said = AttributionFilter({"lemma=say": -20.0}, bias=5.0, threshold=0.5)
    kept = drop_said.keep(doc, records, tagged)
    said = [r for r in cued if doc.text[r.cue[0] : r.cue[1]].endswith("said")]
    assert said and all(r not in kept for r in said)
    assert all(r in kept for r in records if r not in said)


@pytest.mark.parametrize("enabled", [False, True])
def test_component_works_with_and_without_the_filter(enabled: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    nlp = sayso.Analyzer().nlp
    if enabled:  # a filter that drops nothing still runs the whole hook
        monkeypatch.setattr(
            "sayso.components.attribution.load_filter", lambda: AttributionFilter({}, 5.0, 0.5)
        )
    nlp.replace_pipe("sayso_attribution", "sayso_attribution", config={"filter": enabled})
    doc = nlp(TEXT)
    cues = [doc.text[r.cue[0] : r.cue[1]] for r in doc._.sayso_attributions if r.cue is not None]
    assert any(c.endswith("said") for c in cues) and any(c.endswith("told") for c in cues)


def test_component_without_weights_file_keeps_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    nlp = sayso.Analyzer().nlp
    nlp.replace_pipe("sayso_attribution", "sayso_attribution", config={"filter": False})
    baseline = [(r.cue, r.content) for r in nlp(TEXT)._.sayso_attributions]
    monkeypatch.setattr("sayso.components.attribution.load_filter", lambda: None)
    nlp.replace_pipe("sayso_attribution", "sayso_attribution", config={"filter": True})
    assert [(r.cue, r.content) for r in nlp(TEXT)._.sayso_attributions] == baseline


def test_nested_records_and_their_parents_are_never_dropped(analyzer: sayso.Analyzer) -> None:
    text = (
        "Two harbour unions said on Monday that 400 crane drivers would stop work next week, "
        "the Coastline Courier reports.\n"
    )
    doc = analyzer.nlp(analyzer.nlp.make_doc(text))
    records = doc._.sayso_attributions
    tagged = (doc._.sayso_heads or {}).get("attribution") or []
    nested = [r for r in records if r.parent is not None]
    assert nested, [(r.cue, r.parent) for r in records]
    parents = {r.parent for r in nested}
    drop_all = AttributionFilter({}, bias=-20.0, threshold=0.5)
    kept = drop_all.keep(doc, records, tagged)
    assert [r.id for r in kept] == [r.id for r in records if r.parent is not None or r.id in parents]


def test_kept_records_are_renumbered_with_their_parent_links() -> None:
    from sayso.components._common import AttributionRecord
    from sayso.components.attribution import renumber

    def rec(i: str, parent: str | None = None) -> AttributionRecord:
        return AttributionRecord(
            id=i, kind="indirect", source=None, cue=(0, 1), content=[(2, 3)], parent=parent
        )

    kept = renumber([rec("a2"), rec("a4"), rec("a5", parent="a4")])
    assert [(r.id, r.parent) for r in kept] == [("a1", None), ("a2", None), ("a3", "a2")]


def test_a_filter_that_fails_on_an_odd_doc_keeps_every_record(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(AttributionFilter):
        def keep(self, *args: object, **kwargs: object) -> list[object]:
            raise ValueError("no sentence boundaries")

    nlp = sayso.Analyzer().nlp
    nlp.replace_pipe("sayso_attribution", "sayso_attribution", config={"filter": False})
    baseline = [(r.id, r.cue, r.content) for r in nlp(TEXT)._.sayso_attributions]
    monkeypatch.setattr("sayso.components.attribution.load_filter", lambda: Broken({}, 0.0, 0.5))
    nlp.replace_pipe("sayso_attribution", "sayso_attribution", config={"filter": True})
    assert [(r.id, r.cue, r.content) for r in nlp(TEXT)._.sayso_attributions] == baseline
