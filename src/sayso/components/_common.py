"""What sayso components write onto a ``Doc``, and the helpers they share.

Components never build output models: they write plain, picklable records with *character offsets*
into ``doc._.sayso_*`` extensions (so docs survive ``nlp.pipe(n_process=...)``), and
:func:`sayso.schema.analysis_from_doc` is the one place that turns them into ``sayso/1``.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc

CharSpan = tuple[int, int]
"""A (start, end) pair of character offsets into ``doc.text``."""


@dataclass
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


@dataclass
class SourceLinkRecord:
    """One link in the chain of who relays whom, outermost (the agency) first."""

    name: str
    role: str  # "agency" | "intermediary" | "originator"
    span: CharSpan


EXTENSIONS: dict[str, object] = {
    "sayso_published": None,  # datetime.date | None, set by the Analyzer from `published=`
    "sayso_dateline": None,  # DatelineRecord | None
    "sayso_source_chain": None,  # list[SourceLinkRecord] | None
}


def register_extensions() -> None:
    """Register every ``doc._.sayso_*`` extension once (idempotent; safe in worker processes)."""
    for name, default in EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


register_extensions()
