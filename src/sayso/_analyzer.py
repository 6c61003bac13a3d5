"""The :class:`Analyzer`: loads the pipeline once and turns texts into :class:`~sayso.schema.Analysis`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar, overload

from spacy.language import Language
from spacy.tokens import Doc

from sayso import __version__
from sayso._encoder import TEXT_KEY
from sayso.errors import SaysoError
from sayso.ingest import Article, check_text, parse_published
from sayso.pipeline import build_pipeline
from sayso.schema import Analysis, analysis_from_doc
from sayso.settings import PROFILE

log = logging.getLogger("sayso")

Context = TypeVar("Context")
ArticleLike = str | Article | Mapping[str, Any]


def to_article(item: ArticleLike) -> Article:
    """Accept a plain text, an :class:`Article`, or a mapping with ``text`` and optional metadata."""
    if isinstance(item, Article):
        article = item
    elif isinstance(item, str):
        article = Article(text=item)
    elif isinstance(item, Mapping):
        article = Article(
            text=item.get("text", ""),
            title=item.get("title"),
            url=item.get("url"),
            published=parse_published(item.get("published")),
        )
    else:
        raise TypeError(f"cannot analyse a {type(item).__name__}; pass a str, Article or mapping")
    check_text(article.text)
    article.published = parse_published(article.published)
    return article


def _skip_failed_doc(proc_name: str, proc: object, docs: list[Doc], exc: Exception) -> None:
    """spaCy error handler: log and drop the one failing doc instead of losing the whole batch."""
    for doc in docs:
        log.warning(
            "skipped document #%s (%s): component %r raised %s: %s",
            doc.user_data.get("sayso_index", "?"),
            doc.user_data.get("sayso_label") or f"{len(doc.text)} chars",
            proc_name,
            type(exc).__name__,
            exc,
        )


class Analyzer:
    """Loads a spaCy pipeline with sayso's components once and analyses many texts with it.

    ``model`` is any installed spaCy pipeline (default: setting SAYSO_MODEL), ``profile`` one of
    :data:`sayso.pipeline.PROFILES` (default: SAYSO_PROFILE). Pass ``nlp`` to reuse a pipeline you built.
    """

    def __init__(self, model: str | None = None, profile: str | None = None, *, nlp: Language | None = None):
        self.profile = profile or PROFILE.value()
        self.nlp = nlp if nlp is not None else build_pipeline(model, self.profile)
        meta = self.nlp.meta
        base = f"{meta.get('lang', '')}_{meta.get('name', '?')}".lstrip("_")
        self.model_id = f"{base}-{meta.get('version', '?')} sayso-{__version__} {self.profile}"

    def _make_doc(self, article: Article, index: int) -> Doc:
        doc = self.nlp.make_doc(article.text)
        doc.user_data[TEXT_KEY] = article.text  # what doc.text would rebuild; see sayso._encoder.doc_text
        doc._.sayso_published = article.published
        doc.user_data["sayso_index"] = index
        doc.user_data["sayso_label"] = article.url or article.title
        return doc

    def _to_analysis(self, doc: Doc, article: Article) -> Analysis:
        return analysis_from_doc(
            doc, title=article.title, url=article.url, published=article.published, model=self.model_id
        )

    def analyze(
        self,
        text: str,
        *,
        title: str | None = None,
        url: str | None = None,
        published: dt.date | dt.datetime | str | None = None,
    ) -> Analysis:
        """Analyse one text. Raises :class:`~sayso.errors.InputError` for input that cannot be analysed."""
        article = to_article(Article(text=text, title=title, url=url, published=published))  # type: ignore[arg-type]
        doc = self.nlp(self._make_doc(article, 0))
        return self._to_analysis(doc, article)

    @overload
    def analyze_many(
        self,
        items: Iterable[ArticleLike],
        *,
        n_process: int = ...,
        batch_size: int = ...,
        as_tuples: bool = False,
    ) -> Iterator[Analysis]: ...

    @overload
    def analyze_many(
        self,
        items: Iterable[tuple[ArticleLike, Context]],
        *,
        n_process: int = ...,
        batch_size: int = ...,
        as_tuples: bool = True,
    ) -> Iterator[tuple[Analysis, Context]]: ...

    def analyze_many(
        self,
        items: Iterable[Any],
        *,
        n_process: int = 1,
        batch_size: int = 32,
        as_tuples: bool = False,
    ) -> Iterator[Any]:
        """Analyse many texts through ``nlp.pipe``, streaming results in input order.

        A document that cannot be analysed (bad input, or a component raising on it) is logged with
        its index and reason and skipped; the rest of the batch goes on. With ``as_tuples=True`` the
        items are ``(article, context)`` pairs and ``(analysis, context)`` pairs come back, so callers
        can tell which results they got.
        """

        def prepared() -> Iterator[tuple[Doc, tuple[Article, Any]]]:
            for index, entry in enumerate(items):
                item, context = entry if as_tuples else (entry, None)
                try:
                    article = to_article(item)
                except (SaysoError, TypeError) as exc:
                    log.warning("skipped document #%s: %s", index, exc)
                    continue
                yield self._make_doc(article, index), (article, context)

        # Only function components consult this handler (spaCy's trained pipes cannot take one);
        # they are where a rule could trip over an unusual document.
        previous_handler = self.nlp.default_error_handler
        self.nlp.default_error_handler = _skip_failed_doc
        try:
            for doc, (article, context) in self.nlp.pipe(
                prepared(), as_tuples=True, n_process=n_process, batch_size=batch_size
            ):
                analysis = self._to_analysis(doc, article)
                yield (analysis, context) if as_tuples else analysis
        finally:
            self.nlp.default_error_handler = previous_handler


_default: Analyzer | None = None


def analyze(
    text: str,
    *,
    title: str | None = None,
    url: str | None = None,
    published: dt.date | dt.datetime | str | None = None,
) -> Analysis:
    """Analyse one article with the default :class:`Analyzer` (built on first use, then reused)."""
    global _default
    if _default is None:
        _default = Analyzer()
    return _default.analyze(text, title=title, url=url, published=published)
