"""Entity F1 on MEANTIME (English Wikinews): the bare spaCy model vs. the model plus ``sayso_entities``.

Run ``python eval/entities.py`` (``--data-dir DIR``, ``--json``, ``--ablation``, ``--speed``, ``--errors N``).
Both systems are scored in one run, on the same parse: the bare model's entities are read, then the
layer is applied to the same ``Doc`` (it only reads the parse), so the delta is the layer's alone.

What is scored, and why
-----------------------
* **Documents**: the 96 MEANTIME documents in ``<data>/meantime_en`` (the 24 held-out ones are not there;
  any name listed in ``heldout_docs.txt`` is skipped all the same).
* **Text**: rebuilt from MEANTIME's tokens: no space before closing punctuation or clitics ("'s", "n't")
  nor after opening brackets and currency signs, PTB quotes ``\\`\\``` / ``''`` turned into curly quotes,
  a blank line after the title (sentence 0) and after the date line (sentence 1), one space between
  the body's sentences. Gold spans are the character offsets of their first and last token in that text;
  the model runs on the whole text, like on any article.
* **Region**: MEANTIME fully annotates entity mentions only in sentences 0-5 (title, date line and the
  first four body sentences); later sentences carry only a few cross-document mentions. Only entities
  that start in sentences 0-5 are scored.
* **Gold**: ENTITY_MENTIONs whose ``syntactic_type`` is NAM (a name) or PRE.NAM (a name used as a
  premodifier: "US" in "US automaker", "Apple" in "Apple engineers"). Nominal (NOM), pronominal (PRO),
  appositive (APP), conjoined (CONJ) and untyped mentions are not names and are not NER targets. The type
  is that of the entity instance the mention REFERS_TO: PER->PER, ORG->ORG, LOC->LOC, PRO (products:
  iPod, Airbus A380)->MISC as in CoNLL. FIN (stock indices, currencies, exchanges, "US stocks") and MIX
  have no consistent CoNLL class (OntoNotes-style models call an index ORG or nothing, CoNLL would say
  MISC) and are excluded, as are mentions without an instance.
  MEANTIME links nationality adjectives ("British", "Canadian") to the country (LOC); CoNLL tags
  nationalities MISC, so a gold LOC mention whose text is a demonym (sayso's demonym list) counts as MISC.
* **Don't-care**: a prediction whose span is exactly that of an annotated mention that is not gold
  (an appositive, a FIN index, an untyped mention...) is neither right nor wrong, so a system is not
  punished for finding something the annotators marked under another type of mention.
* **Labels**: spaCy's OntoNotes labels map to CoNLL's: PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC,
  NORP/EVENT/PRODUCT/WORK_OF_ART/LAW/LANGUAGE->MISC; numbers, dates and times are not entities.
* **Matching**: exact span and label, micro-averaged. MEANTIME's mention extents are whole noun phrases
  with their article ("the United States", "the iPod"), while CoNLL/OntoNotes names have none, so the
  primary score strips one leading "the"/"a"/"an" from gold and predicted spans alike before comparing
  (``article_insensitive``); the ``strict`` score, without that, is printed too. Longer MEANTIME extents
  ("aircraft manufacturer Boeing", "San Francisco, California") match neither system; that caps recall
  for both and is left as is.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from sayso.components.entities import RULES, EntityLayer, load_gazetteer
from sayso.pipeline import load_base
from sayso.settings import data_dir as default_data_dir

sys.path.insert(0, str(Path(__file__).resolve().parent))  # eval/ is a folder of scripts: find _meantime
from _meantime import ANNOTATED_SENTENCES, meantime_files, rebuild_text

SPACY_TO_CONLL: dict[str, str] = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}
MEANTIME_TO_CONLL: dict[str, str] = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "PRO": "MISC"}
GOLD_SYNTACTIC_TYPES = frozenset({"NAM", "PRE.NAM"})
LABELS = ("PER", "ORG", "LOC", "MISC")

_ARTICLE = re.compile(r"(?:the|a|an)\s+", re.IGNORECASE)

CharSpan = tuple[int, int]


@dataclass
class MeantimeDoc:
    """One MEANTIME document as text plus gold names (character offsets into ``text``)."""

    name: str
    text: str
    region_end: int
    gold: dict[CharSpan, str] = field(default_factory=dict)
    dont_care: set[CharSpan] = field(default_factory=set)


# ------------------------------------------------------------------------------------------ loading


def load_document(path: Path, demonyms: frozenset[str]) -> MeantimeDoc:
    """Parse one MEANTIME CAT XML file."""
    root = ET.parse(path).getroot()
    tokens = [(t.get("t_id", ""), int(t.get("sentence", "0")), t.text or "") for t in root.iter("token")]
    text, spans = rebuild_text(tokens)
    region_end = max((spans[t_id][1] for t_id, s, _ in tokens if s < ANNOTATED_SENTENCES), default=0)
    markables = root.find("Markables")
    relations = root.find("Relations")
    instance_type: dict[str, str] = {}
    refers_to: dict[str, str] = {}
    if markables is not None:
        for element in markables:
            if element.tag == "ENTITY":
                instance_type[element.get("m_id", "")] = element.get("ent_type", "")
    if relations is not None:
        for rel in relations.iter("REFERS_TO"):
            target = rel.find("target")
            if target is None:
                continue
            for source in rel.findall("source"):
                refers_to[source.get("m_id", "")] = target.get("m_id", "")
    doc = MeantimeDoc(name=path.stem, text=text, region_end=region_end)
    if markables is None:
        return doc
    for mention in markables.iter("ENTITY_MENTION"):
        anchors = [a.get("t_id", "") for a in mention.findall("token_anchor")]
        anchors = [a for a in anchors if a in spans]
        if not anchors:
            continue
        start, end = spans[anchors[0]][0], spans[anchors[-1]][1]
        kind = instance_type.get(refers_to.get(mention.get("m_id", ""), ""), "")
        label = MEANTIME_TO_CONLL.get(kind)
        if mention.get("syntactic_type") in GOLD_SYNTACTIC_TYPES and label is not None:
            if label == "LOC" and text[start:end] in demonyms:
                label = "MISC"
            doc.gold[(start, end)] = label
        else:
            doc.dont_care.add((start, end))
    return doc


def load_meantime(data_dir: Path) -> list[MeantimeDoc]:
    """Every MEANTIME document there, parsed."""
    demonyms = load_gazetteer().demonyms
    return [load_document(path, demonyms) for path in meantime_files(data_dir)]


# ------------------------------------------------------------------------------------------ scoring


def _strip_article(text: str, span: CharSpan) -> CharSpan:
    start, end = span
    match = _ARTICLE.match(text, start, end)
    if match and match.end() < end:
        return (match.end(), end)
    return span


@dataclass
class Counts:
    """True positives, false positives and false negatives per CoNLL label."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str, str, str | None, str | None]] = field(default_factory=list)
    """(FP/FN, document, text, gold label, predicted label) of every error, for --errors."""

    def add(self, doc: MeantimeDoc, predicted: Iterable[tuple[int, int, str]], articles: bool) -> None:
        norm: Callable[[CharSpan], CharSpan] = (
            (lambda s: _strip_article(doc.text, s)) if articles else (lambda s: s)
        )
        gold = {norm(span): label for span, label in doc.gold.items() if span[0] < doc.region_end}
        dont_care = {norm(span) for span in doc.dont_care} - set(gold)
        pred: dict[CharSpan, str] = {}
        for start, end, label in predicted:
            conll = SPACY_TO_CONLL.get(label)
            if conll is None or start >= doc.region_end:
                continue
            span = norm((start, end))
            if span in dont_care:
                continue
            pred[span] = conll
        for span, label in pred.items():
            if gold.get(span) == label:
                self.tp[label] += 1
            else:
                self.fp[label] += 1
                self.errors.append(("FP", doc.name, doc.text[span[0] : span[1]], gold.get(span), label))
        for span, label in gold.items():
            if pred.get(span) != label:
                self.fn[label] += 1
                self.errors.append(("FN", doc.name, doc.text[span[0] : span[1]], label, pred.get(span)))

    def prf(self, label: str | None = None) -> dict[str, float | int]:
        if label is None:
            tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        else:
            tp, fp, fn = self.tp[label], self.fp[label], self.fn[label]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}

    def summary(self) -> dict[str, Any]:
        return {"micro": self.prf(), "per_label": {label: self.prf(label) for label in LABELS}}


