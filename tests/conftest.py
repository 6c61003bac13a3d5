"""Shared fixtures: one Analyzer per test session (loading spaCy is the slow part), and the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import sayso
from sayso.settings import data_dir


@pytest.fixture(scope="session")
def analyzer() -> sayso.Analyzer:
    return sayso.Analyzer()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (SAYSO_DATA_DIR); tests that need it are skipped where it is absent."""
    path = data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data folder {path} not found (set SAYSO_DATA_DIR)")
    return path


def assert_offsets_exact(analysis: sayso.Analysis) -> int:
    """Every span in the analysis points at exactly its text; returns how many spans were checked."""
    from sayso.schema import iter_spans

    count = 0
    for span in iter_spans(analysis):
        assert analysis.text[span.start : span.end] == span.text, span
        count += 1
    return count
