"""Ingest: read inputs, skip what is stored, deduplicate, analyse, and store in batches.

Properties the tests check rather than assume:

* **Idempotent.** An input whose locator is stored is skipped before analysis, so ingesting the same
  inputs twice adds nothing (and costs no analysis the second time).
* **Transactional per batch.** Every ``batch_size`` stored documents are written in one transaction.
* **Resumable.** A run killed at any point (even SIGKILL) leaves only whole batches behind; a rerun
  rebuilds the deduplication state from the store and continues with the inputs not yet stored.
  Dedup decisions are made in input order, so a resumed run ends with the same clusters as a clean one.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from sayso.errors import SaysoError
from sayso.ingest import Article, check_text
from sayso.ingest._dedupe import (
    Deduplicator,
    Match,
    content_hash,
    minhash,
    signature_bytes,
    signature_from_bytes,
)
from sayso.schema import Analysis
from sayso.store._store import ArticleRecord, Store

if TYPE_CHECKING:
    from sayso._analyzer import Analyzer

log = logging.getLogger("sayso")


@runtime_checkable
class ItemLike(Protocol):
    """What ingest needs of an input document (``sayso.ingest.IngestItem`` fits)."""

    @property
    def locator(self) -> str: ...
    @property
    def article(self) -> Article: ...
    @property
    def site(self) -> str | None: ...
    @property
    def input_format(self) -> str: ...


class SkippedLike(Protocol):
    """An input that could not be read (``sayso.ingest.SkippedInput`` fits)."""

    @property
    def locator(self) -> str: ...
    @property
    def reason(self) -> str: ...


@dataclass
class IngestSummary:
    """What one ingest run did. ``added`` counts every stored article, copies and near-duplicates included."""

    read: int = 0
    added: int = 0
    copies: int = 0
    near_duplicates: int = 0
    already_stored: int = 0
    skipped: int = 0
    batches: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)


def site_of(item: ItemLike) -> str | None:
    """The outlet: the reader's ``site``, else the host of the article's URL (without ``www.``)."""
    if item.site:
        return item.site
    url = item.article.url
    if url and "://" in url:
        host = urllib.parse.urlsplit(url).hostname
        if host:
            return host.removeprefix("www.")
    return None


@dataclass
class _Pending:
    item: ItemLike
    digest: str
    signature: bytes | None
    cluster_key: str
    match: Match | None


class _Run:
    def __init__(
        self,
        store: Store,
        batch_size: int,
        advance: Callable[[int], None],
    ) -> None:
        self.store = store
        self.batch_size = batch_size
        self.advance = advance
        self.summary = IngestSummary()
        self.records: list[ArticleRecord] = []
        self.errors: list[tuple[str, str]] = []
        self.buffered: dict[str, Analysis] = {}
        self.seen = store.stored_locators()
        self.dedup = Deduplicator()
        self.cluster_of: dict[str, str] = {}
        for locator, digest, cluster, data, original in store.dedupe_state():
            signature = signature_from_bytes(data) if data else None
            self.dedup.add(locator, digest, signature, original=original)
            self.cluster_of[locator] = cluster
        self.waiting: dict[str, list[_Pending]] = {}
        self.failed: set[str] = set()

    def flush(self, force: bool = False) -> None:
        if not self.records and not self.errors:
            return
        if force or len(self.records) + len(self.errors) >= self.batch_size:
            self.store.write(self.records, self.errors)
            self.summary.batches += 1
            self.records, self.errors, self.buffered = [], [], {}

    def skip(self, locator: str, reason: str) -> None:
        log.info("skipped %s: %s", locator, reason)  # the CLI lists skips in its summary
        self.summary.skipped += 1
        self.summary.errors.append((locator, reason))
        self.errors.append((locator, reason))
        self.advance(1)
        self.flush()

    def store_record(self, pending: _Pending, analysis: Analysis) -> None:
        item, match = pending.item, pending.match
        self.records.append(
            ArticleRecord(
                locator=item.locator,
                analysis=analysis,
                content_hash=pending.digest,
                cluster_key=pending.cluster_key,
                site=site_of(item),
                input_format=item.input_format,
                minhash=pending.signature,
                copy_of=match.key if match and match.kind == "exact" else None,
                near_duplicate_of=match.key if match and match.kind == "near" else None,
                similarity=round(match.similarity, 4) if match else None,
            )
        )
        self.buffered[item.locator] = analysis
        self.summary.added += 1
        if match and match.kind == "exact":
            self.summary.copies += 1
        elif match:
            self.summary.near_duplicates += 1
        self.advance(1)
        self.flush()

    def store_copy(self, pending: _Pending, original: Analysis) -> None:
        article = pending.item.article
        analysis = original.model_copy(
            update={"title": article.title, "url": article.url, "published": article.published}
        )
        self.store_record(pending, analysis)

    def analysed(self, pending: _Pending, analysis: Analysis) -> None:
        self.store_record(pending, analysis)
        for copy in self.waiting.pop(pending.item.locator, []):
            self.store_copy(copy, analysis)

    def analysis_failed(self, pending: _Pending) -> None:
        locator = pending.item.locator
        self.failed.add(locator)
        self.skip(locator, "the analysis failed (a component raised; see the log)")
        for copy in self.waiting.pop(locator, []):
            self.skip(copy.item.locator, f"exact copy of {locator}, which could not be analysed")

    def to_analyse(self, items: Iterable[ItemLike | SkippedLike]) -> Iterator[tuple[Article, _Pending]]:
        """Decide about each input in order; yield only the ones that need the analyzer."""
        for item in items:
            self.summary.read += 1
            if not isinstance(item, ItemLike):
                self.skip(item.locator, getattr(item, "reason", "could not be read"))
                continue
            locator = item.locator
            if locator in self.seen:
                self.summary.already_stored += 1
                self.advance(1)
                continue
            self.seen.add(locator)
            try:
                check_text(item.article.text)
            except SaysoError as exc:
                self.skip(locator, str(exc))
                continue
            digest = content_hash(item.article.text)
            signature = minhash(item.article.text)
            match = self.dedup.check(digest, signature)
            cluster_key = self.cluster_of.get(match.key, match.key) if match else locator
            self.cluster_of[locator] = cluster_key
            exact = match is not None and match.kind == "exact"
            self.dedup.add(locator, digest, signature, original=not exact)
            pending = _Pending(
                item, digest, None if exact else signature_bytes(signature), cluster_key, match
            )
            if match is not None and exact:
                original = match.key
                if original in self.failed:
                    self.skip(locator, f"exact copy of {original}, which could not be analysed")
                elif original in self.buffered:
                    self.store_copy(pending, self.buffered[original])
                elif (stored := self.store.load_analysis(original)) is not None:
                    self.store_copy(pending, stored)
                else:
                    self.waiting.setdefault(original, []).append(pending)
                continue
            yield item.article, pending


def ingest(
    items: Iterable[ItemLike | SkippedLike],
    store: Store,
    analyzer: Analyzer,
    *,
    batch_size: int = 32,
    n_process: int = 1,
    advance: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Analyse and store ``items`` (from :func:`sayso.ingest.read_inputs`); see the module docstring.

    ``advance(n)`` is called as inputs are handled (the CLI's progress bar). Inputs that cannot be read
    or analysed are logged, recorded in ``ingest_errors`` and counted as skipped; the run goes on.
    """
    run = _Run(store, batch_size, advance or (lambda _n: None))
    sent: deque[_Pending] = deque()

    def feed() -> Iterator[tuple[Article, _Pending]]:
        for article, pending in run.to_analyse(items):
            sent.append(pending)
            yield article, pending

    for analysis, pending in analyzer.analyze_many(
        feed(), n_process=n_process, batch_size=batch_size, as_tuples=True
    ):
        while sent and sent[0] is not pending and sent[0].item.locator != pending.item.locator:
            run.analysis_failed(sent.popleft())
        if sent:
            sent.popleft()
        run.analysed(pending, analysis)
    while sent:
        run.analysis_failed(sent.popleft())
    for locator, copies in list(run.waiting.items()):
        for copy in copies:
            run.skip(copy.item.locator, f"exact copy of {locator}, which could not be analysed")
    run.waiting.clear()
    run.flush(force=True)
    return run.summary
