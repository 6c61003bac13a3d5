"""The ``sayso_encoder`` component: one pass of the shared int8 encoder per document, for every trained head.

Components that use a trained head (attribution, rhetoric, claims) never run a model themselves: they read
``doc._.sayso_heads``, which this component fills once, batching the chunks of all docs in a ``nlp.pipe``
batch together. It stores only decoded results as plain lists, so docs stay small when
``nlp.pipe(n_process=...)`` sends them between processes:

* token heads (``attribution``, ``technique``): ``[label, start, end, score]`` spans; a span head named
  ``<head>_class`` relabels ``<head>``'s spans, giving ``[label, start, end, score, label probability]``;
* sentence heads (``checkworthy``): ``[start, end, probability]`` per sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from sayso._encoder import DocEncoding, _units, doc_text, get_encoder, model_available, sentence_bounds


def sentence_scores(doc: Doc, encoding: DocEncoding, head: str) -> list[list[object]]:
    """``[start, end, probability]`` for each sentence piece (sentences cut at newlines, as chunking does).

    The sentence head was trained as a classifier on a sentence's mean-pooled wordpieces, so it is read the
    same way here; a piece the model saw no wordpiece of gets no row.
    """
    rows: list[list[object]] = []
    for start, end, _paragraph in _units(doc_text(doc), sentence_bounds(doc)):
        prob = encoding.pooled_probability(head, start, end)
        if prob is not None:
            rows.append([start, end, round(prob, 4)])
    return rows


def relabel_spans(spans: list[list[object]], encoding: DocEncoding, head: str) -> list[list[object]]:
    """Relabel detected spans with a span head: ``[label, start, end, detection score, label probability]``.

    The BIO head finds where a technique is; its per-token labels are a weak vote on *which* technique, and
    a head trained to classify whole spans (mean-pooled) is measured better at that on PTC (see README).
    """
    out: list[list[object]] = []
    for label, start, end, score in spans:
        dist = encoding.pooled_distribution(head, int(start), int(end))  # type: ignore[call-overload]
        if dist is None:
            out.append([label, start, end, score, score])
            continue
        best = max(dist, key=dist.__getitem__)
        out.append([best, start, end, score, round(dist[best], 4)])
    return out


class EncoderComponent:
    """Runs the shared encoder over batches of docs and writes each head's spans to ``doc._.sayso_heads``."""

    def __init__(self, threads: int):
        self.threads = threads
        self.enabled = model_available()

    def _annotate(self, docs: list[Doc]) -> None:
        if not self.enabled or not docs:
            return
        encodings = get_encoder(self.threads).encode_docs(docs)
        for doc, encoding in zip(docs, encodings, strict=True):
            heads: dict[str, list[list[object]]] = {
                head: [[s.label, s.start, s.end, round(float(s.score), 4)] for s in spans]
                for head, spans in encoding.spans.items()
            }
            for name, spec in encoding.pooled_heads.items():
                if spec.pooling == "mean_logit_sigmoid":
                    heads[name] = sentence_scores(doc, encoding, name)
                elif name.endswith("_class") and name[: -len("_class")] in heads:
                    base = name[: -len("_class")]
                    heads[base] = relabel_spans(heads[base], encoding, name)
            doc._.sayso_heads = heads

    def __call__(self, doc: Doc) -> Doc:
        self._annotate([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                self._annotate(batch)
                yield from batch
                batch = []
        if batch:
            self._annotate(batch)
            yield from batch


@Language.factory(
    "sayso_encoder",
    assigns=["doc._.sayso_heads"],
    default_config={"threads": 1},
)
def make_encoder(nlp: Language, name: str, threads: int) -> EncoderComponent:
    """``threads``: onnxruntime threads per process (default 1: the analyzer may run a process per core)."""
    return EncoderComponent(threads)
