"""Event F1 on MEANTIME (English Wikinews): triggers, actors (Arg0) and targets (Arg1), sayso vs. a baseline.

Run ``python eval/events.py`` (``--data-dir DIR``, ``--limit N``, ``--json OUT``, ``--errors N``).
``evaluate()`` returns the same numbers as a dict (a flat ``metrics`` dict per system) for the README
table and the CI floors. Both systems read the same parse: each document is parsed once by the base
model, the baseline reads that parse, then ``sayso_events`` runs on the same ``Doc``.

What is scored, and why
-----------------------
* **Documents**: the 96 MEANTIME documents in ``<data>/meantime_en`` (any name in ``heldout_docs.txt``
  is skipped). Text is rebuilt from MEANTIME's tokens exactly as ``eval/entities.py`` does (copied here
  so that the two scorers stay independent): no space before closing punctuation and clitics, PTB quotes
  made curly, a blank line after the title and the date line. The model runs on the whole text.
* **Region**: MEANTIME annotates events and their participants fully in sentences 0-5 only (title, date
  line, first four body sentences: 1,694 of the 2,170 event mentions; later sentences carry only the few
  mentions needed for cross-document links). Only gold and predicted triggers that start in sentences
  0-5 are scored, so a system is not punished for finding events the annotators did not look at.
* **Gold events**: every ``EVENT_MENTION`` of the region, whatever its part of speech: MEANTIME marks
  verbs ("defeated"), event nouns ("the contest", "development"), and predicative adjectives or
  participles ("required", "worth"), and a clause-heading "be" ("It *was* a milestone"); it leaves out
  auxiliaries and modals, and marks light-verb constructions on the noun ("made *its maiden flight*").
* **Trigger match**: a predicted trigger matches a gold mention when they share a token (their character
  ranges overlap; the predicted trigger is a spaCy token, occasionally a verb with its particle such as
  "call on", the gold one one or more MEANTIME tokens such as "take away"). Matching is one-to-one, in
  text order, so two predictions on one gold mention earn one hit and one false positive.
* **Participants**: ``HAS_PARTICIPANT`` relations with ``sem_role`` Arg0 (PropBank agent: the actor)
  and Arg1 (patient/theme: the target), each pointing to an ``ENTITY_MENTION`` whose extent is a whole
  noun phrase ("the parent product development team"). Scoring is per *role filled*: a gold event counts
  once for Arg0 when it has at least one Arg0 participant (coordinated actors, "Northrop Grumman and
  EADS", are two mentions but one role: sayso outputs one actor span per event), a predicted event once
  when it has an actor. A predicted actor is right when its event matched a gold event and the actor's
  span overlaps one of that event's Arg0 mentions, or another mention of the same entity (``REFERS_TO``
  the same instance) in the same sentence: MEANTIME marks the relative pronoun ("five *which* can
  carry"), sayso reports its antecedent, and both name the same participant. Same for Arg1 / target.
* **Two schemes for argument precision.** MEANTIME links participants only where they are entity
  mentions, and marks no role at all on many events ("the floods were the worst": no entity; "it is
  expected": none), so an unannotated role is *unknown*, not *empty*.

  - ``arg0``/``arg1`` (primary, "annotated roles"): a predicted actor is a false positive only when its
    event matched a gold event that has an Arg0 and the actor matches none of its answers; actors on
    events without an annotated Arg0, or on unmatched triggers, are not scored (the trigger error is
    counted by trigger F1). Recall is over every gold role, so missing or unmatched events cost recall.
  - ``arg0_strict``/``arg1_strict``: every predicted actor that is not a hit is a false positive. This
    is a lower bound: it punishes correct actors that MEANTIME simply did not annotate.
* **Micro-averaged** P/R/F1 over all documents.

Systems
-------
* ``sayso``: ``sayso.pipeline.load_base()`` plus ``sayso_events`` with its default config; every event
  it outputs counts, including those of type ``other`` (MEANTIME annotates all events, not only typed
  ones).
* ``baseline``: every token tagged ``VERB`` is an event; its ``nsubj`` (subtree) is the actor, its
  ``dobj`` (subtree) the target.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import Doc, Token

import sayso.components.events  # noqa: F401  (registers the sayso_events factory)
from sayso.components._common import EventRecord
from sayso.pipeline import load_base
from sayso.settings import data_dir as default_data_dir

sys.path.insert(0, str(Path(__file__).resolve().parent))  # eval/ is a folder of scripts: find _meantime
from _meantime import ANNOTATED_SENTENCES, meantime_files, rebuild_text

CharSpan = tuple[int, int]
ROLES = ("Arg0", "Arg1")
SYSTEMS = ("sayso", "baseline")
_COUNTED = ("trigger", *ROLES, *(f"{role}_strict" for role in ROLES))


@dataclass
class GoldEvent:
    """One gold event mention: its tokens' character spans and its Arg0/Arg1 participant spans."""

    tokens: list[CharSpan]
    args: dict[str, list[list[CharSpan]]] = field(default_factory=dict)
    """role -> participants -> the participant's mention followed by the other mentions of the same entity
    in the same sentence (any of them matches)."""

    @property
    def span(self) -> CharSpan:
        return (self.tokens[0][0], self.tokens[-1][1])


