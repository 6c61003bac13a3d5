"""TIMEX3 recognition and normalisation on TempEval-3 (TBAQ-cleaned): sayso vs. dateparser, one scorer.

Run ``python eval/timex.py`` (``--data-dir DIR``, ``--limit N``, ``--systems sayso,dateparser``,
``--json OUT``, ``--errors N``). ``evaluate()`` returns the same numbers as a dict, for the README table
and the CI floor.

What is scored, and why
-----------------------
* **Gold**: the TimeML files of TempEval-3's training corpus, ``<data>/tempeval3/TBAQ-cleaned/{TimeBank,
  AQUAINT}/*.tml`` (256 documents). The text is the content of ``<TEXT>`` with its inline tags removed and
  XML entities decoded; each inline ``TIMEX3`` is a gold span with its ``type`` and ``value``. The
  document creation time (the ``TIMEX3`` inside ``<DCT>``) is not scored, as in TempEval-3; its date is
  what the systems anchor relative expressions to (sayso's ``published``, dateparser's
  ``RELATIVE_BASE``). The held-out TempEval-3 test set (te3-platinum) is not in the data folder.
* **Matching**, as TempEval-3's official ``evaluate_entities.py``: a *strict* match has exactly the gold
  extent; a *relaxed* match overlaps it. Pairs are one-to-one (largest overlap first), so one long
  prediction covering two gold expressions matches one of them.
  strict/relaxed P = matches / predicted, R = matches / gold, F1 their harmonic mean.
* **Attributes**, as that scorer defines them: over the relaxed-matched pairs,
  ``type_accuracy`` = pairs with the gold type / matched pairs, ``value_accuracy`` likewise with the value
  string compared for equality, and the *attribute F1* is the accuracy times the relaxed F1:
  ``value_f1 = value_accuracy * relaxed_f1`` (TempEval-3's headline "value F1"; HeidelTime reached
  77.6 on the test set), ``type_f1`` likewise. ``value_precision``/``value_recall`` are the accuracy
  times relaxed P and R. A predicted value of ``None`` never equals a gold value.
* **Systems**: ``sayso`` is the small spaCy model plus ``sayso_dateline`` and ``sayso_timex``, with
  ``published`` set to the DCT date. A range ("from May 12 through May 15, 2024") is one sayso time with
  an interval value and its two ends as ``parts``; TimeML tags the ends separately, so the ends are
  scored (:func:`as_timeml`). ``dateparser`` is ``dateparser.search.search_dates`` (English,
  ``RELATIVE_BASE`` = the DCT) mapped to TIMEX3 as a user of it would: each found substring is one
  expression, located in the text after the previous one; its value is the returned datetime at the
  granularity dateparser itself reports for that substring (``DateDataParser.get_date_data().period``:
  ``YYYY``, ``YYYY-MM``, ``YYYY-Www`` or ``YYYY-MM-DD``), or date and clock time (``TIME``,
  ``YYYY-MM-DDTHH:MM``) when the substring shows a clock time; dateparser has no durations or sets, so
  every other expression is a ``DATE``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from sayso.settings import data_dir as default_data_dir

SUBSETS = ("TimeBank", "AQUAINT")
_TAG = re.compile(r"<(/?)(\w+)([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_DCT = re.compile(r"<DCT>.*?value=\"(\d{4}-\d\d-\d\d)", re.S)
_BODY = re.compile(r"<TEXT>(.*?)</TEXT>", re.S)
_CLOCK = re.compile(r"\d(?::\d\d|\s*[ap]\.?m\b)|\b(?:noon|midnight)\b", re.I)

Timex = tuple[int, int, str, str | None]
"""(start, end, type, value): one time expression, offsets into the document text."""


@dataclass
class TmlDoc:
    """One TimeML document: its text, creation date and gold TIMEX3s."""

    name: str
    text: str
    dct: dt.date
    gold: list[Timex] = field(default_factory=list)


def load_tml(path: Path) -> TmlDoc:
    """Read one ``.tml`` file: the ``<TEXT>`` content with tags removed, and its inline TIMEX3s."""
    raw = path.read_text(encoding="utf-8")
    dct_match, body_match = _DCT.search(raw), _BODY.search(raw)
    if dct_match is None or body_match is None:
        raise ValueError(f"{path}: no DCT or TEXT")
    body = body_match.group(1)
    pieces: list[str] = []
    length = 0
    gold: list[Timex] = []
    open_tag: tuple[int, dict[str, str]] | None = None
    position = 0
    for tag in _TAG.finditer(body):
        piece = html.unescape(body[position : tag.start()])
        pieces.append(piece)
        length += len(piece)
        position = tag.end()
        if tag.group(2) != "TIMEX3":
            continue
        if tag.group(1) == "":
            open_tag = (length, dict(_ATTR.findall(tag.group(3))))
        elif open_tag is not None:
            start, attrs = open_tag
            gold.append((start, length, attrs.get("type", ""), attrs.get("value")))
            open_tag = None
    pieces.append(html.unescape(body[position:]))
    return TmlDoc(path.stem, "".join(pieces), dt.date.fromisoformat(dct_match.group(1)), gold)


def tml_files(data_dir: Path) -> list[Path]:
    root = data_dir / "tempeval3" / "TBAQ-cleaned"
    return sorted(p for subset in SUBSETS for p in (root / subset).glob("*.tml"))


# ------------------------------------------------------------------------------------------ systems


def build_sayso() -> Language:
    """The small spaCy model with the dateline and TIMEX components (not yet in the default pipeline)."""
    import sayso.components.timex  # noqa: F401  (registers the factory)
    from sayso.pipeline import load_base

    nlp = load_base()
    nlp.add_pipe("sayso_dateline")
    nlp.add_pipe("sayso_timex")
    return nlp


def run_sayso(docs: Sequence[TmlDoc], nlp: Language | None = None) -> list[list[Timex]]:
    nlp = nlp or build_sayso()
    made = []
    for d in docs:
        doc = nlp.make_doc(d.text)
        doc._.sayso_published = d.dct
        made.append(doc)
    return [as_timeml(doc._.sayso_times or []) for doc in nlp.pipe(made, batch_size=16)]


def as_timeml(records: Sequence[Any]) -> list[Timex]:
    """sayso's times as TimeML annotates them: a range's two ends are two TIMEX3s.

    sayso gives "from May 12 through May 15, 2024" one ISO interval *and* its two ends (``parts``);
    TimeML has no interval values and tags each end, so the ends are what is scored.
    """
    out: list[Timex] = []
    for t in records:
        if t.parts:
            out.extend((int(a), int(b), t.type, str(v)) for a, b, v in t.parts)
        else:
            out.append((t.span[0], t.span[1], t.type, t.value))
    return out


def run_dateparser(docs: Sequence[TmlDoc]) -> list[list[Timex]]:
    from dateparser.date import DateDataParser  # type: ignore[import-untyped]
    from dateparser.search import search_dates  # type: ignore[import-untyped]

    out: list[list[Timex]] = []
    for d in docs:
        base = dt.datetime(d.dct.year, d.dct.month, d.dct.day)
        settings = {"RELATIVE_BASE": base}
        try:
            found = search_dates(d.text, languages=["en"], settings=settings) or []
        except Exception:  # a crash loses the document's expressions, as for any system
            found = []
        periods = DateDataParser(languages=["en"], settings=settings)
        predictions: list[Timex] = []
        cursor = 0
        for substring, when in found:
            start = d.text.find(substring, cursor)
            if start < 0:
                start = d.text.find(substring)
                if start < 0:
                    continue
            end = start + len(substring)
            cursor = end
            try:
                period = periods.get_date_data(substring).period or "day"
            except Exception:
                period = "day"
            predictions.append((start, end, *_dateparser_value(substring, when, period)))
        out.append(predictions)
    return out


def _dateparser_value(substring: str, when: dt.datetime, period: str) -> tuple[str, str]:
    """TIMEX3 type and value of a dateparser result at the granularity dateparser reports."""
    if _CLOCK.search(substring):
        return "TIME", when.strftime("%Y-%m-%dT%H:%M")
    if period == "year":
        return "DATE", f"{when.year:04d}"
    if period == "month":
        return "DATE", f"{when.year:04d}-{when.month:02d}"
    if period == "week":
        year, week, _ = when.isocalendar()
        return "DATE", f"{year:04d}-W{week:02d}"
    return "DATE", when.date().isoformat()


# ------------------------------------------------------------------------------------------ scoring


@dataclass
class Counts:
    """Running totals for one system."""

    gold: int = 0
    predicted: int = 0
    strict: int = 0
    relaxed: int = 0
    type_ok: int = 0
    value_ok: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, doc: TmlDoc, predicted: Iterable[Timex]) -> None:
        gold = sorted(doc.gold)
        pred = sorted(predicted)
        self.gold += len(gold)
        self.predicted += len(pred)
        pairs = []
        for gi, g in enumerate(gold):
            for pi, p in enumerate(pred):
                overlap = min(g[1], p[1]) - max(g[0], p[0])
                if overlap > 0:
                    pairs.append((-overlap, gi, pi))
        pairs.sort()
        gold_used: dict[int, int] = {}
        pred_used: set[int] = set()
        for _, gi, pi in pairs:
            if gi in gold_used or pi in pred_used:
                continue
            gold_used[gi] = pi
            pred_used.add(pi)
        text = doc.text
        for gi, g in enumerate(gold):
            pi = gold_used.get(gi, -1)
            if pi < 0:
                self.errors.append(
                    {"doc": doc.name, "kind": "missed", "gold": _show(text, g), "dct": str(doc.dct)}
                )
                continue
            p = pred[pi]
            self.relaxed += 1
            self.strict += (g[0], g[1]) == (p[0], p[1])
            self.type_ok += g[2] == p[2]
            self.value_ok += p[3] is not None and g[3] == p[3]
            if g[3] != p[3] or g[2] != p[2]:
                self.errors.append(
                    {
                        "doc": doc.name,
                        "kind": "value",
                        "gold": _show(text, g),
                        "pred": _show(text, p),
                        "dct": str(doc.dct),
                    }
                )
        for pi, p in enumerate(pred):
            if pi not in pred_used:
                self.errors.append(
                    {"doc": doc.name, "kind": "spurious", "pred": _show(text, p), "dct": str(doc.dct)}
                )

    def metrics(self) -> dict[str, float | int]:
        def prf(hits: int) -> tuple[float, float, float]:
            p = hits / self.predicted if self.predicted else 0.0
            r = hits / self.gold if self.gold else 0.0
            return p, r, (2 * p * r / (p + r) if p + r else 0.0)

        sp, sr, sf = prf(self.strict)
        rp, rr, rf = prf(self.relaxed)
        type_acc = self.type_ok / self.relaxed if self.relaxed else 0.0
        value_acc = self.value_ok / self.relaxed if self.relaxed else 0.0
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "strict_precision": sp,
            "strict_recall": sr,
            "strict_f1": sf,
            "relaxed_precision": rp,
            "relaxed_recall": rr,
            "relaxed_f1": rf,
            "type_accuracy": type_acc,
            "type_f1": type_acc * rf,
            "value_accuracy": value_acc,
            "value_precision": value_acc * rp,
            "value_recall": value_acc * rr,
            "value_f1": value_acc * rf,
        }


def _show(text: str, t: Timex) -> str:
    return f"{text[t[0] : t[1]]!r} {t[2]} {t[3]}"


RUNNERS = {"sayso": run_sayso, "dateparser": run_dateparser}


def evaluate(
    data_dir: Path | str | None = None,
    limit: int | None = None,
    systems: Sequence[str] = ("sayso", "dateparser"),
) -> dict[str, Any]:
    """Score each system on TBAQ-cleaned.

    Returns ``{"docs": n, "systems": {name: {"metrics": {...}, "seconds": s, "errors": [...]}}}``; ``metrics``
    is flat (``strict_f1``, ``relaxed_f1``, ``type_accuracy``, ``value_f1``, ...).
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    files = tml_files(root)
    if not files:
        raise FileNotFoundError(f"no TempEval-3 .tml files under {root / 'tempeval3' / 'TBAQ-cleaned'}")
    docs = [load_tml(p) for p in files[: limit or None]]
    result: dict[str, Any] = {"docs": len(docs), "systems": {}}
    for name in systems:
        started = time.perf_counter()
        predictions = RUNNERS[name](docs)
        seconds = time.perf_counter() - started
        counts = Counts()
        for doc, predicted in zip(docs, predictions, strict=True):
            counts.add(doc, predicted)
        result["systems"][name] = {"metrics": counts.metrics(), "seconds": seconds, "errors": counts.errors}
    return result


