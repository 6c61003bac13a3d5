"""Attribution F1 on PolNeAR (source, cue, content and whole relations): sayso vs. textacy, one scorer.

Run ``python eval/attribution.py`` (``--split dev|train``, ``--data-dir DIR``, ``--systems sayso,textacy``,
``--limit N``, ``--json OUT``, ``--predictions FILE``, ``--floor METRIC=VALUE``). ``evaluate()`` returns
the same numbers as a dict, for the README table and the CI gate.

What is scored, and why
-----------------------
* **Gold**: PolNeAR v1.0 (Newell, Margolin & Ruths, LREC 2018), ``<data>/polnear/<split>``. One annotator
  per article: the first ``<article>_<annotator>.ann`` in sorted order (several articles were annotated
  by several people for the agreement study; mixing them would count one attribution several times).
  Each ``E`` line is one relation: ``Attribution:T Source:T Cue:T Content:T [Content2:T ...]``. Numbered
  roles (``Content2``) are further pieces of the same role. Discontinuous spans (``a b;c d``) are kept as
  pieces and a role is compared as the union of its pieces. ``Attribution-no-source`` relations have no
  source (PolNeAR's implicit/passive attributions: "It is said that ..."). ``E`` lines with neither cue
  nor content (brat leaves such empty duplicates of an anchor behind, 34 in train) are dropped, as are
  ``Discuss``/``Discard`` spans. Offsets are code points into the text read with ``newline=""``.
* **Systems**: ``sayso`` (``Analyzer.analyze_many``; every attribution's ``source``, ``cue`` and
  ``content`` pieces), ``textacy`` (``textacy.extract.triples.direct_quotations`` on the same small spaCy
  model, each article parsed once with ``nlp.pipe``) and ``predictions`` (sayso/1 analyses from a JSONL
  file, so that any tool can be scored). An article a system raises on, skips, or has no prediction for
  is a **crash**: it counts, and its gold relations all count as misses.
* **Nested attributions**: PolNeAR annotates only the outermost attribution ("no nested attributions",
  annotation guidelines). A predicted attribution with a ``parent`` is therefore not scored (it is neither
  right nor wrong); ``keep_nested=True`` / ``--keep-nested`` scores them too (they can then only be false
  positives). The number left out is reported.

Span normalisation (the ``exact`` criterion)
--------------------------------------------
PolNeAR's guidelines exclude punctuation at the edges of a span "normally", but include the quotation
marks of quoted content, a question mark that belongs to the content, parenthetical commas around a
source, and a colon or dash that acts as a cue; other tools (textacy) include the quotation marks and
stop elsewhere. So that ``exact`` measures boundaries and not punctuation conventions, every piece of
every span, gold and predicted alike, is trimmed at both ends of whitespace and of the characters in
:data:`EDGE_PUNCT` (``. , ; : ! ? " ' “ ” ‘ ’ « » ( ) [ ] { } — – - … * ` ``); a piece that trimming
would empty (a cue that is just ":" or "—") keeps its punctuation and loses only whitespace. Pieces are
then sorted and merged where they overlap, touch, or are separated only by whitespace and those
punctuation characters (a quote split over two paragraphs, or into two quoted sentences with nothing
else between them, is one stretch of text however it was cut into pieces). Two role spans match
``exact`` when these normalised piece lists are identical.

Tokens (the ``overlap`` and ``token`` criteria)
-----------------------------------------------
Tokens are a tool-independent tokenisation of the article text: runs of word characters (``\\w+``) and
single other non-space characters (regex ``\\w+|[^\\w\\s]``). A span's tokens are those that share at least
one character with one of its normalised pieces (a span starting inside a word gets the whole word).
Using the text rather than any system's tokenizer keeps the scorer identical for every system.

Matching
--------
* **Role spans** (``source``, ``cue``, ``content``): per article and role, the distinct normalised spans
  of the gold relations are compared with the distinct normalised spans of the predicted relations (a
  source shared by two relations, "Newsweek announced ... and said ...", is one source in the text; how
  many relations it is attached to is what relation F1 measures). Three schemes, micro-averaged over
  the corpus:

  - ``exact``: identical normalised spans (one-to-one by construction).
  - ``overlap``: a predicted span matches a gold span when they share at least one token; matching is
    one-to-one and greedy, largest number of shared tokens first (ties: text order), so one predicted
    span covering two gold contents earns one hit and one miss. This is the lenient "partial" criterion
    of the PARC line of work (Pareti et al. 2013; Pareti 2016; Scheible et al. 2016 report strict and
    partial/overlap scores), made one-to-one so that a long prediction cannot match everything.
  - ``token``: proportional credit, as in PolNeAR's token-wise agreement (the corpus is univocal: each
    token has one role, so a role is also a token set): precision = shared tokens / predicted tokens of
    that role, recall = shared tokens / gold tokens of that role, over the union of the article's spans.

* **Relations**: a predicted relation matches a gold relation when, for each of source, cue and content,
  either both are absent or both are present and match under the criterion (``overlap`` or ``exact``,
  as above); matching is one-to-one and greedy, most shared tokens over the three roles first. A gold
  relation **without a source** (``Attribution-no-source``) is matched only by a prediction without a
  source: PolNeAR leaves the source out exactly where the text names none ("It is said", empty "it" and
  "there" are not sources), so a predicted source there is a wrong answer to "who says", which is the
  question sayso answers. Symmetrically a predicted relation without a source cannot match a gold one
  with a source. How many gold relations lack a source is reported, so the effect can be judged.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sayso.settings import data_dir as default_data_dir

CharSpan = tuple[int, int]
Pieces = tuple[CharSpan, ...]
ROLES: tuple[str, ...] = ("source", "cue", "content")
SCHEMES: tuple[str, ...] = ("exact", "overlap", "token")
RELATION_SCHEMES: tuple[str, ...] = ("overlap", "exact")
DEFAULT_SYSTEMS: tuple[str, ...] = ("sayso", "textacy")
KNOWN_SYSTEMS: tuple[str, ...] = ("sayso", "textacy", "predictions")

EDGE_PUNCT = ".,;:!?\"'“”‘’«»()[]{}—–-…*`"
_TRIM = EDGE_PUNCT + " \t\n\r\f\v\u00a0\u2009\u200a\u200b\u202f\u3000"
_TOKEN = re.compile(r"\w+|[^\w\s]")
_BRAT_T = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t")
_BRAT_E = re.compile(r"^(E\d+)\t(\S.*?)\s*$")


# ------------------------------------------------------------------------------------------ gold data


@dataclass(frozen=True)
class Relation:
    """One attribution relation as character pieces per role; an empty tuple means the role is absent."""

    source: Pieces = ()
    cue: Pieces = ()
    content: Pieces = ()

    def role(self, name: str) -> Pieces:
        return tuple(getattr(self, name))


@dataclass
class BratStats:
    """What the reader dropped, so that a surprising count can be traced to the annotation files."""

    empty_events: int = 0
    dangling_refs: int = 0


@dataclass
class GoldArticle:
    """One PolNeAR article: its text, the annotator whose file was used, and the gold relations."""

    name: str
    text: str
    annotator: str
    relations: list[Relation] = field(default_factory=list)


def parse_brat(ann: str, stats: BratStats | None = None) -> list[Relation]:
    """Read the attribution relations of one brat standoff file (the ``E`` lines and their ``T`` spans).

    Lines that are neither ``T`` nor ``E`` records are ignored: brat writes a span's covered text after
    the offsets, and when that text contains a newline its continuation lands on lines of its own.
    """
    stats = stats if stats is not None else BratStats()
    spans: dict[str, Pieces] = {}
    events: list[list[tuple[str, str]]] = []
    for line in ann.splitlines():
        t_match = _BRAT_T.match(line)
        if t_match:
            pieces = tuple((int(a), int(b)) for a, b in (p.split() for p in t_match.group(3).split(";")))
            spans[t_match.group(1)] = pieces
            continue
        e_match = _BRAT_E.match(line)
        if e_match:
            pairs = (arg.partition(":") for arg in e_match.group(2).split())
            events.append([(role, ref) for role, colon, ref in pairs if colon])
    relations: list[Relation] = []
    for args in events:
        roles: dict[str, list[CharSpan]] = {role: [] for role in ROLES}
        for role, ref in args:  # the trigger (Attribution / Attribution-no-source: anchor) is no role
            name = role.rstrip("0123456789").lower()
            if name not in roles:
                continue
            if ref not in spans:
                stats.dangling_refs += 1
                continue
            roles[name].extend(spans[ref])
        if not roles["cue"] and not roles["content"]:
            stats.empty_events += 1
            continue
        relations.append(Relation(**{role: tuple(sorted(set(p))) for role, p in roles.items()}))
    return relations


def _read(path: Path) -> str:
    # newline="" keeps "\r\n" as two characters: brat offsets count them.
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def load_polnear(
    data_dir: Path | str | None = None, split: str = "dev", limit: int | None = None
) -> tuple[list[GoldArticle], BratStats]:
    """The articles of a PolNeAR split with the relations of their first annotator (sorted order)."""
    root = (Path(data_dir) if data_dir is not None else default_data_dir()) / "polnear" / split
    texts = sorted((root / "text").glob("*.txt"))
    if not texts:
        raise FileNotFoundError(f"no PolNeAR texts under {root / 'text'}")
    annotations: dict[str, list[Path]] = {}
    for ann in sorted((root / "attributions").glob("*.ann")):
        annotations.setdefault(ann.stem.rsplit("_", 1)[0], []).append(ann)
    stats = BratStats()
    articles: list[GoldArticle] = []
    for path in texts:
        files = annotations.get(path.stem)
        if not files:
            continue
        first = files[0]
        relations = parse_brat(_read(first), stats)
        articles.append(GoldArticle(path.stem, _read(path), first.stem.rsplit("_", 1)[1], relations))
        if limit is not None and len(articles) >= limit:
            break
    return articles, stats


# ------------------------------------------------------------------------------------------ spans


def trim(text: str, start: int, end: int) -> CharSpan | None:
    """Trim whitespace and :data:`EDGE_PUNCT` from both ends; keep punctuation a piece consists of."""
    a, b = start, end
    while a < b and text[a] in _TRIM:
        a += 1
    while b > a and text[b - 1] in _TRIM:
        b -= 1
    if a < b:
        return (a, b)
    a, b = start, end
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else None


def normalize(text: str, pieces: Iterable[CharSpan]) -> Pieces:
    """Trimmed pieces, sorted, merged where they overlap or only whitespace and edge punctuation part them."""
    trimmed = sorted(t for t in (trim(text, max(0, a), min(len(text), b)) for a, b in pieces) if t)
    merged: list[CharSpan] = []
    for a, b in trimmed:
        if merged and (a <= merged[-1][1] or not text[merged[-1][1] : a].strip(_TRIM)):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tuple(merged)


class Tokens:
    """The text-based tokenisation shared by every system (``\\w+|[^\\w\\s]``)."""

    def __init__(self, text: str) -> None:
        matches = list(_TOKEN.finditer(text))
        self.starts = [m.start() for m in matches]
        self.ends = [m.end() for m in matches]

    def of(self, pieces: Pieces) -> frozenset[int]:
        """Indices of the tokens sharing at least one character with one of ``pieces``."""
        found: set[int] = set()
        for a, b in pieces:
            first = bisect.bisect_right(self.ends, a)
            last = bisect.bisect_left(self.starts, b)
            found.update(range(first, last))
        return frozenset(found)


# ------------------------------------------------------------------------------------------ scoring


@dataclass
class Counts:
    """True positives, false positives and false negatives, summed over the corpus (micro average)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def prf(self) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "p": round(p, 4),
            "r": round(r, 4),
            "f1": round(f, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(frozen=True)
class _Span:
    """A normalised role span with its tokens (what the matchers compare)."""

    pieces: Pieces
    tokens: frozenset[int]


def _greedy(candidates: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """One-to-one pairs from ``(score, gold_index, pred_index)``, highest score first, ties in text order."""
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, g, p in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            pairs.append((g, p))
    return pairs


def _span_match(gold: _Span, pred: _Span, scheme: str) -> int | None:
    """Shared-token score when ``pred`` matches ``gold`` under ``scheme`` (exact/overlap), else None."""
    shared = len(gold.tokens & pred.tokens)
    if scheme == "exact":
        return max(shared, 1) if gold.pieces == pred.pieces else None
    return shared if shared else None


def match_spans(gold: Sequence[_Span], pred: Sequence[_Span], scheme: str) -> list[tuple[int, int]]:
    """One-to-one matches between two lists of role spans under ``exact`` or ``overlap``."""
    candidates = [
        (score, g, p)
        for g, gs in enumerate(gold)
        for p, ps in enumerate(pred)
        if (score := _span_match(gs, ps, scheme)) is not None
    ]
    return _greedy(candidates)


_NormRelation = dict[str, _Span | None]


def _relation_score(gold: _NormRelation, pred: _NormRelation, scheme: str) -> int | None:
    total = 0
    for role in ROLES:
        g, p = gold[role], pred[role]
        if g is None and p is None:
            continue
        if g is None or p is None:
            return None
        score = _span_match(g, p, scheme)
        if score is None:
            return None
        total += score
    return total


def match_relations(
    gold: Sequence[_NormRelation], pred: Sequence[_NormRelation], scheme: str
) -> list[tuple[int, int]]:
    """One-to-one matches of whole relations: every role absent in both, or present in both and matching."""
    candidates = [
        (score, g, p)
        for g, gr in enumerate(gold)
        for p, pr in enumerate(pred)
        if (score := _relation_score(gr, pr, scheme)) is not None
    ]
    return _greedy(candidates)


@dataclass
class Scorer:
    """Accumulates role and relation counts over articles; one instance per system."""

    roles: dict[str, dict[str, Counts]] = field(
        default_factory=lambda: {role: {scheme: Counts() for scheme in SCHEMES} for role in ROLES}
    )
    relations: dict[str, Counts] = field(default_factory=lambda: {s: Counts() for s in RELATION_SCHEMES})
    predicted_relations: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    keep_errors: int = 0

    def add(self, text: str, gold: Sequence[Relation], predicted: Sequence[Relation], name: str = "") -> None:
        """Score one article's predicted relations against its gold relations."""
        tokens = Tokens(text)

        def norm(pieces: Pieces) -> _Span | None:
            normalised = normalize(text, pieces)
            return _Span(normalised, tokens.of(normalised)) if normalised else None

        gold_norm = [{role: norm(r.role(role)) for role in ROLES} for r in gold]
        pred_norm = [{role: norm(r.role(role)) for role in ROLES} for r in predicted]
        self.predicted_relations += len(predicted)
        for role in ROLES:
            gold_spans = _distinct(r[role] for r in gold_norm)
            pred_spans = _distinct(r[role] for r in pred_norm)
            for scheme in ("exact", "overlap"):
                hits = len(match_spans(gold_spans, pred_spans, scheme))
                self.roles[role][scheme].add(hits, len(pred_spans) - hits, len(gold_spans) - hits)
            gold_tokens = frozenset().union(*(s.tokens for s in gold_spans))
            pred_tokens = frozenset().union(*(s.tokens for s in pred_spans))
            shared = len(gold_tokens & pred_tokens)
            self.roles[role]["token"].add(shared, len(pred_tokens) - shared, len(gold_tokens) - shared)
        for scheme in RELATION_SCHEMES:
            pairs = match_relations(gold_norm, pred_norm, scheme)
            hits = len(pairs)
            self.relations[scheme].add(hits, len(pred_norm) - hits, len(gold_norm) - hits)
            if scheme == "overlap" and len(self.errors) < self.keep_errors:
                self._keep_errors(text, name, gold_norm, pred_norm, pairs)

    def _keep_errors(
        self,
        text: str,
        name: str,
        gold: Sequence[_NormRelation],
        pred: Sequence[_NormRelation],
        pairs: Sequence[tuple[int, int]],
    ) -> None:
        def show(relation: _NormRelation) -> dict[str, str | None]:
            return {
                role: None if span is None else " … ".join(text[a:b] for a, b in span.pieces)
                for role, span in relation.items()
            }

        matched_gold = {g for g, _ in pairs}
        matched_pred = {p for _, p in pairs}
        for kind, relations, matched in (("FN", gold, matched_gold), ("FP", pred, matched_pred)):
            for index, relation in enumerate(relations):
                if index not in matched and len(self.errors) < self.keep_errors:
                    self.errors.append({"kind": kind, "article": name, **show(relation)})

    def summary(self) -> dict[str, Any]:
        return {
            "roles": {role: {s: c.prf() for s, c in schemes.items()} for role, schemes in self.roles.items()},
            "relation": {scheme: c.prf() for scheme, c in self.relations.items()},
            "predicted_relations": self.predicted_relations,
        }


def _distinct(spans: Iterable[_Span | None]) -> list[_Span]:
    seen: dict[Pieces, _Span] = {}
    for span in spans:
        if span is not None and span.pieces not in seen:
            seen[span.pieces] = span
    return list(seen.values())


def score_article(gold: Sequence[Relation], predicted: Sequence[Relation], text: str) -> dict[str, Any]:
    """Scores of a single article (what the tests and quick checks use)."""
    scorer = Scorer()
    scorer.add(text, gold, predicted)
    return scorer.summary()


# ------------------------------------------------------------------------------------------ systems


@dataclass
class SystemRun:
    """One system's relations per article (None: the system crashed, skipped or has no prediction)."""

    predictions: list[list[Relation] | None]
    seconds: float
    crashes: dict[str, str] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def _pieces(span: Mapping[str, Any] | None, length: int) -> Pieces:
    if not span:
        return ()
    start, end = int(span["start"]), int(span["end"])
    if not 0 <= start <= end <= length:
        raise ValueError(f"span [{start}:{end}] outside a text of {length} characters")
    return ((start, end),) if end > start else ()


def relations_from_sayso(
    attributions: Iterable[Mapping[str, Any]], length: int, keep_nested: bool = False
) -> tuple[list[Relation], int]:
    """Relations from sayso/1 ``attributions`` dicts, and how many nested ones were left out."""
    relations: list[Relation] = []
    nested = 0
    for item in attributions:
        if item.get("parent") is not None and not keep_nested:
            nested += 1
            continue
        content = tuple(p for span in item.get("content") or [] for p in _pieces(span, length))
        relations.append(
            Relation(
                source=_pieces(item.get("source"), length),
                cue=_pieces(item.get("cue"), length),
                content=tuple(sorted(content)),
            )
        )
    return relations, nested


def run_sayso(
    articles: Sequence[GoldArticle],
    analyzer: Any = None,
    model: str | None = None,
    profile: str | None = None,
    keep_nested: bool = False,
) -> SystemRun:
    """sayso's attributions per article through ``Analyzer.analyze_many`` (skipped articles are crashes)."""
    from sayso import Analyzer

    t0 = time.perf_counter()
    if analyzer is None:
        analyzer = Analyzer(model=model, profile=profile)
    load_seconds = time.perf_counter() - t0
    predictions: list[list[Relation] | None] = [None] * len(articles)
    crashes: dict[str, str] = {}
    nested = 0
    started = time.perf_counter()
    done: set[int] = set()
    try:
        items = ((a.text, i) for i, a in enumerate(articles))
        for analysis, index in analyzer.analyze_many(items, as_tuples=True):
            done.add(index)
            relations, left_out = relations_from_sayso(
                (a.model_dump() for a in analysis.attributions), len(articles[index].text), keep_nested
            )
            predictions[index] = relations
            nested += left_out
    except Exception as exc:  # the batch died: analyse what is left one by one, to find the culprit
        crashes["<batch>"] = f"{type(exc).__name__}: {exc}"
        for index, article in enumerate(articles):
            if index in done:
                continue
            done.add(index)
            try:
                analysis = analyzer.analyze(article.text)
            except Exception as one_exc:
                crashes[article.name] = f"{type(one_exc).__name__}: {one_exc}"
                continue
            predictions[index], left_out = relations_from_sayso(
                (a.model_dump() for a in analysis.attributions), len(article.text), keep_nested
            )
            nested += left_out
    seconds = time.perf_counter() - started
    for index, article in enumerate(articles):
        if predictions[index] is None and article.name not in crashes:
            crashes[article.name] = "skipped by analyze_many (see the sayso log)"
    crashes.pop("<batch>", None)
    return SystemRun(
        predictions,
        seconds,
        crashes,
        {
            "model": getattr(analyzer, "model_id", "?"),
            "load_seconds": round(load_seconds, 2),
            "nested_left_out": nested,
        },
    )


def _token_pieces(tokens: Sequence[Any]) -> Pieces:
    """Character pieces of a token list, one piece per run of consecutive tokens."""
    pieces: list[CharSpan] = []
    previous = None
    for tok in sorted(tokens, key=lambda t: t.i):
        start, end = tok.idx, tok.idx + len(tok.text)
        if previous is not None and tok.i == previous + 1 and pieces:
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
        previous = tok.i
    return tuple(pieces)


def run_textacy(articles: Sequence[GoldArticle], model: str | None = None) -> SystemRun:
    """textacy's ``direct_quotations`` on one ``nlp.pipe`` parse per article (a raise is a crash)."""
    import textacy
    from textacy.extract.triples import direct_quotations

    from sayso.pipeline import load_base

    t0 = time.perf_counter()
    nlp = load_base(model)
    load_seconds = time.perf_counter() - t0
    predictions: list[list[Relation] | None] = []
    crashes: dict[str, str] = {}
    parse_seconds = 0.0
    started = time.perf_counter()
    docs = nlp.pipe(a.text for a in articles)
    for article in articles:
        t1 = time.perf_counter()
        doc = next(docs)
        parse_seconds += time.perf_counter() - t1
        try:
            triples = list(direct_quotations(doc))
        except Exception as exc:  # textacy raises ValueError on an odd number of quotation marks
            crashes[article.name] = f"{type(exc).__name__}: {exc}"
            predictions.append(None)
            continue
        predictions.append(
            [
                Relation(
                    source=_token_pieces(t.speaker),
                    cue=_token_pieces(t.cue),
                    content=((t.content.start_char, t.content.end_char),),
                )
                for t in triples
            ]
        )
    seconds = time.perf_counter() - started
    info = {
        "version": getattr(textacy, "__version__", "?"),
        "model": f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}",
        "load_seconds": round(load_seconds, 2),
        "parse_seconds": round(parse_seconds, 2),
    }
    return SystemRun(predictions, seconds, crashes, info)


def read_predictions(path: Path | str) -> Iterator[dict[str, Any]]:
    """sayso/1 analyses, one JSON object a line (blank lines skipped)."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def run_predictions(
    articles: Sequence[GoldArticle], path: Path | str, keep_nested: bool = False
) -> SystemRun:
    """Relations from a JSONL file of sayso/1 analyses, matched to articles by text.

    An analysis is matched to an article by an ``article`` (or ``id``) field equal to the article's file
    name when it has one, otherwise by identical ``text``. Offsets are only meaningful against the text
    they were computed on, so a named analysis whose text differs from the article's is a crash, as is an
    article without any analysis.
    """
    started = time.perf_counter()
    by_name: dict[str, dict[str, Any]] = {}
    by_text: dict[str, dict[str, Any]] = {}
    for line in read_predictions(path):
        key = line.get("article") or line.get("id")
        if isinstance(key, str):
            by_name[key] = line
        if isinstance(line.get("text"), str):
            by_text.setdefault(line["text"], line)
    predictions: list[list[Relation] | None] = []
    crashes: dict[str, str] = {}
    nested = 0
    for article in articles:
        record = by_name.get(article.name) or by_text.get(article.text)
        if record is None:
            crashes[article.name] = "no prediction"
            predictions.append(None)
            continue
        if "text" in record and record["text"] != article.text:
            crashes[article.name] = "prediction made on a different text"
            predictions.append(None)
            continue
        try:
            relations, left_out = relations_from_sayso(
                record.get("attributions") or [], len(article.text), keep_nested
            )
        except (KeyError, TypeError, ValueError) as exc:
            crashes[article.name] = f"bad prediction: {type(exc).__name__}: {exc}"
            predictions.append(None)
            continue
        nested += left_out
        predictions.append(relations)
    return SystemRun(
        predictions, time.perf_counter() - started, crashes, {"file": str(path), "nested_left_out": nested}
    )


# ------------------------------------------------------------------------------------------ evaluation


def evaluate(
    split: str = "dev",
    systems: Sequence[str] = DEFAULT_SYSTEMS,
    data_dir: Path | str | None = None,
    limit: int | None = None,
    analyzer: Any = None,
    *,
    model: str | None = None,
    profile: str | None = None,
    predictions: Path | str | None = None,
    keep_nested: bool = False,
    errors: int = 0,
) -> dict[str, Any]:
    """Score each system on a PolNeAR split; return every number (see the module docstring for how).

    ``analyzer`` is a ready :class:`sayso.Analyzer` (else one is built from ``model``/``profile``);
    ``predictions`` is the JSONL file the ``predictions`` system reads. The result has per system
    ``roles`` (role -> scheme -> p/r/f1/tp/fp/fn), ``relation`` (overlap/exact), ``crashes``,
    ``articles``, ``seconds`` and a flat ``metrics`` dict (``content_overlap``, ``relation_exact``, ...:
    F1 values, ``*_p``/``*_r`` for precision/recall) that floors are checked against.
    """
    unknown = [s for s in systems if s not in KNOWN_SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(KNOWN_SYSTEMS)}")
    if "predictions" in systems and predictions is None:
        raise ValueError("the 'predictions' system needs a predictions file")
    articles, stats = load_polnear(data_dir, split, limit)
    result: dict[str, Any] = {
        "dataset": f"PolNeAR v1.0 {split}",
        "split": split,
        "articles": len(articles),
        "gold_relations": sum(len(a.relations) for a in articles),
        "gold_without_source": sum(1 for a in articles for r in a.relations if not r.source),
        "gold_discontinuous_content": sum(1 for a in articles for r in a.relations if len(r.content) > 1),
        "brat_dropped": {"empty_events": stats.empty_events, "dangling_refs": stats.dangling_refs},
        "systems": {},
    }
    for system in systems:
        if system == "sayso":
            run = run_sayso(articles, analyzer, model, profile, keep_nested)
        elif system == "textacy":
            run = run_textacy(articles, model)
        else:
            assert predictions is not None
            run = run_predictions(articles, predictions, keep_nested)
        scorer = Scorer(keep_errors=errors)
        for article, predicted in zip(articles, run.predictions, strict=True):
            scorer.add(article.text, article.relations, predicted or [], article.name)
        summary = scorer.summary()
        summary.update(
            {
                "articles": len(articles),
                "crashes": len(run.crashes),
                "crashed": run.crashes,
                "seconds": round(run.seconds, 2),
                **run.info,
            }
        )
        summary["metrics"] = flat_metrics(summary)
        if errors:
            summary["errors"] = scorer.errors
        result["systems"][system] = summary
    return result


def flat_metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    """``{role}_{scheme}`` and ``relation_{scheme}`` F1 (plus ``_p``/``_r``) and ``crash_rate``."""
    metrics: dict[str, float] = {}
    rows = [(f"{role}_{s}", v) for role, schemes in summary["roles"].items() for s, v in schemes.items()]
    rows += [(f"relation_{s}", v) for s, v in summary["relation"].items()]
    for key, prf in rows:
        metrics[key] = float(prf["f1"])
        metrics[f"{key}_f1"] = float(prf["f1"])
        metrics[f"{key}_p"] = float(prf["p"])
        metrics[f"{key}_r"] = float(prf["r"])
    metrics["crash_rate"] = round(summary["crashes"] / summary["articles"], 4) if summary["articles"] else 0.0
    return metrics


def check_floors(result: Mapping[str, Any], floors: Sequence[str], default_system: str) -> list[str]:
    """Unmet floors as messages. A floor is ``[system:]metric=value``, e.g. ``relation_overlap=0.70``.

    A metric must be at least its floor, except ``crash_rate``, which must be at most its value.
    """
    failures: list[str] = []
    for floor in floors:
        spec, _, value = floor.partition("=")
        system, _, metric = spec.rpartition(":")
        system = system or default_system
        try:
            bound = float(value)
        except ValueError:
            failures.append(f"{floor}: not METRIC=NUMBER")
            continue
        metrics = result["systems"].get(system, {}).get("metrics", {})
        if metric not in metrics:
            failures.append(f"{floor}: no metric {metric!r} for system {system!r}")
            continue
        got = metrics[metric]
        ok = got <= bound if metric == "crash_rate" else got >= bound
        if not ok:
            sign = "<=" if metric == "crash_rate" else ">="
            failures.append(f"{system} {metric} = {got:.4f}, needs {sign} {bound:.4f}")
    return failures


# ------------------------------------------------------------------------------------------ CLI


def format_table(result: Mapping[str, Any]) -> str:
    """The human-readable table: per system, role x scheme P/R/F1, relation F1, crashes and time."""
    lines = [
        f"{result['dataset']}: {result['articles']} articles, {result['gold_relations']} gold relations "
        f"({result['gold_without_source']} without source, {result['gold_discontinuous_content']} with "
        "discontinuous content)"
    ]
    w = max([10, *(len(name) + 2 for name in result["systems"])])
    header = f"{'':<{w}}{'role':<9}{'scheme':<9}{'P':>7}{'R':>7}{'F1':>7}{'tp':>7}{'fp':>7}{'fn':>7}"
    for name, s in result["systems"].items():
        extra = ", ".join(f"{k} {s[k]}" for k in ("version", "model") if k in s)
        lines.append(f"\n[{name}]{' ' + extra if extra else ''}")
        lines.append(header)
        for role in ROLES:
            for scheme in SCHEMES:
                v = s["roles"][role][scheme]
                lines.append(
                    f"{name:<{w}}{role:<9}{scheme:<9}{v['p']:>7.3f}{v['r']:>7.3f}{v['f1']:>7.3f}"
                    f"{v['tp']:>7}{v['fp']:>7}{v['fn']:>7}"
                )
        for scheme in RELATION_SCHEMES:
            v = s["relation"][scheme]
            lines.append(
                f"{name:<{w}}{'relation':<9}{scheme:<9}{v['p']:>7.3f}{v['r']:>7.3f}{v['f1']:>7.3f}"
                f"{v['tp']:>7}{v['fp']:>7}{v['fn']:>7}"
            )
        timing = f"{s['seconds']}s"
        if "parse_seconds" in s:
            timing += f" (spaCy parse {s['parse_seconds']}s)"
        if "load_seconds" in s:
            timing += f", load {s['load_seconds']}s"
        lines.append(
            f"crashes {s['crashes']}/{s['articles']}, predicted relations {s['predicted_relations']}"
            + (f", nested left out {s['nested_left_out']}" if s.get("nested_left_out") else "")
            + f", time {timing}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--split", default="dev", choices=("dev", "train"), help="PolNeAR split")
    parser.add_argument("--data-dir", type=Path, default=None, help="shared datasets folder (SAYSO_DATA_DIR)")
    parser.add_argument(
        "--systems",
        default=None,
        help="comma-separated of sayso, textacy, predictions (default: sayso,textacy, or predictions "
        "when --predictions is given)",
    )
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N articles")
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help="write the numbers as JSON")
    parser.add_argument("--model", default=None, help="spaCy pipeline for sayso and textacy (SAYSO_MODEL)")
    parser.add_argument("--profile", default=None, help="sayso profile: fast or full (SAYSO_PROFILE)")
    parser.add_argument("--predictions", type=Path, metavar="FILE", help="JSONL of sayso/1 analyses")
    parser.add_argument("--keep-nested", action="store_true", help="also score attributions with a parent")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="print N unmatched relations")
    parser.add_argument(
        "--floor",
        action="append",
        default=[],
        metavar="[SYSTEM:]METRIC=VALUE",
        help="fail (exit 1) when a metric is below VALUE, e.g. relation_overlap=0.70 (system: the first one)",
    )
    parser.add_argument("--check-floors", action="store_true", help="require at least one --floor")
    args = parser.parse_args(argv)
    if args.check_floors and not args.floor:
        parser.error("--check-floors needs at least one --floor METRIC=VALUE")
    if args.systems is not None:
        systems = tuple(s.strip() for s in args.systems.split(",") if s.strip())
    else:
        systems = ("predictions",) if args.predictions else DEFAULT_SYSTEMS
    try:
        result = evaluate(
            args.split,
            systems,
            args.data_dir,
            args.limit,
            model=args.model,
            profile=args.profile,
            predictions=args.predictions,
            keep_nested=args.keep_nested,
            errors=args.errors,
        )
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    print(format_table(result))
    for name, s in result["systems"].items():
        for error in s.pop("errors", []):
            print(name, json.dumps(error, ensure_ascii=False), sep="\t", file=sys.stderr)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    failures = check_floors(result, args.floor, systems[0]) if args.floor else []
    for failure in failures:
        print(f"FLOOR NOT MET: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
