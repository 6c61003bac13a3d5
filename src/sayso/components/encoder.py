"""The ``sayso_encoder`` component: one pass of the shared int8 encoder per document, for every trained head.

Components that use a trained head (attribution now; techniques and check-worthiness later) never run a
model themselves: they read ``doc._.sayso_heads``, which this component fills once, batching the chunks of
all docs in a ``nlp.pipe`` batch together. It stores only decoded spans (plain lists), so docs stay small
when ``nlp.pipe(n_process=...)`` sends them between processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from sayso._encoder import get_encoder, model_available


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
            doc._.sayso_heads = {
                head: [[s.label, s.start, s.end, round(float(s.score), 4)] for s in spans]
                for head, spans in encoding.spans.items()
            }

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
