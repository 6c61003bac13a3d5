"""Quality gates: the scorers in eval/ run on the shared data and fail below the floors in eval/floors.json.

(The entity layer's gate, +0.05 F1 on MEANTIME, is the data test in tests/test_entities.py.)
Floors sit just under the figures reached (README's numbers table), so a change that loses quality
fails CI instead of slipping in. They run where ../shared/data (SAYSO_DATA_DIR) exists, as in CI.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

import sayso

ROOT = Path(__file__).resolve().parents[1]
FLOORS = json.loads((ROOT / "eval" / "floors.json").read_text(encoding="utf-8"))


def _script(name: str) -> ModuleType:
    path = ROOT / "eval" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"eval_{name}_gate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.data
def test_attribution_floors_on_polnear_dev(analyzer: sayso.Analyzer, shared_data: Path) -> None:
    result = _script("attribution").evaluate(
        split="dev", systems=("sayso",), data_dir=shared_data, analyzer=analyzer
    )
    metrics = result["systems"]["sayso"]["metrics"]
    assert result["systems"]["sayso"]["crashes"] == 0
    below = {
        name: (metrics[name], floor) for name, floor in FLOORS["attribution"].items() if metrics[name] < floor
    }
    assert not below, f"attribution below its floors (value, floor): {below}"


@pytest.mark.data
def test_technique_floors_on_ptc_dev(analyzer: sayso.Analyzer, shared_data: Path) -> None:
    result = _script("techniques").evaluate(data_dir=shared_data, systems=("sayso",), analyzer=analyzer)
    system = result["systems"]["sayso"]
    assert system["skipped_articles"] == 0
    metrics = {**system["metrics"], "tc_end_to_end_micro_f1": system["tc_end_to_end_micro_f1"]}
    below = {
        name: (metrics[name], floor) for name, floor in FLOORS["techniques"].items() if metrics[name] < floor
    }
    assert not below, f"techniques below their floors (value, floor): {below}"


@pytest.mark.data
def test_claim_floors_on_claimbuster_and_clef_dev(shared_data: Path) -> None:
    # its own analyzer: the scorer lowers the claims threshold to 0 on the analyzer it uses
    result = _script("claims").evaluate(data_dir=shared_data, systems=("sayso",), analyzer=sayso.Analyzer())
    metrics = result["systems"]["sayso"]["metrics"]
    below = {
        name: (metrics[name], floor) for name, floor in FLOORS["claims"].items() if metrics[name] < floor
    }
    assert not below, f"claims below their floors (value, floor): {below}"
