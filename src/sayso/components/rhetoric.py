"""The ``sayso_rhetoric`` component: persuasion techniques (the 14 PTC techniques of SemEval-2020 Task 11).

Why a model and not a lexicon: loaded language and name calling could be listed, but the other techniques
(causal oversimplification, doubt, flag-waving, appeal to fear, ...) live in phrasing and context, and a
word list marks every "crisis" in neutral reporting. The shared encoder's ``technique`` head finds the spans
(BIO over 29 labels, read by presence: ``sayso._encoder.PresenceDecoding``) and its ``technique_class``
head names the technique of each span (mean-pooled logits); ``sayso_encoder`` has already run both, so
this component only filters and records.

Labels describe text, not people or truth: "loaded_language" says a phrase is emotionally charged, nothing
about whether the claim it carries is right.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc

from sayso._encoder import SharedEncoder, get_encoder
from sayso.components._common import TechniqueRecord, text_of

#: The graph output that classifies a whole span (see ``sayso._encoder.PooledHead``).
SPAN_HEAD = "technique_class"

#: The model's labels (PTC's technique labels in snake_case, as training writes them) -> sayso's names.
#: sayso uses the short names the PTC guidelines use in prose ("name_calling" for "Name_Calling,Labeling");
#: eval/techniques.py maps them back to score against the dataset.
PTC_TO_SAYSO: dict[str, str] = {
    "appeal_to_authority": "appeal_to_authority",
    "appeal_to_fear_prejudice": "appeal_to_fear",
    "bandwagon_reductio_ad_hitlerum": "bandwagon_reductio_ad_hitlerum",
    "black_and_white_fallacy": "black_and_white_fallacy",
    "causal_oversimplification": "causal_oversimplification",
    "doubt": "doubt",
    "exaggeration_minimisation": "exaggeration",
    "flag_waving": "flag_waving",
    "loaded_language": "loaded_language",
    "name_calling_labeling": "name_calling",
    "repetition": "repetition",
    "slogans": "slogans",
    "thought_terminating_cliches": "thought_terminating_cliches",
    "whataboutism_straw_men_red_herring": "whataboutism_straw_man_red_herring",
}
TECHNIQUES: tuple[str, ...] = tuple(PTC_TO_SAYSO.values())


class RhetoricComponent:
    """Turns the encoder's technique spans into :class:`TechniqueRecord` objects above a score floor."""

    def __init__(self, min_score: float):
        self.min_score = float(min_score)

    def __call__(self, doc: Doc) -> Doc:
        heads = doc._.sayso_heads or {}
        text = text_of(doc)
        records: list[TechniqueRecord] = []
        for row in heads.get("technique", []):
            label, start, end, detection = row[0], int(row[1]), int(row[2]), float(row[3])
            score = float(row[4]) if len(row) > 4 else detection
            if score < self.min_score or not any(ch.isalnum() for ch in text[start:end]):
                continue
            name = PTC_TO_SAYSO.get(str(label).lower(), str(label).lower())
            records.append(TechniqueRecord((start, end), name, round(score, 4), round(detection, 4)))
        doc._.sayso_techniques = records
        return doc


@Language.factory(
    "sayso_rhetoric",
    assigns=["doc._.sayso_techniques"],
    requires=["doc._.sayso_heads"],
    default_config={"min_score": 0.0},
)
def make_rhetoric(nlp: Language, name: str, min_score: float) -> RhetoricComponent:
    """``min_score``: drop spans whose technique probability is below it (0 keeps every detected span)."""
    return RhetoricComponent(min_score)


def classify_spans(
    doc: Doc, spans: Sequence[tuple[int, int]], encoder: SharedEncoder | None = None
) -> list[dict[str, float] | None]:
    """Technique probabilities (sayso names) for given character spans of a parsed ``doc``.

    The "what technique is this phrase?" path: a user (or PTC's TC task) marks a phrase, and the span
    head, pooled over the phrase's wordpieces *in its context*, answers. The doc needs sentence
    boundaries (a parsed doc) because the encoder's chunking follows sentences. ``None`` for a span the
    model saw no wordpiece of, or for a model without the span head.
    """
    encoding = (encoder or get_encoder()).encode_doc(doc)
    out: list[dict[str, float] | None] = []
    for start, end in spans:
        dist = encoding.pooled_distribution(SPAN_HEAD, start, end)
        out.append(None if dist is None else {PTC_TO_SAYSO.get(k, k): v for k, v in dist.items()})
    return out
