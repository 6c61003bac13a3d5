"""MEANTIME reading shared by the entity and event scorers: file list without held-out docs, text rebuilt
from tokens with each token's character span.

MEANTIME ships tokens, not text, so every scorer must rebuild the same text the same way; one module keeps
them in step.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path

CharSpan = tuple[int, int]
ANNOTATED_SENTENCES = 6  # MEANTIME annotates sentences 0..5 fully

_NO_SPACE_BEFORE = frozenset(
    {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "n't", "''", "'", "”", "’", "'re", "'ve"}
    | {"'m", "'ll", "'d", "..."}
)
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "``", "“", "US$", "CA$", "#", "£", "€"})
_QUOTES = {"``": "“", "''": "”"}


def meantime_files(data_dir: Path) -> list[Path]:
    """The MEANTIME XML files under ``data_dir/meantime_en``, minus any held-out name."""
    root = data_dir / "meantime_en"
    heldout_file = root / "heldout_docs.txt"
    heldout = set()
    if heldout_file.exists():
        heldout = {Path(line.strip()).stem for line in heldout_file.read_text().splitlines() if line.strip()}
    pattern = str(root / "intra_cross-doc_annotation" / "corpus_*" / "*.xml")
    return [Path(p) for p in sorted(glob.glob(pattern)) if Path(p).stem not in heldout]


def rebuild_text(tokens: Sequence[tuple[str, int, str]]) -> tuple[str, dict[str, CharSpan]]:
    """Detokenise (t_id, sentence, text) triples; return the text and each token's character span."""
    parts: list[str] = []
    spans: dict[str, CharSpan] = {}
    pos = 0
    previous: tuple[int, str] | None = None
    for t_id, sentence, raw in tokens:
        text = _QUOTES.get(raw, raw)
        if previous is None:
            sep = ""
        elif sentence != previous[0]:
            sep = "\n\n" if sentence <= 2 else " "
        elif raw in _NO_SPACE_BEFORE or text in _NO_SPACE_BEFORE or previous[1] in _NO_SPACE_AFTER:
            sep = ""
        else:
            sep = " "
        parts.append(sep)
        pos += len(sep)
        spans[t_id] = (pos, pos + len(text))
        parts.append(text)
        pos += len(text)
        previous = (sentence, raw)
    return "".join(parts), spans
