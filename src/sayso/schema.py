"""The ``sayso/1`` output contract, and the one conversion from a parsed ``Doc`` to an :class:`Analysis`.

Every extracted thing is a :class:`Span` of ``Analysis.text``: ``text[start:end] == span.text`` is
checked when an Analysis is built (error E008), so no consumer ever has to re-find a span. Fields may be
added freely; the ones listed in ARCHITECTURE.md are never renamed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator
from spacy.tokens import Doc

from sayso.components._common import (
    AttributionRecord,
    CharSpan,
    ClaimRecord,
    DatelineRecord,
    EventRecord,
    QuantityRecord,
    SourceLinkRecord,
    TechniqueRecord,
    TimeRecord,
    text_of,
)
from sayso.errors import ErrorCode, SaysoError

SCHEMA_ID = "sayso/1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Span(_Model):
    """A piece of the analysed text, by character offsets (``end`` exclusive)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Dateline(_Model):
    """The dateline opening a wire story."""

    place: Span | None = None
    date: Span | None = None
    value: str | None = Field(
        None, description="TIMEX3 value of the date; XXXX for a year the text and metadata do not give."
    )
    agency: Span | None = Field(None, description='Agency credited inside the dateline, e.g. "(Reuters)".')


class SourceLink(_Model):
    """One link in the chain of who relays whom."""

    name: str
    role: Literal["agency", "intermediary", "originator"]
    span: Span


class Entity(Span):
    label: str = Field(description="spaCy/OntoNotes label: PERSON, ORG, GPE, LOC, NORP, ...")


class Attribution(_Model):
    """Who (source) says what (content) by which words (cue); ``parent`` links nested reporting."""

    id: str
    kind: Literal["direct", "indirect", "mixed", "according_to"]
    source: Span | None = None
    source_resolved: Span | None = Field(
        None,
        description='Fullest earlier mention of a pronoun or description source ("she" -> "Marta Sousa").',
    )
    cue: Span | None = None
    content: list[Span] = Field(default_factory=list)
    parent: str | None = Field(
        None, description="id of the attribution whose content contains this one's cue."
    )
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    method: str = Field("rules", description="What found it: rules, model, or rules+model.")


class Quantity(Span):
    id: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    qualifier: str | None = None
    approximate: bool = False
    unit: str | None = None
    counted: Span | None = None
    place: Span | None = None
    time: Span | None = None
    attribution: str | None = None


class TimePart(Span):
    value: str = Field(description="TIMEX3 value of this end of the range.")


class TimeExpression(Span):
    type: Literal["DATE", "TIME", "DURATION", "SET"]
    value: str | None = Field(None, description='TIMEX3 value, or an ISO interval "a/b".')
    parts: list[TimePart] = Field(
        default_factory=list,
        description='A range\'s two ends with their own spans: "[May 12] through [May 15, 2024]".',
    )


class Event(_Model):
    id: str
    trigger: Span
    type: str
    actor: Span | None = None
    target: Span | None = None
    place: Span | None = None
    time: Span | None = None
    attribution: str | None = None


class Claim(Span):
    id: str
    checkworthiness: float = Field(ge=0.0, le=1.0)
    attribution: str | None = Field(
        None, description="Id of the attribution whose content carries the claim."
    )
    quantities: list[str] = Field(default_factory=list, description="Ids of the figures inside the claim.")
    events: list[str] = Field(default_factory=list, description="Ids of the events triggered inside it.")


class Technique(Span):
    technique: str = Field(description="snake_case PTC technique name, e.g. loaded_language")
    score: float = Field(
        ge=0.0, le=1.0, description="The model's probability of this technique for the span."
    )
    detection: float | None = Field(
        None, ge=0.0, le=1.0, description="Mean probability that the span's tokens carry a technique at all."
    )