@dataclass
class MeantimeDoc:
    """One MEANTIME document: the rebuilt text and the gold events of its annotated region."""

    name: str
    text: str
    region_end: int
    events: list[GoldEvent] = field(default_factory=list)


@dataclass
class Prediction:
    """One predicted event, reduced to what MEANTIME can score."""

    trigger: CharSpan
    args: dict[str, CharSpan | None]


# ------------------------------------------------------------------------------------------ loading


def load_document(path: Path) -> MeantimeDoc:
    """Parse one MEANTIME CAT XML file into text and the gold events of sentences 0-5."""
    root = ET.parse(path).getroot()
    tokens = [(t.get("t_id", ""), int(t.get("sentence", "0")), t.text or "") for t in root.iter("token")]
    text, spans = rebuild_text(tokens)
    sentence_of = {t_id: s for t_id, s, _ in tokens}
    region_end = max((spans[t_id][1] for t_id, s, _ in tokens if s < ANNOTATED_SENTENCES), default=0)
    doc = MeantimeDoc(name=path.stem, text=text, region_end=region_end)
    markables = root.find("Markables")
    if markables is None:
        return doc
    mentions: dict[str, list[CharSpan]] = {}
    mention_sentence: dict[str, int] = {}
    events: dict[str, GoldEvent] = {}
    for element in markables:
        anchors = [a.get("t_id", "") for a in element.findall("token_anchor")]
        anchors = [a for a in anchors if a in spans]
        if not anchors:
            continue
        m_id = element.get("m_id", "")
        mentions[m_id] = [spans[a] for a in anchors]
        mention_sentence[m_id] = sentence_of[anchors[0]]
        if element.tag == "EVENT_MENTION" and min(sentence_of[a] for a in anchors) < ANNOTATED_SENTENCES:
            events[m_id] = GoldEvent(tokens=sorted(spans[a] for a in anchors))
    relations = root.find("Relations")
    if relations is None:
        doc.events = sorted(events.values(), key=lambda e: e.span)
        return doc
    instance_of: dict[str, str] = {}
    for rel in relations.iter("REFERS_TO"):
        target = rel.find("target")
        if target is not None:
            for source in rel.findall("source"):
                instance_of[source.get("m_id", "")] = target.get("m_id", "")
    same_instance: dict[tuple[str, int], list[str]] = {}
    for m_id, instance in instance_of.items():
        if m_id in mention_sentence:
            same_instance.setdefault((instance, mention_sentence[m_id]), []).append(m_id)
    for rel in relations.iter("HAS_PARTICIPANT"):
        role = rel.get("sem_role", "")
        event_ref, participant_ref = rel.find("source"), rel.find("target")
        if role not in ROLES or event_ref is None or participant_ref is None:
            continue
        event = events.get(event_ref.get("m_id", ""))
        m_id = participant_ref.get("m_id", "")
        if event is None or m_id not in mentions:
            continue
        # The participant, plus the other mentions of its entity in the same sentence (the antecedent of
        # "which", the name an appositive describes): any of them is the same answer.
        key = (instance_of.get(m_id, ""), mention_sentence[m_id])
        alternatives = [m_id] + [other for other in same_instance.get(key, []) if other != m_id]
        if not instance_of.get(m_id):
            alternatives = [m_id]
        event.args.setdefault(role, []).append(
            [(mentions[m][0][0], mentions[m][-1][1]) for m in alternatives]
        )
    doc.events = sorted(events.values(), key=lambda e: e.span)
    return doc


