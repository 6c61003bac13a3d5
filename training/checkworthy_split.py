"""The check-worthiness sentences of ``train_heads.py`` and its held-out slice, without torch.

``train_heads.load_all`` draws, from one ``numpy`` generator seeded with ``--seed``: the PTC technique
split's permutation, one draw per CLEF non-dev negative (:func:`checkworthy_sentences`), then the
permutation of the pooled ClaimBuster + CLEF sentences whose first 10% are held out. The encoder never
trains on that slice, so ``calibrate_checkworthy.py`` (the head's logit offset) and
``train_checkworthy_lexical.py`` (the lexical model and the blend) both fit on it; :func:`held_out_slice`
replays the draws once for both. Only the standard library and numpy are imported here, so the lexical
script runs in the runtime venv.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
_base = Path(os.environ.get("SAYSO_DATA_DIR", "../shared/data"))
DATA = _base if _base.is_absolute() else (REPO / _base).resolve()
#: ``train_heads.py``'s held-out fraction of the pooled check-worthiness sentences.
HELD_OUT_FRACTION = 0.1


def load_eval_module(name: str) -> ModuleType:
    """``eval/<name>.py`` loaded from its file (the split and metric functions)."""
    key = f"sayso_eval_{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, REPO / "eval" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


def checkworthy_sentences(
    rng: np.random.Generator, clef_neg_keep: float, use_clef: bool = True, data: Path = DATA
) -> tuple[list[Any], list[Any]]:
    """(ClaimBuster non-dev sentences, kept CLEF non-dev sentences). Draws from ``rng`` (one draw per CLEF
    negative), so every replay of ``train_heads``' split must call this, in the same place."""
    claims = load_eval_module("claims")
    cb = claims.load_claimbuster(data)
    cb_dev = claims.claimbuster_dev_ids(cb)
    cb_train = [s for s in cb if s.id not in cb_dev]
    if not use_clef:
        return cb_train, []
    debates = claims.load_clef(data)
    dev_names = set(claims.clef_dev_files(data))
    clef_train = [s for n, rows in debates.items() if n not in dev_names for s in rows]
    return cb_train, [s for s in clef_train if s.label == 1 or rng.random() < clef_neg_keep]


def held_out_slice(
    seed: int, clef_neg_keep: float, use_clef: bool = True, data: Path = DATA
) -> tuple[list[Any], list[Any], list[int]]:
    """(ClaimBuster sentences, kept CLEF sentences, held-out positions in their concatenation).

    The positions come in ``train_heads``' permutation order; a position below ``len(cb_train)`` is a
    ClaimBuster sentence. ``sentence_items`` keeps every sentence, so positions in the sentence list are
    positions in ``train_heads``' items.
    """
    rng = np.random.default_rng(seed)
    rng.permutation(len(load_eval_module("techniques").train_article_ids(data)))  # the PTC split draws first
    cb_train, clef_kept = checkworthy_sentences(rng, clef_neg_keep, use_clef, data)
    order = rng.permutation(len(cb_train) + len(clef_kept))
    n_held = max(1, round(HELD_OUT_FRACTION * len(order)))
    return cb_train, clef_kept, [int(i) for i in order[:n_held]]
