"""Quantity extraction on MeasEval (SemEval-2021 Task 8): ``sayso_quantities`` vs. quantulum3.

Run ``python eval/quantities.py`` (``--data-dir DIR``, ``--limit N``, ``--json OUT``, ``--errors N``).
Both systems read the same paragraphs in the same run and go through the same metric.

What is scored, and why
-----------------------
* **Paragraphs**: MeasEval's train and trial parts (``<data>/measeval/{train,trial}/text/*.txt``), the
  held-out test part is not there. Paragraphs without a ``.tsv`` have no quantities: predictions
  there are false positives.
* **Gold quantities**: every ``Quantity`` annotation, one per distinct span (a span annotated in two
  annotation sets counts once, with the measured entities of both).
* **Span P/R/F1 with overlap credit** (``span_*_overlap``): a prediction is right when it overlaps
  some gold quantity; a gold quantity is found when some prediction overlaps it. MeasEval's spans
  follow conventions a news reader need not share (one span for a list "4.5 kg, 6 kg and 13 kg",
  "range of 34–38 °C"), so overlap is the primary score.
* **Exact span P/R/F1** (``span_*_exact``): one-to-one matches whose spans are equal once leading and
  trailing spaces and a trailing ".", "," or ";" are dropped from both (MeasEval includes a
  sentence's full stop in a few spans, "55 K.", and not in most).
* **Counted overlap rate** (``counted_overlap_rate``): for gold quantities found (overlap) that have a
  MeasuredEntity, the fraction whose matched prediction's ``counted`` span overlaps that entity.
  quantulum3 names no counted thing, so it has no rate.
* **Unit agreement** (``unit_agreement``): for found gold quantities whose annotation has a unit,
  the fraction where the predicted unit is the same unit, both read through sayso's unit lexicon
  (:func:`sayso.components.quantities.canonical_unit`: "m s−1" == "m s-1", "per cent" == "%"); an
  unknown unit is compared as written (spaces collapsed). For quantulum3 any of its unit's names,
  symbols or its surface after the number may agree.

sayso runs the base spaCy pipeline plus ``sayso_quantities`` with ``span_includes_counted=False``:
MeasEval marks the number of a count alone ("five" in "five samples"), while sayso's news default
extends a count over its noun ("12 homes"). The exact F1 of the news default is printed too
(``span_f1_exact_news_spans``) so the effect of that convention stays visible.

quantulum3 0.10 ships a pickled scikit-learn classifier for ambiguous units that current
scikit-learn cannot load; the baseline runs with its documented fallback (``USE_CLF = False``),
which is how it runs offline wherever the pickle does not load.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CharSpan = tuple[int, int]
SYSTEMS = ("sayso", "quantulum3")
PARTS = ("train", "trial")


@dataclass
class GoldQuantity:
    span: CharSpan
    text: str
    unit: str | None
    mods: list[str]
    entities: list[CharSpan] = field(default_factory=list)


@dataclass
class MeasDoc:
    name: str
    part: str
    text: str
    gold: list[GoldQuantity]


@dataclass
class Prediction:
    span: CharSpan
    unit_keys: frozenset[str] = frozenset()
    counted: CharSpan | None = None


# ------------------------------------------------------------------------------------------ loading


def measeval_dir(data_dir: Path) -> Path:
    return data_dir / "measeval"


def load_measeval(data_dir: Path, limit: int | None = None) -> list[MeasDoc]:
    """The train + trial paragraphs with their gold quantities (sorted by part and name)."""
    root = measeval_dir(data_dir)
    docs: list[MeasDoc] = []
    for part in PARTS:
        text_dir = root / part / "text"
        if not text_dir.is_dir():
            continue
        for path in sorted(text_dir.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            tsv = root / part / "tsv" / (path.stem + ".tsv")
            docs.append(MeasDoc(path.stem, part, text, _read_gold(tsv, text) if tsv.exists() else []))
    if not docs:
        raise FileNotFoundError(f"no MeasEval paragraphs under {root}")
    return docs[:limit] if limit is not None else docs


def _read_gold(tsv: Path, text: str) -> list[GoldQuantity]:
    sets: dict[str, list[dict[str, str]]] = {}
    with tsv.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            sets.setdefault(row["annotSet"], []).append(row)
    by_span: dict[CharSpan, GoldQuantity] = {}
    for rows in sets.values():
        for row in rows:
            if row["annotType"] != "Quantity":
                continue
            span = (int(row["startOffset"]), int(row["endOffset"]))
            other: dict[str, Any] = json.loads(row["other"]) if row.get("other") else {}
            gold = by_span.get(span)
            if gold is None:
                gold = GoldQuantity(
                    span, text[span[0] : span[1]], other.get("unit"), list(other.get("mods", []))
                )
                by_span[span] = gold
            for r in rows:
                if r["annotType"] == "MeasuredEntity":
                    gold.entities.append((int(r["startOffset"]), int(r["endOffset"])))
    return sorted(by_span.values(), key=lambda g: g.span)


# ------------------------------------------------------------------------------------------ units


def unit_key(unit: str | None) -> str | None:
    """A unit as sayso's lexicon reads it, else as written with spaces collapsed."""
    from sayso.components.quantities import canonical_unit

    if unit is None or not unit.strip():
        return None
    canonical = canonical_unit(unit)
    if canonical is not None:
        return canonical
    return re.sub(r"\s+", " ", unit.strip()).replace("µ", "μ")


