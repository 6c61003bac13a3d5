"""eval/techniques.py: the SemEval-2020 Task 11 SI and TC metrics, the dev split and the TC mapping.

No PTC text is used here (research-only licence): every article and span below is made up, and the
expected scores are computed by hand from the official formulas (see the scorer's module docstring).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

EVAL_FILE = Path(__file__).resolve().parents[1] / "eval" / "techniques.py"


@pytest.fixture(scope="module")
def et() -> ModuleType:
    """eval/ is a folder of scripts, not a package: load the scorer by path."""
    spec = importlib.util.spec_from_file_location("sayso_eval_techniques", EVAL_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_si_partial_overlap(et: ModuleType) -> None:
    # |s ∩ t| = 5: P = 5/10, R = 5/10.
    got = et.si_scores({"a": [(5, 15)]}, {"a": [(0, 10)]})
    assert got["p"] == pytest.approx(0.5)
    assert got["r"] == pytest.approx(0.5)
    assert got["f1"] == pytest.approx(0.5)


def test_si_sums_over_all_pairs(et: ModuleType) -> None:
    # One prediction over two gold spans: P = (4/10 + 4/10) / 1, R = (4/4 + 4/4) / 2.
    got = et.si_scores({"a": [(0, 10)]}, {"a": [(0, 4), (6, 10)]})
    assert got["p"] == pytest.approx(0.8)
    assert got["r"] == pytest.approx(1.0)
    assert got["f1"] == pytest.approx(2 * 0.8 / 1.8)


def test_si_merges_overlapping_but_not_touching_spans(et: ModuleType) -> None:
    overlapping = et.si_scores({"a": [(0, 6), (4, 10)]}, {"a": [(0, 4), (6, 10)]})
    assert overlapping["predicted_spans"] == 1
    assert overlapping["p"] == pytest.approx(0.8)
    # Touching predictions stay two spans: P = (5/5 + 5/5) / 2, R = (5/10 + 5/10) / 1.
    touching = et.si_scores({"a": [(0, 5), (5, 10)]}, {"a": [(0, 10)]})
    assert touching["predicted_spans"] == 2
    assert touching["f1"] == pytest.approx(1.0)
    # Gold is merged too.
    assert et.si_scores({}, {"a": [(0, 5), (3, 9), (9, 12)]})["gold_spans"] == 2


def test_si_across_articles_and_empty_cases(et: ModuleType) -> None:
    # P = (5/5) / 1; R = (5/10) / 2 (article b's gold span is missed).
    got = et.si_scores({"a": [(0, 5)]}, {"a": [(0, 10)], "b": [(0, 4)]})
    assert got["p"] == pytest.approx(1.0)
    assert got["r"] == pytest.approx(0.25)
    assert got["f1"] == pytest.approx(0.4)
    assert et.si_scores({"a": []}, {"a": [(0, 4)]})["f1"] == 0.0  # a silent system scores 0
    assert et.si_scores({"a": [(0, 4)]}, {"a": [(5, 9)]})["f1"] == 0.0  # disjoint
    assert et.si_scores({}, {})["f1"] == 1.0  # the official convention for 0/0
    assert et.merge_overlapping([(3, 3), (4, 2)]) == []  # empty spans are dropped


def test_span_density_merges_first(et: ModuleType) -> None:
    # Article a: (0, 10) and (5, 20) merge into one 20-character span; b: one 4-character span; 2,000
    # characters in all -> 2 spans, 1.0 per 1,000 characters, mean 12 characters. Unknown ids are ignored.
    got = et.span_density(
        {"a": [(0, 10), (5, 20)], "b": [(0, 4)], "z": [(0, 99)]}, {"a": 1500, "b": 500}, "x"
    )
    assert got == {"x_per_1k_chars": pytest.approx(1.0), "x_mean_chars": pytest.approx(12.0)}
    assert et.span_density({}, {}, "x") == {"x_per_1k_chars": 0.0, "x_mean_chars": 0.0}


def test_si_f1_interval_resamples_articles(et: ModuleType) -> None:
    # Every article right: every resample scores 1, so the interval is a point.
    gold = {"a": [(0, 10)], "b": [(20, 30)], "c": [(5, 9)]}
    assert et.si_f1_interval(gold, gold, resamples=200) == (1.0, 1.0)
    # One article right, one wrong, one half right: the interval is wide and holds the point estimate,
    # and the same seed gives the same interval.
    predicted = {"a": [(0, 10)], "b": [(40, 50)], "c": [(5, 7)]}
    point = et.si_scores(predicted, gold)["f1"]
    lo, hi = et.si_f1_interval(predicted, gold, resamples=500)
    assert lo < point < hi
    assert 0.0 <= lo < 0.5 < hi <= 1.0
    assert et.si_f1_interval(predicted, gold, resamples=500) == (lo, hi)
    assert et.si_f1_interval({}, {}) == (0.0, 0.0)


def test_tc_micro_f1_aligns_rows_of_one_span(et: ModuleType) -> None:
    gold = [("a", 0, 5, "loaded_language"), ("a", 0, 5, "doubt"), ("a", 7, 9, "slogans")]
    pred = [("a", 0, 5, "repetition"), ("a", 0, 5, "loaded_language"), ("a", 7, 9, "slogans")]
    got = et.tc_scores(pred, gold)
    assert got["correct"] == 2
    assert got["micro_f1"] == pytest.approx(2 / 3)
    assert got["per_technique"]["slogans"]["f1"] == pytest.approx(1.0)
    assert got["per_technique"]["doubt"]["f1"] == 0.0
    # Unanswered gold rows are misses: P = 1/1, R = 1/3.
    partial = et.tc_scores([("a", 7, 9, "slogans")], gold)
    assert partial["p"] == pytest.approx(1.0)
    assert partial["r"] == pytest.approx(1 / 3)
    assert partial["micro_f1"] == pytest.approx(0.5)
    assert et.tc_scores([], gold)["micro_f1"] == 0.0
    # A label on another span does not count.
    assert et.tc_scores([("a", 0, 6, "doubt")], gold)["correct"] == 0


def test_technique_names(et: ModuleType) -> None:
    assert len(et.TECHNIQUES) == 14
    assert et.snake_case("Name_Calling,Labeling") == "name_calling_labeling"
    assert et.snake_case("Appeal_to_fear-prejudice") == "appeal_to_fear_prejudice"
    assert et.TECHNIQUES["whataboutism_straw_men_red_herring"] == "Whataboutism,Straw_Men,Red_Herring"


def test_tc_from_spans_prefers_best_overlap(et: ModuleType) -> None:
    spans = {
        "a": [(0, 20, "doubt", 0.9), (2, 8, "slogans", 0.4), (2, 8, "repetition", 0.6), (30, 40, "x", 1.0)]
    }
    # Fragment 2-8: the exact spans win (Jaccard 1), repetition first by score; 2 rows -> 2 techniques.
    assert et.tc_from_spans([("a", 2, 8, 2)], spans) == [("a", 2, 8, "repetition"), ("a", 2, 8, "slogans")]
    assert et.tc_from_spans([("a", 21, 25, 1)], spans) == []  # nothing overlaps: no answer


def _write_ptc(root: Path, ids: list[int], heldout: list[int]) -> None:
    base = root / "ptc_semeval2020_task11"
    (base / "train" / "articles").mkdir(parents=True)
    (base / "train" / "labels-si").mkdir()
    (base / "train" / "labels-tc").mkdir()
    (base / "heldout_article_ids.txt").write_text("".join(f"{i}\n" for i in heldout), encoding="utf-8")
    for i in ids:
        text = f"Title {i}\n\nThe awful plan failed.\nIt rained on day {i}.\n"
        (base / "train" / "articles" / f"article{i}.txt").write_text(text, encoding="utf-8")
        (base / "train" / "labels-si" / f"article{i}.task1-SI.labels").write_text(
            f"{i}\t15\t20\n", encoding="utf-8"
        )
        (base / "train" / "labels-tc" / f"article{i}.task2-TC.labels").write_text(
            f"{i}\tLoaded_Language\t15\t20\n{i}\tDoubt\t15\t20\n", encoding="utf-8"
        )


def test_dev_split_and_loading(et: ModuleType, tmp_path: Path) -> None:
    ids = list(range(100, 112))  # 12 articles, 2 held out -> 10 labelled, dev = positions 5 and 10
    _write_ptc(tmp_path, ids, heldout=[100, 105])
    labelled = [str(i) for i in ids if i not in (100, 105)]
    assert et.dev_article_ids(tmp_path) == [labelled[4], labelled[9]]
    assert set(et.train_article_ids(tmp_path)) == set(labelled) - {labelled[4], labelled[9]}
    (article,) = et.load_articles([labelled[0]], tmp_path)
    assert article.text[15:20] == "awful"
    assert article.tc == [("loaded_language", 15, 20), ("doubt", 15, 20)]
    assert et.sentence_spans(article.text) == [(0, 9), (11, 33), (34, 55)]


def test_evaluate_majority_baseline(et: ModuleType, tmp_path: Path) -> None:
    _write_ptc(tmp_path, list(range(100, 110)), heldout=[])
    result = et.evaluate(tmp_path, systems=("baseline_loaded_language",))
    metrics = result["systems"]["baseline_loaded_language"]["metrics"]
    assert result["dev_articles"] == 2
    assert metrics["tc_micro_f1"] == pytest.approx(0.5)  # one of the two rows per fragment
    assert "si_f1" not in metrics  # a TC-only system has no SI score
    with pytest.raises(ValueError):
        et.evaluate(tmp_path, systems=("nope",))