def load_meantime(data_dir: Path, limit: int | None = None) -> list[MeantimeDoc]:
    """The MEANTIME documents there (the first ``limit`` in name order), parsed."""
    files = meantime_files(data_dir)
    return [load_document(path) for path in (files[:limit] if limit is not None else files)]


# ------------------------------------------------------------------------------------------ systems


def _subtree(token: Token) -> CharSpan:
    left, right = token.left_edge, token.right_edge
    return (left.idx, right.idx + len(right))


def baseline(doc: Doc) -> list[Prediction]:
    """Every VERB is an event, its nsubj the actor and its dobj the target (subtrees)."""
    predictions = []
    for token in doc:
        if token.pos_ != "VERB":
            continue
        args: dict[str, CharSpan | None] = {"Arg0": None, "Arg1": None}
        for child in token.children:
            if child.dep_ == "nsubj" and args["Arg0"] is None:
                args["Arg0"] = _subtree(child)
            elif child.dep_ == "dobj" and args["Arg1"] is None:
                args["Arg1"] = _subtree(child)
        predictions.append(Prediction((token.idx, token.idx + len(token)), args))
    return predictions


def sayso_predictions(doc: Doc) -> list[Prediction]:
    """``doc._.sayso_events`` as predictions: actor -> Arg0, target -> Arg1."""
    records: list[EventRecord] = doc._.sayso_events or []
    return [Prediction(e.trigger, {"Arg0": e.actor, "Arg1": e.target}) for e in records]


# ------------------------------------------------------------------------------------------ scoring


def _overlaps(a: CharSpan, b: CharSpan) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class Tally:
    """Counts for one system, plus its errors for ``--errors``."""

    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTED, 0))
    fp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTED, 0))
    fn: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_COUNTED, 0))
    errors: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    """(kind: FP/FN, what: trigger/Arg0/Arg1, document, trigger text, argument text or context)."""

    def add(self, doc: MeantimeDoc, predicted: Iterable[Prediction]) -> None:
        text = doc.text
        preds = sorted((p for p in predicted if p.trigger[0] < doc.region_end), key=lambda p: p.trigger)
        # Triggers: one-to-one, in text order.
        taken: set[int] = set()
        matched: list[tuple[Prediction, int | None]] = []
        for pred in preds:
            hit = next(
                (
                    index
                    for index, gold in enumerate(doc.events)
                    if index not in taken and any(_overlaps(pred.trigger, t) for t in gold.tokens)
                ),
                None,
            )
            matched.append((pred, hit))
            if hit is None:
                self.fp["trigger"] += 1
                self.errors.append(
                    ("FP", "trigger", doc.name, _t(text, pred.trigger), _ctx(text, pred.trigger))
                )
            else:
                taken.add(hit)
                self.tp["trigger"] += 1
        for index, gold in enumerate(doc.events):
            if index not in taken:
                self.fn["trigger"] += 1
                self.errors.append(("FN", "trigger", doc.name, _t(text, gold.span), _ctx(text, gold.span)))
        # Roles: one per event; a predicted argument is right when it overlaps one of the gold answers.
        found: dict[str, set[int]] = {role: set() for role in ROLES}
        for pred, hit in matched:
            for role in ROLES:
                span = pred.args.get(role)
                if span is None:
                    continue
                answers = doc.events[hit].args.get(role, []) if hit is not None else []
                if any(_overlaps(span, mention) for answer in answers for mention in answer):
                    self.tp[role] += 1
                    found[role].add(hit if hit is not None else -1)
                    continue
                # Wrong under both schemes; "annotated" counts it only where the role was annotated.
                self.fp[f"{role}_strict"] += 1
                if answers:
                    self.fp[role] += 1
                    wanted = " | ".join(_t(text, answer[0]) for answer in answers)
                    self.errors.append(
                        ("FP", role, doc.name, _t(text, pred.trigger), f"{_t(text, span)} (gold: {wanted})")
                    )
        for index, gold in enumerate(doc.events):
            for role in ROLES:
                if gold.args.get(role) and index not in found[role]:
                    self.fn[role] += 1
                    wanted = " | ".join(_t(text, answer[0]) for answer in gold.args[role])
                    self.errors.append(("FN", role, doc.name, _ctx(text, gold.span), wanted))

    def prf(self, what: str) -> dict[str, float | int]:
        role = what.removesuffix("_strict")
        tp, fp, fn = self.tp[role], self.fp[what], self.fn[role]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}

    def summary(self) -> dict[str, Any]:
        names = (
            ("trigger", "trigger"),
            ("arg0", "Arg0"),
            ("arg1", "Arg1"),
            ("arg0_strict", "Arg0_strict"),
            ("arg1_strict", "Arg1_strict"),
        )
        scores = {name: self.prf(what) for name, what in names}
        metrics = {f"{name}_{key}": scores[name][key] for name in scores for key in ("p", "r", "f1")}
        return {"metrics": metrics, "scores": scores}