# ------------------------------------------------------------------------------------------ systems


def sayso_predict(docs: Sequence[MeasDoc]) -> tuple[list[list[Prediction]], list[list[Prediction]], float]:
    """sayso on each paragraph: MeasEval-convention predictions, news-convention predictions, seconds."""
    import sayso.components.quantities  # noqa: F401  (registers the factory)
    from sayso.components.quantities import find_quantities
    from sayso.pipeline import load_base

    nlp = load_base()
    nlp.add_pipe("sayso_quantities", config={"span_includes_counted": False})
    started = time.perf_counter()
    measeval: list[list[Prediction]] = []
    news: list[list[Prediction]] = []
    for doc in nlp.pipe(d.text for d in docs):
        records = doc._.sayso_quantities or []
        measeval.append(
            [Prediction(r.span, frozenset(k for k in [unit_key(r.unit)] if k), r.counted) for r in records]
        )
        news.append([Prediction(r.span) for r in find_quantities(doc, span_includes_counted=True)])
    return measeval, news, time.perf_counter() - started


def quantulum_version() -> str | None:
    try:
        from importlib.metadata import version

        return version("quantulum3")
    except Exception:
        return None


def quantulum_predict(docs: Sequence[MeasDoc]) -> tuple[list[list[Prediction]], float]:
    """quantulum3 on each paragraph (its classifier off: see the module docstring)."""
    from quantulum3 import classifier, parser  # type: ignore[import-untyped]

    classifier.USE_CLF = False
    started = time.perf_counter()
    out: list[list[Prediction]] = []
    for d in docs:
        preds: list[Prediction] = []
        try:
            quantities = parser.parse(d.text)
        except Exception:
            quantities = []
        for q in quantities:
            start, end = q.span
            surface = d.text[start:end]
            names = [re.sub(r"^[^A-Za-z%°‰μµ$€£¥]*", "", surface), q.unit.name]
            names += list(getattr(q.unit, "surfaces", []) or []) + list(getattr(q.unit, "symbols", []) or [])
            keys = frozenset(k for k in (unit_key(n) for n in names if q.unit.name != "dimensionless") if k)
            preds.append(Prediction((start, end), keys))
        out.append(preds)
    return out, time.perf_counter() - started


# ------------------------------------------------------------------------------------------ metric


def _overlaps(a: CharSpan, b: CharSpan) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _trim(text: str, span: CharSpan) -> CharSpan:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;"):
        end -= 1
    return start, end


def _prf(tp_p: int, n_p: int, tp_g: int, n_g: int) -> tuple[float, float, float]:
    p = tp_p / n_p if n_p else 0.0
    r = tp_g / n_g if n_g else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(
    docs: Sequence[MeasDoc], predictions: Sequence[Sequence[Prediction]], errors: int = 0
) -> tuple[dict[str, float | int | None], list[dict[str, Any]]]:
    """The metrics of one system (see the module docstring) and up to ``errors`` examples of each kind."""
    n_pred = n_gold = pred_hit = gold_hit = exact = 0
    counted_total = counted_hit = unit_total = unit_hit = 0
    has_counted = any(p.counted is not None for preds in predictions for p in preds)
    missed: list[dict[str, Any]] = []
    spurious: list[dict[str, Any]] = []
    for doc, preds in zip(docs, predictions, strict=True):
        n_pred += len(preds)
        n_gold += len(doc.gold)
        for p in preds:
            if any(_overlaps(p.span, g.span) for g in doc.gold):
                pred_hit += 1
            elif len(spurious) < errors:
                spurious.append(
                    {"doc": doc.name, "text": doc.text[p.span[0] : p.span[1]], "context": _ctx(doc, p.span)}
                )
        exact_spans = {_trim(doc.text, p.span) for p in preds}
        for g in doc.gold:
            if _trim(doc.text, g.span) in exact_spans:
                exact += 1
            matches = [p for p in preds if _overlaps(p.span, g.span)]
            if not matches:
                if len(missed) < errors:
                    missed.append({"doc": doc.name, "gold": g.text, "context": _ctx(doc, g.span)})
                continue
            gold_hit += 1
            best = max(matches, key=lambda p: min(p.span[1], g.span[1]) - max(p.span[0], g.span[0]))
            if g.entities:
                counted_total += 1
                if best.counted is not None and any(_overlaps(best.counted, e) for e in g.entities):
                    counted_hit += 1
            gold_unit = unit_key(g.unit)
            if gold_unit is not None:
                unit_total += 1
                if gold_unit in best.unit_keys:
                    unit_hit += 1
    p_o, r_o, f_o = _prf(pred_hit, n_pred, gold_hit, n_gold)
    p_e, r_e, f_e = _prf(exact, n_pred, exact, n_gold)
    metrics: dict[str, float | int | None] = {
        "gold": n_gold,
        "predicted": n_pred,
        "span_precision_overlap": round(p_o, 4),
        "span_recall_overlap": round(r_o, 4),
        "span_f1_overlap": round(f_o, 4),
        "span_precision_exact": round(p_e, 4),
        "span_recall_exact": round(r_e, 4),
        "span_f1_exact": round(f_e, 4),
        "counted_overlap_rate": round(counted_hit / counted_total, 4)
        if has_counted and counted_total
        else None,
        "counted_scored": counted_total,
        "unit_agreement": round(unit_hit / unit_total, 4) if unit_total else None,
        "unit_scored": unit_total,
    }
    examples = [{"kind": "missed", **m} for m in missed] + [{"kind": "spurious", **s} for s in spurious]
    return metrics, examples


