"""Request and response models of the JSON API: they are what the OpenAPI document (``/openapi.json``)
describes, so every endpoint's shape is declared here once rather than inferred from dicts."""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sayso.compare import ClaimGroup, EventGroup, FigureGroup
from sayso.schema import Analysis

T = TypeVar("T")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageOut(_Out, Generic[T]):
    """One page of a list; ask for the next with ``?page=N``."""

    items: list[T]
    total: int = Field(description="How many items match in all.")
    page: int
    per_page: int
    pages: int


class ArticleSummaryOut(_Out):
    id: int
    locator: str = Field(description="Where the article came from (path, URL or api:<hash>); unique.")
    title: str | None
    url: str | None
    outlet: str | None
    published: dt.date | None
    quotes: int = Field(description="Attributions found in it.")
    figures: int = Field(description="Quantities found in it.")


class ArticleOut(_Out):
    id: int
    locator: str
    title: str | None
    url: str | None
    outlet: str | None
    published: dt.date | None
    cluster: int = Field(description="Story cluster: copies and near-duplicates share one.")
    copy_of: int | None = Field(description="Id of the article this is an exact copy of.")
    near_duplicate_of: int | None
    similarity: float | None
    agencies: list[str]
    analysis: Analysis


class FigureOut(_Out):
    article_id: int
    title: str | None
    outlet: str | None
    published: dt.date | None
    text: str = Field(description="The figure as written.")
    value: float | None
    low: float | None
    high: float | None
    qualifier: str | None
    counted: str | None = Field(description="What it counts, as written.")
    counted_key: str | None = Field(description="Normalised counted noun that comparisons group on.")
    place: str | None
    place_key: str | None
    time: str | None
    time_value: str | None
    speaker: str | None


class SpeakerOut(_Out):
    id: int
    name: str
    quotes: int
    articles: int


class QuoteOut(_Out):
    article_id: int
    title: str | None
    outlet: str | None
    published: dt.date | None
    kind: str | None
    cue: str | None
    content: str | None


class OutletCount(BaseModel):
    outlet: str
    quotes: int


class SpeakerDetailOut(BaseModel):
    id: int
    name: str
    quotes: int
    articles: int
    outlets: list[OutletCount]
    recent: list[QuoteOut]


class AnalyseRequest(BaseModel):
    """Give ``text`` (plain text) or ``html`` (a page; its main text is extracted), not both."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    html: str | None = None
    title: str | None = None
    url: str | None = None
    published: str | None = Field(None, description="ISO 8601 date; anchors relative dates.")
    outlet: str | None = Field(None, description="Outlet name when storing (else the URL's host).")

    @model_validator(mode="after")
    def _one_input(self) -> AnalyseRequest:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of 'text' and 'html'")
        return self


class AnalyseResponse(BaseModel):
    analysis: Analysis
    article_id: int | None = Field(None, description="Id of the stored article when ?store=true.")


class ErrorOut(BaseModel):
    detail: str
    code: str | None = None


FigureGroupPage = PageOut[FigureGroup]
ClaimGroupPage = PageOut[ClaimGroup]
EventGroupPage = PageOut[EventGroup]