def _ents(doc: Doc) -> list[tuple[int, int, str]]:
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


# ------------------------------------------------------------------------------------------ evaluation


def evaluate(
    data_dir: Path | str | None = None,
    model: str | None = None,
    ablation: bool = False,
    keep_errors: bool = False,
) -> dict[str, Any]:
    """Score the bare model and the model + ``sayso_entities`` on MEANTIME; return every number.

    The result has ``bare``, ``layered`` (each with ``article_insensitive`` and ``strict`` scores), the
    primary ``delta_f1`` and, with ``ablation``, the F1 of the layer without each rule.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    docs = load_meantime(root)
    if not docs:
        raise FileNotFoundError(f"no MEANTIME documents under {root / 'meantime_en'}")
    nlp = load_base(model)
    layer = EntityLayer(load_gazetteer())
    variants: dict[str, EntityLayer] = {"layered": layer}
    if ablation:
        variants.update({f"without_{rule}": EntityLayer(load_gazetteer(), disable=[rule]) for rule in RULES})
    counts: dict[str, dict[str, Counts]] = {
        name: {"article_insensitive": Counts(), "strict": Counts()} for name in ("bare", *variants)
    }
    started = time.perf_counter()
    layer_seconds = 0.0
    for gold_doc, doc in zip(docs, nlp.pipe(d.text for d in docs), strict=True):
        bare_ents = list(doc.ents)
        for name in ("bare", *variants):
            if name != "bare":
                doc.ents = bare_ents
                t0 = time.perf_counter()
                variants[name](doc)
                if name == "layered":
                    layer_seconds += time.perf_counter() - t0
            predicted = _ents(doc)
            counts[name]["article_insensitive"].add(gold_doc, predicted, articles=True)
            counts[name]["strict"].add(gold_doc, predicted, articles=False)
    total_seconds = time.perf_counter() - started
    result: dict[str, Any] = {
        "dataset": "MEANTIME en (96 docs, sentences 0-5, NAM+PRE.NAM mentions)",
        "model": nlp.meta.get("name", "?"),
        "documents": len(docs),
        "gold_mentions": sum(sum(1 for span in d.gold if span[0] < d.region_end) for d in docs),
    }
    for name in ("bare", "layered"):
        result[name] = {scheme: c.summary() for scheme, c in counts[name].items()}
    for scheme in ("article_insensitive", "strict"):
        bare_f1 = float(result["bare"][scheme]["micro"]["f1"])
        layered_f1 = float(result["layered"][scheme]["micro"]["f1"])
        result[f"delta_f1_{scheme}"] = round(layered_f1 - bare_f1, 4)
    result["delta_f1"] = result["delta_f1_article_insensitive"]
    if ablation:
        result["ablation"] = {
            name: counts[name]["article_insensitive"].prf()["f1"] for name in variants if name != "layered"
        }
    result["seconds"] = {"total": round(total_seconds, 2), "layer": round(layer_seconds, 3)}
    if keep_errors:
        result["errors"] = {name: counts[name]["article_insensitive"].errors for name in ("bare", "layered")}
    return result


def measure_speed(
    data_dir: Path | str | None = None, model: str | None = None, repeats: int = 2
) -> dict[str, Any]:
    """Time ``nlp.pipe`` on PolNeAR's dev texts with and without the layer (same process, same texts).

    ``pipe_ratio`` compares end-to-end runs (noisy on a shared machine); ``layer_ratio`` divides the time
    spent inside the layer by the bare pipeline's time, which is the overhead the layer adds.
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    texts = [
        Path(p).read_text(encoding="utf-8") for p in sorted(glob.glob(str(root / "polnear/dev/text/*.txt")))
    ]
    if not texts:
        raise FileNotFoundError(f"no PolNeAR dev texts under {root / 'polnear/dev/text'}")
    t0 = time.perf_counter()
    bare = load_base(model)
    load_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    layered = load_base(model)
    layered.add_pipe("sayso_entities")
    layered_load_seconds = time.perf_counter() - t0
    list(bare.pipe(texts[:3]))  # warm up both
    list(layered.pipe(texts[:3]))

    def run(nlp: Language) -> tuple[float, list[Doc]]:
        start = time.perf_counter()
        docs = list(nlp.pipe(texts))
        return time.perf_counter() - start, docs

    # Alternate the two pipelines and keep each one's best time: a shared machine's noise only adds time.
    bare_times: list[float] = []
    layered_times: list[float] = []
    docs: list[Doc] = []
    for _ in range(repeats):
        seconds, docs = run(bare)
        bare_times.append(seconds)
        layered_times.append(run(layered)[0])
    bare_seconds, layered_seconds = min(bare_times), min(layered_times)
    component = layered.get_pipe("sayso_entities")
    start = time.perf_counter()
    for doc in docs:
        component(doc)
    layer_seconds = time.perf_counter() - start
    return {
        "texts": len(texts),
        "tokens": sum(len(d) for d in docs),
        "bare_seconds": round(bare_seconds, 3),
        "layered_seconds": round(layered_seconds, 3),
        "layer_seconds": round(layer_seconds, 4),
        "pipe_ratio": round(layered_seconds / bare_seconds, 4),
        "layer_ratio": round(layer_seconds / bare_seconds, 4),
        "load_seconds": {"bare": round(load_seconds, 3), "with_layer": round(layered_load_seconds, 3)},
    }