def _format(result: dict[str, Any]) -> str:
    columns = [
        ("strict_f1", "strict F1"),
        ("relaxed_precision", "rel P"),
        ("relaxed_recall", "rel R"),
        ("relaxed_f1", "relaxed F1"),
        ("type_accuracy", "type acc"),
        ("value_accuracy", "value acc"),
        ("value_f1", "value F1"),
    ]
    lines = [f"TempEval-3 TBAQ-cleaned, {result['docs']} documents (TIMEX3 in TEXT, DCT excluded)"]
    lines.append(f"{'system':<12}" + "".join(f"{label:>12}" for _, label in columns) + f"{'seconds':>10}")
    for name, entry in result["systems"].items():
        m = entry["metrics"]
        lines.append(
            f"{name:<12}" + "".join(f"{m[key]:>12.3f}" for key, _ in columns) + f"{entry['seconds']:>10.1f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="shared data folder (default SAYSO_DATA_DIR)"
    )
    parser.add_argument("--limit", type=int, default=None, help="score only the first N documents")
    parser.add_argument("--systems", default="sayso,dateparser", help="comma-separated: sayso,dateparser")
    parser.add_argument("--json", type=Path, default=None, help="write the metrics (and errors) as JSON here")
    parser.add_argument("--errors", type=int, default=0, help="print the first N errors of each system")
    args = parser.parse_args(argv)
    systems = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    unknown = [s for s in systems if s not in RUNNERS]
    if unknown:
        parser.error(f"unknown system(s): {', '.join(unknown)}")
    result = evaluate(args.data_dir, args.limit, systems)
    print(_format(result))
    if args.errors:
        for name, entry in result["systems"].items():
            print(f"\n{name}: first {args.errors} of {len(entry['errors'])} errors")
            for error in entry["errors"][: args.errors]:
                print("  " + " | ".join(f"{k}={v}" for k, v in error.items()))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