def _t(text: str, span: CharSpan) -> str:
    return text[span[0] : span[1]]


def _ctx(text: str, span: CharSpan, width: int = 40) -> str:
    left = text[max(0, span[0] - width) : span[0]].replace("\n", " ")
    right = text[span[1] : span[1] + width].replace("\n", " ")
    return f"{left}[{_t(text, span)}]{right}"


# ------------------------------------------------------------------------------------------ evaluation


def evaluate(data_dir: Path | str | None = None, limit: int | None = None) -> dict[str, Any]:
    """Score ``sayso_events`` and the baseline on MEANTIME; return every number.

    The result has ``systems`` -> {``sayso``, ``baseline``} -> {``metrics`` (flat: ``trigger_f1``,
    ``arg0_f1``, ``arg1_f1`` and their P/R, and the ``*_strict`` argument scores), ``scores``}, plus
    ``documents``, ``gold`` counts, timings and ``errors`` (every error of each system, for ``--errors``).
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    docs = load_meantime(root, limit)
    if not docs:
        raise FileNotFoundError(f"no MEANTIME documents under {root / 'meantime_en'}")
    nlp = load_base()
    component: Callable[[Doc], Doc] = nlp.add_pipe("sayso_events")
    tallies = {name: Tally() for name in SYSTEMS}
    started = time.perf_counter()
    component_seconds = 0.0
    with nlp.select_pipes(disable=["sayso_events"]):
        parsed = nlp.pipe(d.text for d in docs)
        for gold_doc, doc in zip(docs, parsed, strict=True):
            tallies["baseline"].add(gold_doc, baseline(doc))
            t0 = time.perf_counter()
            component(doc)
            component_seconds += time.perf_counter() - t0
            tallies["sayso"].add(gold_doc, sayso_predictions(doc))
    result: dict[str, Any] = {
        "dataset": "MEANTIME en (non-held-out docs, sentences 0-5)",
        "model": nlp.meta.get("name", "?"),
        "documents": len(docs),
        "gold": {
            "events": sum(len(d.events) for d in docs),
            "arg0": sum(1 for d in docs for e in d.events if e.args.get("Arg0")),
            "arg1": sum(1 for d in docs for e in d.events if e.args.get("Arg1")),
        },
        "systems": {name: tally.summary() for name, tally in tallies.items()},
        "seconds": {
            "total": round(time.perf_counter() - started, 2),
            "component": round(component_seconds, 3),
        },
    }
    result["errors"] = {name: tally.errors for name, tally in tallies.items()}
    return result


# ------------------------------------------------------------------------------------------ CLI


def _format(result: dict[str, Any]) -> str:
    gold = result["gold"]
    lines = [
        f"MEANTIME events — {result['documents']} docs, {gold['events']} gold events, "
        f"{gold['arg0']} with Arg0, {gold['arg1']} with Arg1; model {result['model']}",
        f"{'system':<10}{'what':<13}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}",
    ]
    for name in SYSTEMS:
        for what, s in result["systems"][name]["scores"].items():
            lines.append(
                f"{name:<10}{what:<13}{s['p']:>8.3f}{s['r']:>8.3f}{s['f1']:>8.3f}{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}"
            )
    lines.append(
        f"time inside sayso_events: {result['seconds']['component']}s (total {result['seconds']['total']}s)"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, default=None, help="shared datasets folder (SAYSO_DATA_DIR)")
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="score only the first N documents"
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="OUT", help="also write the result as JSON"
    )
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="print N sayso errors to stderr")
    args = parser.parse_args(argv)
    result = evaluate(args.data_dir, args.limit)
    errors = result.pop("errors")
    print(_format(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for error in errors["sayso"][: args.errors]:
        print(*error, sep="\t", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
