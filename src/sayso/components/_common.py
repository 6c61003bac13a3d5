"""What sayso components write onto a ``Doc``, and the helpers they share.

Components never build output models: they write plain, picklable records with *character offsets*
into ``doc._.sayso_*`` extensions (so docs survive ``nlp.pipe(n_process=...)``), and
:func:`sayso.schema.analysis_from_doc` is the one place that turns them into ``sayso/1``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, TypeVar, dataclass_transform

import srsly  # type: ignore[import-untyped]
from spacy.tokens import Doc

from sayso._encoder import doc_text

CharSpan = tuple[int, int]
"""A (start, end) pair of character offsets into ``doc.text``."""

RecordType = TypeVar("RecordType")
_RECORD_TYPES: dict[str, type[Any]] = {}
_TAG = "__sayso_record__"
_DATE_TAG = "__sayso_date__"


@dataclass_transform()
def record(cls: type[RecordType]) -> type[RecordType]:
    """Declare a record type that components write onto docs.

    ``nlp.pipe(n_process=...)`` moves docs between processes with msgpack, which knows no dataclasses;
    every type declared here travels as a tagged dict and comes back as itself (see :func:`_encode`).
    Convention: spans are tuples, sequences are lists (a 2-int list comes back as a tuple).
    """
    wrapped = dataclass(cls)
    _RECORD_TYPES[cls.__name__] = wrapped
    return wrapped


def _encode(obj: object, chain: Callable[[object], object] | None = None) -> object:
    if is_dataclass(obj) and not isinstance(obj, type) and type(obj).__name__ in _RECORD_TYPES:
        return {_TAG: type(obj).__name__, "fields": {f.name: getattr(obj, f.name) for f in fields(obj)}}
    if isinstance(obj, dt.date) and not isinstance(obj, dt.datetime):
        # doc._.sayso_published travels too: msgpack knows no dates
        return {_DATE_TAG: obj.isoformat()}
    return obj if chain is None else chain(obj)


def _restore(value: object) -> object:
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return (value[0], value[1])
        return [_restore(v) for v in value]
    return value


def _decode(obj: object, chain: Callable[[object], object] | None = None) -> object:
    if isinstance(obj, dict) and _TAG in obj and obj[_TAG] in _RECORD_TYPES:
        values = {name: _restore(value) for name, value in obj["fields"].items()}
        return _RECORD_TYPES[obj[_TAG]](**values)
    if isinstance(obj, dict) and len(obj) == 1 and _DATE_TAG in obj:
        return dt.date.fromisoformat(str(obj[_DATE_TAG]))
    return obj if chain is None else chain(obj)


srsly.msgpack_encoders.register("sayso_records", func=_encode)
srsly.msgpack_decoders.register("sayso_records", func=_decode)


@record
class DatelineRecord:
    """The dateline at the top of a wire story: "FARO, Portugal, June 4." or "LONDON (Reuters) -".

    ``value`` is the normalised date (TIMEX3 value): ``2024-06-04`` when the year is known from the
    published date, ``XXXX-06-04`` when it is not (sayso never invents a year).
    """

    place: CharSpan | None
    date: CharSpan | None
    value: str | None
    agency: CharSpan | None = None
    extent: CharSpan | None = None


@record
class SourceLinkRecord:
    """One link in the chain of who relays whom, outermost (the agency) first."""

    name: str
    role: str  # "agency" | "intermediary" | "originator"
    span: CharSpan


@record
class AttributionRecord:
    """One attribution: who (source), by which words (cue), says what (content pieces).

    ``source_resolved`` is the fullest earlier mention of a pronoun or description source ("she" ->
    "Marta Sousa", "the statement" -> its issuers), or for a first-person source inside another report's
    quotation, that report's speaker ('"When I said no, I meant it," Lima said': "I" -> "Lima");
    ``parent`` is the id of the attribution whose content contains this one's cue (nested reporting).
    """

    id: str
    kind: str  # "direct" | "indirect" | "mixed" | "according_to"
    source: CharSpan | None
    cue: CharSpan | None
    content: list[CharSpan]
    source_resolved: CharSpan | None = None
    parent: str | None = None
    confidence: float = 0.0
    method: str = "rules"


@record
class TimeRecord:
    """A time expression (TIMEX3 style): ``value`` is a TIMEX3 value or an ISO interval "a/b"."""

    span: CharSpan
    type: str  # "DATE" | "TIME" | "DURATION" | "SET"
    value: str | None
    parts: list[list[Any]] | None = None  # a range's ends: [[start, end, value], [start, end, value]]


@record
class QuantityRecord:
    """A figure: its value (or range), qualifier, what it counts, where, when, and who says it."""

    id: str
    span: CharSpan
    value: float | None
    low: float | None = None
    high: float | None = None
    qualifier: str | None = None
    approximate: bool = False
    unit: str | None = None
    counted: CharSpan | None = None
    place: CharSpan | None = None
    time: CharSpan | None = None
    attribution: str | None = None


@record
class EventRecord:
    """Who did what to whom, where and when: a trigger with a type from sayso's CAMEO-aligned taxonomy."""

    id: str
    trigger: CharSpan
    type: str
    actor: CharSpan | None = None
    target: CharSpan | None = None
    place: CharSpan | None = None
    time: CharSpan | None = None
    attribution: str | None = None


@record
class TechniqueRecord:
    """A persuasion technique (PTC names): ``score`` is the span head's probability of this technique,
    ``detection`` the tagger's mean probability that the span's tokens carry a technique at all."""

    span: CharSpan
    technique: str
    score: float
    detection: float


@record
class ClaimRecord:
    """A claim unit (a sentence) with its check-worthiness and what it is tied to: the attribution that
    reports it, and the figures and events inside it (by id)."""

    id: str
    span: CharSpan
    checkworthiness: float
    attribution: str | None = None
    quantities: list[str] | None = None
    events: list[str] | None = None


EXTENSIONS: dict[str, object] = {
    "sayso_published": None,  # datetime.date | None, set by the Analyzer from `published=`
    "sayso_dateline": None,  # DatelineRecord | None
    "sayso_source_chain": None,  # list[SourceLinkRecord] | None
    "sayso_attributions": None,  # list[AttributionRecord] | None
    "sayso_times": None,  # list[TimeRecord] | None
    "sayso_quantities": None,  # list[QuantityRecord] | None
    "sayso_events": None,  # list[EventRecord] | None
    "sayso_techniques": None,  # list[TechniqueRecord] | None
    "sayso_claims": None,  # list[ClaimRecord] | None
    "sayso_heads": None,  # {head: [...]} from sayso_encoder (see components/encoder.py)
}


def text_of(doc: Doc) -> str:
    """``doc.text``, computed once per doc (:func:`sayso._encoder.doc_text`, cached in ``doc.user_data``).

    spaCy rebuilds the string from every token on each access, and the components read it many times
    per doc.
    """
    return doc_text(doc)


def register_extensions() -> None:
    """Register every ``doc._.sayso_*`` extension once (idempotent; safe in worker processes)."""
    for name, default in EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


register_extensions()