def _ctx(doc: MeasDoc, span: CharSpan, width: int = 50) -> str:
    a, b = span
    return (doc.text[max(0, a - width) : a] + "[[" + doc.text[a:b] + "]]" + doc.text[b : b + width]).replace(
        "\n", " "
    )


# ------------------------------------------------------------------------------------------ running


def evaluate(
    data_dir: Path | None = None,
    limit: int | None = None,
    systems: Iterable[str] = SYSTEMS,
    errors: int = 0,
) -> dict[str, Any]:
    """Score ``systems`` on MeasEval train + trial; returns ``{"data": ..., "systems": {name: {...}}}``
    where each system has a flat ``metrics`` dict (``span_f1_overlap``, ``span_f1_exact``,
    ``counted_overlap_rate``, ``unit_agreement``, ...)."""
    from sayso.settings import data_dir as default_data_dir

    docs = load_measeval(data_dir or default_data_dir(), limit)
    result: dict[str, Any] = {
        "data": {
            "dataset": "MeasEval (train + trial)",
            "paragraphs": len(docs),
            "gold_quantities": sum(len(d.gold) for d in docs),
        },
        "systems": {},
    }
    runners: dict[str, Callable[[], dict[str, Any]]] = {}

    def run_sayso() -> dict[str, Any]:
        preds, news, seconds = sayso_predict(docs)
        metrics, examples = score(docs, preds, errors)
        news_metrics, _ = score(docs, news)
        metrics["span_f1_exact_news_spans"] = news_metrics["span_f1_exact"]
        metrics["span_f1_overlap_news_spans"] = news_metrics["span_f1_overlap"]
        return {"metrics": metrics, "seconds": round(seconds, 2), "errors": examples}

    def run_quantulum() -> dict[str, Any]:
        preds, seconds = quantulum_predict(docs)
        metrics, examples = score(docs, preds, errors)
        return {
            "metrics": metrics,
            "seconds": round(seconds, 2),
            "version": quantulum_version(),
            "errors": examples,
        }

    runners["sayso"] = run_sayso
    runners["quantulum3"] = run_quantulum
    for name in systems:
        if name not in runners:
            raise ValueError(f"unknown system {name!r} (choose from {', '.join(runners)})")
        result["systems"][name] = runners[name]()
    return result


_COLUMNS = (
    ("span_f1_overlap", "F1 ovl"),
    ("span_precision_overlap", "P ovl"),
    ("span_recall_overlap", "R ovl"),
    ("span_f1_exact", "F1 exact"),
    ("counted_overlap_rate", "counted"),
    ("unit_agreement", "unit"),
    ("predicted", "pred"),
)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else format(value, ".3f")


def format_table(result: dict[str, Any]) -> str:
    data = result["data"]
    lines = [
        f"{data['dataset']}: {data['paragraphs']} paragraphs, {data['gold_quantities']} gold quantities",
        f"{'system':<18}" + "".join(f"{title:>10}" for _, title in _COLUMNS) + f"{'seconds':>10}",
    ]
    for name, s in result["systems"].items():
        m = s["metrics"]
        cells = "".join(f"{_cell(m.get(key)):>10}" for key, _ in _COLUMNS)
        label = name + (f" {s['version']}" if s.get("version") else "")
        lines.append(f"{label:<18}{cells}{s['seconds']:>10}")
    if "sayso" in result["systems"]:
        m = result["systems"]["sayso"]["metrics"]
        lines.append(
            f"sayso with news spans (a count's span covers its noun): F1 ovl "
            f"{m['span_f1_overlap_news_spans']:.3f}, F1 exact {m['span_f1_exact_news_spans']:.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, default=None, help="shared datasets folder (SAYSO_DATA_DIR)")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated: sayso, quantulum3")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N paragraphs")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write the numbers as JSON")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="print N misses and N false hits")
    args = parser.parse_args(argv)
    systems = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    try:
        result = evaluate(args.data_dir, args.limit, systems, args.errors)
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    print(format_table(result))
    for name, s in result["systems"].items():
        for error in s.pop("errors", []):
            print(name, json.dumps(error, ensure_ascii=False), sep="\t", file=sys.stderr)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
