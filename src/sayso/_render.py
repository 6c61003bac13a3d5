"""The terminal view of an :class:`~sayso.schema.Analysis` (Rich): coloured text plus one table per kind."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sayso.schema import Analysis, Span

# Layer name -> style. Later layers win where spans overlap, so the most specific comes last.
STYLES: dict[str, str] = {
    "entity": "underline",
    "time": "bold magenta",
    "figure": "bold cyan",
    "content": "green",
    "cue": "bold yellow",
    "source": "bold red",
    "dateline": "reverse",
    "technique": "italic bright_magenta",
}


def _layers(analysis: Analysis) -> dict[str, list[Span]]:
    layers: dict[str, list[Span]] = {name: [] for name in STYLES}
    layers["entity"] = list(analysis.entities)
    layers["time"] = list(analysis.times)
    layers["figure"] = list(analysis.quantities)
    layers["technique"] = list(analysis.techniques)
    for attribution in analysis.attributions:
        layers["content"].extend(attribution.content)
        layers["cue"].extend(s for s in [attribution.cue] if s)
        layers["source"].extend(s for s in [attribution.source] if s)
    if analysis.dateline:
        layers["dateline"].extend(s for s in (analysis.dateline.place, analysis.dateline.date) if s)
    for link in analysis.source_chain:
        layers["source"].append(link.span)
    return layers


def highlighted_text(analysis: Analysis) -> Text:
    """The article text with every span styled by its layer."""
    text = Text(analysis.text)
    for name, spans in _layers(analysis).items():
        for span in spans:
            text.stylize(STYLES[name], span.start, span.end)
    return text


def _legend() -> Text:
    legend = Text("legend: ")
    for name, style in STYLES.items():
        legend.append(name, style=style)
        legend.append("  ")
    return legend


def _table(title: str, columns: Iterable[str], rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def _s(span: Span | None) -> str:
    return span.text if span else "—"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}"


def render(analysis: Analysis) -> RenderableType:
    """Everything the pretty view prints for one analysis."""
    parts: list[RenderableType] = []
    heading = " · ".join(
        x
        for x in (analysis.title, analysis.url, str(analysis.published) if analysis.published else None)
        if x
    )
    parts.append(Panel(highlighted_text(analysis), title=heading or "article", subtitle=analysis.model))
    parts.append(_legend())
    if analysis.dateline:
        d = analysis.dateline
        parts.append(
            _table(
                "Dateline",
                ["place", "date", "value", "agency"],
                [[_s(d.place), _s(d.date), d.value or "— (year unknown)", _s(d.agency)]],
            )
        )
    if analysis.source_chain:
        rows = [[str(i), link.name, link.role] for i, link in enumerate(analysis.source_chain, 1)]
        parts.append(_table("Source chain (outermost first)", ["#", "name", "role"], rows))
    if analysis.entities:
        rows = [[e.text, e.label] for e in analysis.entities]
        parts.append(_table(f"Entities ({len(rows)})", ["text", "label"], rows))
    if analysis.attributions:
        rows = [
            [
                a.id,
                a.kind,
                _s(a.source),
                _s(a.source_resolved),
                _s(a.cue),
                " … ".join(c.text for c in a.content),
            ]
            for a in analysis.attributions
        ]
        parts.append(_table("Attributions", ["id", "kind", "source", "resolved", "cue", "content"], rows))
    if analysis.quantities:
        rows = [
            [
                q.text,
                _number(q.value),
                q.qualifier or "",
                _s(q.counted),
                _s(q.place),
                _s(q.time),
                q.attribution or "",
            ]
            for q in analysis.quantities
        ]
        parts.append(
            _table("Figures", ["text", "value", "qualifier", "counted", "place", "time", "attribution"], rows)
        )
    if analysis.times:
        rows = [[t.text, t.type, t.value or "—"] for t in analysis.times]
        parts.append(_table("Times", ["text", "type", "value"], rows))
    if analysis.events:
        rows = [
            [e.trigger.text, e.type, _s(e.actor), _s(e.target), _s(e.place), _s(e.time)]
            for e in analysis.events
        ]
        parts.append(_table("Events", ["trigger", "type", "actor", "target", "place", "time"], rows))
    if analysis.techniques:
        rows = [[t.text, t.technique, f"{t.score:.2f}"] for t in analysis.techniques]
        parts.append(_table("Techniques", ["text", "technique", "score"], rows))
    if analysis.claims:
        rows = [[c.text, f"{c.checkworthiness:.2f}", c.attribution or ""] for c in analysis.claims]
        parts.append(_table("Claims", ["text", "check-worthiness", "attribution"], rows))
    return Group(*parts)


def print_analysis(analysis: Analysis, console: Console) -> None:
    console.print(render(analysis))