# ------------------------------------------------------------------------------------------ CLI


def _format(result: dict[str, Any]) -> str:
    lines = [
        f"MEANTIME entities — {result['documents']} docs, {result['gold_mentions']} gold names, "
        f"model {result['model']}"
    ]
    for scheme in ("article_insensitive", "strict"):
        lines.append(f"\n[{scheme}{' (primary)' if scheme == 'article_insensitive' else ''}]")
        lines.append(f"{'system':<10}{'label':<6}{'P':>8}{'R':>8}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}")
        for name in ("bare", "layered"):
            score = result[name][scheme]
            rows = [("all", score["micro"]), *score["per_label"].items()]
            for label, s in rows:
                lines.append(
                    f"{name:<10}{label:<6}{s['p']:>8.3f}{s['r']:>8.3f}{s['f1']:>8.3f}{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}"
                )
        lines.append(f"delta F1 ({scheme}): {result[f'delta_f1_{scheme}']:+.4f}")
    if "ablation" in result:
        lines.append("\n[ablation: layered F1 without each rule, article_insensitive]")
        full = result["layered"]["article_insensitive"]["micro"]["f1"]
        for name, f1 in result["ablation"].items():
            lines.append(f"  {name:<26}{f1:.4f}  (rule adds {full - f1:+.4f})")
    if "speed" in result:
        s = result["speed"]
        lines.append(
            f"\n[speed: PolNeAR dev, {s['texts']} texts, {s['tokens']} tokens] bare {s['bare_seconds']}s, "
            f"with layer {s['layered_seconds']}s (ratio {s['pipe_ratio']:.3f}); time inside the layer "
            f"{s['layer_seconds']}s = {100 * s['layer_ratio']:.2f}% of bare"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, default=None, help="shared datasets folder (SAYSO_DATA_DIR)")
    parser.add_argument("--model", default=None, help="spaCy pipeline (SAYSO_MODEL)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--ablation", action="store_true", help="also score the layer without each rule")
    parser.add_argument("--speed", action="store_true", help="also time the layer on PolNeAR dev texts")
    parser.add_argument("--errors", type=int, default=0, metavar="N", help="print N layered errors")
    args = parser.parse_args(argv)
    result = evaluate(args.data_dir, args.model, ablation=args.ablation, keep_errors=args.errors > 0)
    if args.speed:
        result["speed"] = measure_speed(args.data_dir, args.model)
    errors = result.pop("errors", None)
    if args.json:
        print(json.dumps(result))
    else:
        print(_format(result))
    if errors and args.errors:
        for error in errors["layered"][: args.errors]:
            print(*error, sep="\t", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