class Analysis(_Model):
    """Everything sayso found in one article. Serialise with :meth:`to_dict` / :meth:`to_json`."""

    schema_id: Literal["sayso/1"] = Field("sayso/1", alias="schema")
    text: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str = "en"
    model: str | None = Field(
        None, description="spaCy pipeline and sayso profile that produced this analysis."
    )
    dateline: Dateline | None = None
    source_chain: list[SourceLink] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    attributions: list[Attribution] = Field(default_factory=list)
    quantities: list[Quantity] = Field(default_factory=list)
    times: list[TimeExpression] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    techniques: list[Technique] = Field(default_factory=list)

    @model_validator(mode="after")
    def _spans_point_into_text(self) -> Analysis:
        spans: list[Span] = []
        _collect_spans(self, spans)
        for span in spans:
            if (
                span.end < span.start
                or span.end > len(self.text)
                or self.text[span.start : span.end] != span.text
            ):
                raise SaysoError(
                    ErrorCode.E008,
                    detail=f"[{span.start}:{span.end}] {span.text!r} vs {self.text[span.start : span.end]!r}",
                )
        return self

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready ``sayso/1`` dict (aliases applied, dates as ISO strings)."""
        return self.model_dump(mode="json", by_alias=True)

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def iter_spans(value: object) -> Iterator[Span]:
    """Every :class:`Span` nested anywhere in a model (used by the offset check and by tests)."""
    spans: list[Span] = []
    _collect_spans(value, spans)
    return iter(spans)


def _collect_spans(value: object, out: list[Span]) -> None:
    """Append every :class:`Span` in ``value`` to ``out``, depth first (parents before their fields).

    A plain recursion rather than nested generators: every analysis is checked span by span on
    construction, and resuming a generator per level cost about a third of building the analysis.
    """
    if isinstance(value, BaseModel):
        if isinstance(value, Span):
            out.append(value)
        for name in _span_fields(type(value)):
            _collect_spans(getattr(value, name), out)
    elif isinstance(value, list):
        for item in value:
            _collect_spans(item, out)


_SPAN_FIELDS: dict[type, tuple[str, ...]] = {}


def _span_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``cls`` whose declared type can hold a model (a Span or a model holding one).

    Every analysis is checked span by span; skipping the plain fields (strings, numbers, dates) per class,
    once, keeps the walk to the fields that matter.
    """
    names = _SPAN_FIELDS.get(cls)
    if names is None:
        names = tuple(name for name, f in cls.model_fields.items() if _may_hold_models(f.annotation))
        _SPAN_FIELDS[cls] = names
    return names


