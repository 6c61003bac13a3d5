"""Server-side views of an Analysis for the web pages: highlighted segments, the source-chain diagram, the
attribution tree and the comparison chart.

Everything here is computed from character offsets and returned as plain data; the templates turn it into
HTML with Jinja's autoescaping. No function here builds markup, so article text can never become markup:
overlapping spans (a quote inside a quote, a figure inside a quote) are handled by cutting the text at
every span boundary into segments that each carry the set of layers covering them, never by nesting tags.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sayso.compare import FigureGroup, FigureSource
from sayso.schema import Analysis, Attribution

#: The highlight layers, in legend order, with the label the legend shows.
LAYERS: tuple[tuple[str, str], ...] = (
    ("source", "Source (who)"),
    ("cue", "Cue (says, told, according to)"),
    ("content", "Content (what is said)"),
    ("figure", "Figure"),
    ("time", "Time"),
    ("technique", "Technique"),
)
LAYER_NAMES: tuple[str, ...] = tuple(name for name, _ in LAYERS)


@dataclass(frozen=True)
class Mark:
    """One highlighted span: which layer it belongs to and which annotation explains it."""

    start: int
    end: int
    layer: str
    ref: str
    title: str


@dataclass(frozen=True)
class Segment:
    """A run of text covered by the same marks (possibly none)."""

    text: str
    layers: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()

    @property
    def css(self) -> str:
        return " ".join(f"l-{layer}" for layer in self.layers)

    @property
    def title(self) -> str:
        return " · ".join(dict.fromkeys(self.titles))


@dataclass(frozen=True)
class Annotation:
    """What one highlighted thing is, shown when a highlighted span is clicked."""

    ref: str
    layer: str
    heading: str
    rows: tuple[tuple[str, str], ...]


@dataclass
class Highlighted:
    """An Analysis ready for the highlight template."""

    segments: list[Segment]
    annotations: list[Annotation]
    counts: dict[str, int]


def _who(attribution: Attribution) -> str:
    for span in (attribution.source_resolved, attribution.source):
        if span is not None:
            return span.text
    return "(unnamed source)"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def marks_and_annotations(analysis: Analysis) -> tuple[list[Mark], list[Annotation]]:
    """Every highlightable span of ``analysis`` as a :class:`Mark`, and one :class:`Annotation` per thing."""
    marks: list[Mark] = []
    notes: list[Annotation] = []
    by_id = {a.id: a for a in analysis.attributions}
    for att in analysis.attributions:
        who = _who(att)
        title = f"{att.kind} quote of {who}"
        rows: list[tuple[str, str]] = [("kind", att.kind), ("source", who)]
        if att.source is not None and att.source_resolved is not None:
            rows.append(("written as", att.source.text))
        if att.cue is not None:
            rows.append(("cue", att.cue.text))
        rows.append(("content", " … ".join(c.text for c in att.content)))
        if att.parent and att.parent in by_id:
            rows.append(("reported inside", f"{att.parent}: what {_who(by_id[att.parent])} says"))
        rows.append(("confidence", f"{att.confidence:.2f} ({att.method})"))
        notes.append(Annotation(att.id, "content", f"Attribution {att.id}", tuple(rows)))
        if att.source is not None:
            marks.append(Mark(att.source.start, att.source.end, "source", att.id, f"source: {who}"))
        if att.cue is not None:
            marks.append(Mark(att.cue.start, att.cue.end, "cue", att.id, f"cue of {att.id}"))
        for content in att.content:
            marks.append(Mark(content.start, content.end, "content", att.id, title))
    for q in analysis.quantities:
        value = _number(q.value)
        if not value and (q.low is not None or q.high is not None):
            value = f"{_number(q.low)}–{_number(q.high)}"
        rows = [("as written", q.text), ("value", value or "?")]
        for label, text in (
            ("qualifier", q.qualifier),
            ("unit", q.unit),
            ("counts", q.counted.text if q.counted else None),
            ("place", q.place.text if q.place else None),
            ("time", q.time.text if q.time else None),
        ):
            if text:
                rows.append((label, text))
        if q.attribution and q.attribution in by_id:
            rows.append(("according to", _who(by_id[q.attribution])))
        counted = f" {q.counted.text}" if q.counted else ""
        notes.append(Annotation(q.id, "figure", f"Figure {q.id}", tuple(rows)))
        marks.append(Mark(q.start, q.end, "figure", q.id, f"figure: {value or '?'}{counted}"))
    for index, time in enumerate(analysis.times, 1):
        ref = f"t{index}"
        rows = [("as written", time.text), ("type", time.type), ("value", time.value or "?")]
        notes.append(Annotation(ref, "time", f"Time {ref}", tuple(rows)))
        marks.append(Mark(time.start, time.end, "time", ref, f"time: {time.value or time.text}"))
    for index, tech in enumerate(analysis.techniques, 1):
        ref = f"x{index}"
        name = tech.technique.replace("_", " ")
        rows = [("technique", name), ("score", f"{tech.score:.2f}"), ("text", tech.text)]
        notes.append(Annotation(ref, "technique", f"Technique {ref}", tuple(rows)))
        marks.append(Mark(tech.start, tech.end, "technique", ref, f"technique: {name}"))
    return marks, notes


def segments(text: str, marks: Sequence[Mark]) -> list[Segment]:
    """Cut ``text`` at every mark boundary; each piece lists the marks that cover it (sweep, n log n)."""
    length = len(text)
    valid = [m for m in marks if 0 <= m.start < m.end <= length]
    bounds = sorted({0, length, *(m.start for m in valid), *(m.end for m in valid)})
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for index, mark in enumerate(valid):
        starts.setdefault(mark.start, []).append(index)
        ends.setdefault(mark.end, []).append(index)
    active: set[int] = set()
    out: list[Segment] = []
    order = {name: i for i, name in enumerate(LAYER_NAMES)}
    for left, right in itertools.pairwise(bounds):
        active.difference_update(ends.get(left, ()))
        active.update(starts.get(left, ()))
        piece = text[left:right]
        if not active:
            out.append(Segment(piece))
            continue
        covering = sorted((valid[i] for i in active), key=lambda m: (order.get(m.layer, 99), m.ref))
        out.append(
            Segment(
                piece,
                layers=tuple(dict.fromkeys(m.layer for m in covering)),
                refs=tuple(dict.fromkeys(m.ref for m in covering)),
                titles=tuple(m.title for m in covering),
            )
        )
    return out


def highlight(analysis: Analysis) -> Highlighted:
    """Segments, annotations and per-layer counts for the highlight template."""
    marks, notes = marks_and_annotations(analysis)
    counts = dict.fromkeys(LAYER_NAMES, 0)
    for note in notes:
        counts[note.layer] += 1
    counts["source"] = sum(1 for a in analysis.attributions if a.source is not None)
    counts["cue"] = sum(1 for a in analysis.attributions if a.cue is not None)
    return Highlighted(segments(analysis.text, marks), notes, counts)


# ----------------------------------------------------------------------------- source chain diagram


@dataclass(frozen=True)
class ChainBox:
    x: int
    y: int
    width: int
    height: int
    label: str
    role: str


@dataclass(frozen=True)
class ChainDiagram:
    """Boxes left to right, outermost relay first, joined by arrows; sized for an inline SVG."""

    boxes: tuple[ChainBox, ...]
    arrows: tuple[tuple[int, int, int], ...]  # (x1, x2, y)
    width: int
    height: int


_BOX_H, _GAP, _PAD = 46, 48, 10


def chain_diagram(analysis: Analysis) -> ChainDiagram | None:
    """The source chain as boxes: "AP" (agency) → "the ministry" (originator) → this article.

    The article itself is the last box, so even a one-link chain reads as "who relays to whom".
    """
    links: list[tuple[str, str]] = [(link.name, link.role) for link in analysis.source_chain]
    if not links:
        return None
    links.append(("this article", "article"))
    boxes: list[ChainBox] = []
    arrows: list[tuple[int, int, int]] = []
    x = _PAD
    for label, role in links:
        width = max(96, 8 * max(len(label), len(role)) + 24)
        boxes.append(ChainBox(x, _PAD, width, _BOX_H, label, role))
        x += width + _GAP
    for left, right in itertools.pairwise(boxes):
        arrows.append((left.x + left.width, right.x - 4, _PAD + _BOX_H // 2))
    return ChainDiagram(tuple(boxes), tuple(arrows), x - _GAP + _PAD, _BOX_H + 2 * _PAD)


@dataclass
class TreeNode:
    """An attribution and the attributions reported inside its content (``parent`` links)."""

    attribution: Attribution
    who: str
    children: list[TreeNode] = field(default_factory=list)


def attribution_tree(analysis: Analysis) -> list[TreeNode]:
    """Nested reporting as a forest: roots are attributions without a (known) parent."""
    nodes = {a.id: TreeNode(a, _who(a)) for a in analysis.attributions}
    roots: list[TreeNode] = []
    for att in analysis.attributions:
        parent = nodes.get(att.parent) if att.parent and att.parent != att.id else None
        (parent.children if parent is not None else roots).append(nodes[att.id])
    return roots


# ----------------------------------------------------------------------------- comparison chart


@dataclass(frozen=True)
class ChartDot:
    cy: int
    cx: float
    x1: float | None  # a range (low-high) is drawn as a line from x1 to x2
    x2: float | None
    label: str
    value: str
    copy: bool
    first: bool


@dataclass(frozen=True)
class FigureChart:
    """A dot chart of one comparison group: one row per source, earliest first, x = the value."""

    width: int
    height: int
    left: int
    right: int
    dots: tuple[ChartDot, ...]
    ticks: tuple[tuple[float, str], ...]
    baseline: int


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude >= raw)
    first = (low // step) * step
    ticks = []
    value = first
    while value <= high + step / 2:
        if value >= low - 1e-9:
            ticks.append(value)
        value += step
    return ticks


def _label(source: FigureSource) -> str:
    ref = source.ref
    who = ref.outlet or ref.article
    when = ref.published.isoformat() if isinstance(ref.published, dt.date) else "undated"
    return f"{who} · {when}" + (" (copy)" if ref.copy else "")


def figure_chart(group: FigureGroup, width: int = 720) -> FigureChart:
    """Geometry for the comparison chart of ``group`` (values on a shared x axis, zero included)."""
    values = [v for s in group.sources for v in (s.value, s.low, s.high) if v is not None]
    high = max(values) if values else 1.0
    low = min(0.0, min(values)) if values else 0.0
    if high == low:
        high = low + 1
    ticks = _nice_ticks(low, high)
    high = max(high, ticks[-1])
    left, right, row, top = 260, width - 30, 26, 16

    def x_of(value: float) -> float:
        return round(left + (value - low) / (high - low) * (right - left), 1)

    firsts = {id(v.earliest) for v in group.values}
    dots = []
    for index, source in enumerate(group.sources):
        cy = top + index * row + row // 2
        point = source.value if source.value is not None else (source.low or source.high)
        x1 = x_of(source.low) if source.value is None and source.low is not None else None
        x2 = x_of(source.high) if source.value is None and source.high is not None else None
        dots.append(
            ChartDot(
                cy=cy,
                cx=x_of(point) if point is not None else float(left),
                x1=x1,
                x2=x2,
                label=_label(source),
                value=f"{source.qualifier} {source.value_label}" if source.qualifier else source.value_label,
                copy=source.ref.copy,
                first=id(source) in firsts,
            )
        )
    baseline = top + len(dots) * row + 4
    tick_marks = tuple((x_of(t), _number(t)) for t in ticks)
    return FigureChart(width, baseline + 26, left, right, tuple(dots), tick_marks, baseline)