def _may_hold_models(annotation: object) -> bool:
    if isinstance(annotation, type) and not get_args(annotation):
        return issubclass(annotation, BaseModel)
    if annotation is Any:
        return True  # undeclared: look inside
    return any(_may_hold_models(arg) for arg in get_args(annotation))


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``sayso/1`` (what ``sayso schema`` prints)."""
    schema = Analysis.model_json_schema(by_alias=True)
    schema["$id"] = "https://sayso.invalid/schema/sayso-1.json"
    schema["title"] = "sayso/1 analysis"
    return schema


# ----------------------------------------------------------------------------- Doc -> Analysis


# The builders below return plain dicts and :func:`analysis_from_doc` validates the whole analysis in one
# ``Analysis.model_validate`` call. Why: pydantic validates nested dicts in its compiled core, while
# constructing each of an article's ~700 spans and records as a model costs a Python-level call each (0.65 s
# of model construction on PolNeAR dev's 84 articles, more than several components). The validation, the
# coercions and the offset check are the same either way.
_Data = dict[str, Any]


def _span(text: str, chars: CharSpan | None) -> _Data | None:
    if chars is None:
        return None
    start, end = chars
    return {"start": start, "end": end, "text": text[start:end]}


def _required_span(text: str, chars: CharSpan) -> _Data:
    start, end = chars
    return {"start": start, "end": end, "text": text[start:end]}


def _dateline(doc: Doc) -> _Data | None:
    record: DatelineRecord | None = doc._.sayso_dateline
    text = text_of(doc)
    if record is None:
        return None
    return {
        "place": _span(text, record.place),
        "date": _span(text, record.date),
        "value": record.value,
        "agency": _span(text, record.agency),
    }


def _source_chain(doc: Doc) -> list[_Data]:
    records: list[SourceLinkRecord] = doc._.sayso_source_chain or []
    text = text_of(doc)
    return [{"name": r.name, "role": r.role, "span": _required_span(text, r.span)} for r in records]


def _attributions(doc: Doc) -> list[_Data]:
    records: list[AttributionRecord] = doc._.sayso_attributions or []
    text = text_of(doc)
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "source": _span(text, r.source),
            "source_resolved": _span(text, r.source_resolved),
            "cue": _span(text, r.cue),
            "content": [_required_span(text, c) for c in r.content],
            "parent": r.parent,
            "confidence": round(r.confidence, 4),
            "method": r.method,
        }
        for r in records
    ]


def _times(doc: Doc) -> list[_Data]:
    records: list[TimeRecord] = doc._.sayso_times or []
    text = text_of(doc)
    return [
        {
            "start": r.span[0],
            "end": r.span[1],
            "text": text[r.span[0] : r.span[1]],
            "type": r.type,
            "value": r.value,
            "parts": [
                {"start": int(a), "end": int(b), "text": text[int(a) : int(b)], "value": str(v)}
                for a, b, v in (r.parts or [])
            ],
        }
        for r in records
    ]


def _quantities(doc: Doc) -> list[_Data]:
    records: list[QuantityRecord] = doc._.sayso_quantities or []
    text = text_of(doc)
    return [
        {
            "start": r.span[0],
            "end": r.span[1],
            "text": text[r.span[0] : r.span[1]],
            "id": r.id,
            "value": r.value,
            "low": r.low,
            "high": r.high,
            "qualifier": r.qualifier,
            "approximate": r.approximate,
            "unit": r.unit,
            "counted": _span(text, r.counted),
            "place": _span(text, r.place),
            "time": _span(text, r.time),
            "attribution": r.attribution,
        }
        for r in records
    ]


def _events(doc: Doc) -> list[_Data]:
    records: list[EventRecord] = doc._.sayso_events or []
    text = text_of(doc)
    return [
        {
            "id": r.id,
            "trigger": _required_span(text, r.trigger),
            "type": r.type,
            "actor": _span(text, r.actor),
            "target": _span(text, r.target),
            "place": _span(text, r.place),
            "time": _span(text, r.time),
            "attribution": r.attribution,
        }
        for r in records
    ]


def _techniques(doc: Doc) -> list[_Data]:
    records: list[TechniqueRecord] = doc._.sayso_techniques or []
    text = text_of(doc)
    return [
        {
            "start": r.span[0],
            "end": r.span[1],
            "text": text[r.span[0] : r.span[1]],
            "technique": r.technique,
            "score": min(1.0, max(0.0, r.score)),
            "detection": min(1.0, max(0.0, r.detection)),
        }
        for r in records
    ]


def _claims(doc: Doc) -> list[_Data]:
    records: list[ClaimRecord] = doc._.sayso_claims or []
    text = text_of(doc)
    return [
        {
            "start": r.span[0],
            "end": r.span[1],
            "text": text[r.span[0] : r.span[1]],
            "id": r.id,
            "checkworthiness": min(1.0, max(0.0, r.checkworthiness)),
            "attribution": r.attribution,
            "quantities": list(r.quantities or []),
            "events": list(r.events or []),
        }
        for r in records
    ]


def _entities(doc: Doc) -> list[_Data]:
    return [
        {"start": ent.start_char, "end": ent.end_char, "text": ent.text, "label": ent.label_}
        for ent in doc.ents
        if ent.label_ not in _NON_ENTITY_LABELS
    ]


# Numbers and dates found by the NER are reported as quantities and times, not as entities.
_NON_ENTITY_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})


def analysis_from_doc(
    doc: Doc,
    *,
    title: str | None = None,
    url: str | None = None,
    published: dt.date | None = None,
    model: str | None = None,
) -> Analysis:
    """The one conversion from a doc that went through sayso's pipeline to ``sayso/1``."""
    return Analysis.model_validate(
        {
            "text": text_of(doc),
            "title": title,
            "url": url,
            "published": published if published is not None else doc._.sayso_published,
            "language": doc.lang_ or "en",
            "model": model,
            "dateline": _dateline(doc),
            "source_chain": _source_chain(doc),
            "entities": _entities(doc),
            "attributions": _attributions(doc),
            "quantities": _quantities(doc),
            "times": _times(doc),
            "events": _events(doc),
            "claims": _claims(doc),
            "techniques": _techniques(doc),
        }
    )
