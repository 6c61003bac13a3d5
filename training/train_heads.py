"""Multi-task fine-tuning: one shared all-MiniLM-L6-v2 encoder, three heads, ONE int8 ONNX graph.

    .venv-train/bin/python training/train_heads.py --out training/.cache/heads   # full run (see README)
    .venv-train/bin/python training/train_heads.py --smoke --out training/.cache/heads-smoke

Heads (all linear layers on the encoder's last hidden states, dropout 0.1 in training):

* ``attribution`` — token BIO over SOURCE/CUE/CONTENT (7 labels), PolNeAR ``train/`` chunks built exactly
  as ``train_attribution.py`` builds them (``attribution_data.build_examples``), 5% of articles held out.
* ``technique`` — token BIO over the 14 PTC techniques (29 labels), sayso chunks of the PTC articles that
  are not in ``eval/techniques.py``'s dev split (10% of those held out for checkpoint selection).
* ``checkworthy`` — one logit per token; a sentence's score is ``sigmoid(mean of the logits over the
  sentence's wordpieces)`` ([CLS]/[SEP] excluded). Because the head is linear, that mean equals the head
  applied to the mean-pooled token states, so training is "mean-pooled sentence classifier" while the
  graph only needs a (batch x sequence x 1) output: the runtime pools per sentence with a cumulative sum
  over one float per wordpiece, instead of exporting 384-wide token states. Trained with BCE on the
  ClaimBuster non-dev sentences plus the CLEF-2019 non-dev debates (each sentence encoded alone; a
  fraction of CLEF's many negatives is kept, ``--clef-neg-keep``), 10% held out for selection.

Sampling: each task's length-bucketed batches (padded to the longest member) are repeated for its number
of epochs (``--epochs-attribution`` etc.), pooled and shuffled, so every step is one task's batch and one
task's loss; the learning-rate schedule runs over the pooled steps. The best checkpoint is chosen by the
mean of the three held-out scores (wordpiece F1, wordpiece F1, positive-class F1).

Export: ``torch.onnx.export`` (TorchScript, opset 17) with outputs ``attribution_logits`` (B x T x 7),
``technique_logits`` (B x T x 29) and ``checkworthy_logits`` (B x T x 1); int8 by
``quantize_dynamic(QInt8, per_channel=True)``, then ``simplify_graph.simplify`` (shape bookkeeping removed,
outputs checked bit-identical). Graph metadata:

* ``sayso_heads``: the token heads ``{name: {"output", "labels"}}`` — the schema the present runtime
  (``sayso._encoder._declared_heads``) reads, so attribution and technique spans work with no code change.
* ``sayso_sentence_heads``: ``{"checkworthy": {"output": "checkworthy_logits", "pooling": ...}}`` — kept
  out of ``sayso_heads`` because the present runtime would softmax and BIO-decode any head listed there;
  the next runtime change reads this key and pools.

Splits and metrics come from ``eval/techniques.py`` and ``eval/claims.py``; dev data is used only for the
final numbers (``--no-dev`` skips them). Research-use data: nothing but ``training/.cache`` and ``--out``
receives derived files, and no dataset text is written anywhere.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import attribution_data as ad
import heads_data as hd
import simplify_graph
from checkworthy_split import checkworthy_sentences

OUTPUTS = {
    "attribution": "attribution_logits",
    "technique": "technique_logits",
    "checkworthy": "checkworthy_logits",
    "technique_class": "technique_class_logits",
}
LABELS = {"attribution": ad.LABELS, "technique": hd.TECH_LABELS}
SPAN_POOLING = (
    "a span's technique = softmax(mean of technique_class_logits over the span's wordpieces); "
    "labels in the order of sayso_span_heads"
)
POOLING = (
    "sentence score = sigmoid(mean of checkworthy_logits[..., 0] over the sentence's wordpieces, "
    "[CLS]/[SEP] excluded)"
)


def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


class MultiHead(torch.nn.Module):
    def __init__(self, encoder: torch.nn.Module, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        h = encoder.config.hidden_size
        self.drop = torch.nn.Dropout(dropout)
        self.attribution = torch.nn.Linear(h, len(ad.LABELS))
        self.technique = torch.nn.Linear(h, len(hd.TECH_LABELS))
        self.checkworthy = torch.nn.Linear(h, 1)
        # span classification: one logit per technique and wordpiece, mean-pooled over a span (linear, so
        # equal to a classifier on the span's mean-pooled states, with a graph output of 14 floats/token)
        self.technique_class = torch.nn.Linear(h, len(hd.TECHNIQUES))

    def states(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.drop(self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state)

    def head(self, name: str, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return getattr(self, name)(self.states(ids, mask))

    def sentence_logit(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        per_token = self.head("checkworthy", ids, mask)[..., 0]
        m = hd.inner_mask(mask)
        return (per_token * m).sum(1) / m.sum(1).clamp(min=1)


class _Export(torch.nn.Module):
    def __init__(self, model: MultiHead) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        s = self.model.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = self.model
        return m.attribution(s), m.technique(s), m.checkworthy(s), m.technique_class(s)


def span_targets(examples: list[ad.Example], articles: list[Any]) -> list[list[tuple[int, int, int]]]:
    """Per technique chunk: (first, last+1 wordpiece incl. [CLS] shift, technique index) of each gold row
    that overlaps the chunk. A fragment with k techniques gives k rows (k targets for one pooled span)."""
    out: list[list[tuple[int, int, int]]] = []
    for e in examples:
        rows = []
        offs = e.offsets
        for label, s, end in articles[e.article].tc:
            sel = np.nonzero((offs[:, 0] < end) & (offs[:, 1] > s))[0]
            if len(sel):
                rows.append((int(sel[0]) + 1, int(sel[-1]) + 2, hd.TECHNIQUES.index(label)))
        out.append(rows)
    return out


def pooled_span_logits(
    class_logits: torch.Tensor, batch_rows: list[list[tuple[int, int, int]]]
) -> tuple[torch.Tensor, torch.Tensor]:
    """(n_rows x 14 pooled logits, n_rows targets) for the gold rows of a batch."""
    pooled, targets = [], []
    for b, rows in enumerate(batch_rows):
        for a, z, t in rows:
            pooled.append(class_logits[b, a:z].mean(0))
            targets.append(t)
    if not pooled:
        return class_logits.new_zeros((0, class_logits.shape[-1])), torch.zeros(0, dtype=torch.long)
    return torch.stack(pooled), torch.tensor(targets, dtype=torch.long)


@torch.no_grad()
def span_class_accuracy(model: MultiHead, examples: list[ad.Example], rows: list[list[Any]]) -> float:
    """Micro-F1 (= accuracy with one answer per row) of the span head on held-out gold rows."""
    right = total = 0
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].input_ids))
    for b in range(0, len(order), 64):
        idx = order[b : b + 64]
        ids, mask = hd.pad([examples[i].input_ids for i in idx])
        logits = model.head("technique_class", ids, mask)
        pooled, y = pooled_span_logits(logits, [rows[i] for i in idx])
        right += int((pooled.argmax(-1) == y).sum()) if len(y) else 0
        total += len(y)
    return right / max(1, total)


# ------------------------------------------------------------------------------------------ data


def sentence_items(tok: Any, sentences: list[Any]) -> list[tuple[np.ndarray, int]]:
    encs = tok.encode_batch([s.text for s in sentences])
    out = []
    for e, s in zip(encs, sentences, strict=True):
        ids = e.ids  # [CLS] ... [SEP]; cut over-long sentences to 128 keeping [SEP]
        if len(ids) > 128:
            ids = [*ids[:127], ids[-1]]
        out.append((np.array(ids, dtype=np.int64), int(s.label)))
    return out


def load_all(args: argparse.Namespace, tok: Any) -> dict[str, Any]:
    rng = np.random.default_rng(args.seed)
    d: dict[str, Any] = {}
    nlp = ad.load_nlp()
    # attribution: as train_attribution.py
    polnear = ad.load_part(args.polnear, "train")
    if args.smoke:
        polnear = polnear[:12]
    tr, va = ad.split_validation(polnear, 0.05, args.seed)
    docs = ad.parse_articles(polnear, nlp, tag="train")
    by = {a.name: doc for a, doc in zip(polnear, docs, strict=True)}
    d["attribution"] = (
        ad.build_examples(tr, [by[a.name] for a in tr], tok),
        ad.build_examples(va, [by[a.name] for a in va], tok),
    )
    # technique: PTC non-dev articles, 10% held out
    tq = hd.load_eval_module("techniques")
    train_ids = tq.train_article_ids(hd.DATA)
    if args.smoke:
        train_ids = train_ids[:10]
    arts = tq.load_articles(train_ids, hd.DATA)
    order = rng.permutation(len(arts))
    n_val = max(1, round(0.1 * len(arts)))
    val_set = set(order[:n_val].tolist())
    t_tr = [a for i, a in enumerate(arts) if i not in val_set]
    t_va = [a for i, a in enumerate(arts) if i in val_set]
    t_docs = hd.ptc_parse(arts, "ptc-train" if not args.smoke else "ptc-smoke", nlp)
    tby = {a.id: doc for a, doc in zip(arts, t_docs, strict=True)}
    d["technique"] = (
        hd.ptc_chunks(t_tr, [tby[a.id] for a in t_tr], tok),
        hd.ptc_chunks(t_va, [tby[a.id] for a in t_va], tok),
    )
    d["_span_rows"] = (span_targets(d["technique"][0], t_tr), span_targets(d["technique"][1], t_va))
    # checkworthy: ClaimBuster non-dev + CLEF non-dev debates, 10% held out
    cb_train, clef_train = checkworthy_sentences(rng, args.clef_neg_keep, use_clef=not args.no_clef)
    sents = cb_train + clef_train
    if args.smoke:
        sents = sents[:120] + sents[-120:]
    items = sentence_items(tok, sents)
    order = rng.permutation(len(items))
    n_val = max(1, round(0.1 * len(items)))
    d["checkworthy"] = ([items[i] for i in order[n_val:]], [items[i] for i in order[:n_val]])
    d["_counts"] = {
        "polnear_articles": [len(tr), len(va)],
        "ptc_articles": [len(t_tr), len(t_va)],
        "claimbuster_sentences": len(cb_train),
        "clef_sentences_kept": len(clef_train),
    }
    return d


# ------------------------------------------------------------------------------------------ eval


def token_f1(examples: list[ad.Example], probs: list[np.ndarray]) -> float:
    """Micro F1 of span types over wordpieces (B/I merged)."""
    tp = fp = fn = 0
    for e, p in zip(examples, probs, strict=True):
        g = (e.labels[1:-1] + 1) // 2  # 0 = O; (B-k, I-k) -> k for labels O, B1, I1, B2, I2, ...
        q = (p.argmax(-1) + 1) // 2
        tp += int(((g == q) & (g > 0)).sum())
        fp += int(((q > 0) & (g != q)).sum())
        fn += int(((g > 0) & (g != q)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@torch.no_grad()
def sentence_probs(
    model: MultiHead, items: list[tuple[np.ndarray, int]], batch_size: int = 64
) -> list[float]:
    out = [0.0] * len(items)
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        ids, mask = hd.pad([items[i][0] for i in idx])
        for i, v in zip(idx, torch.sigmoid(model.sentence_logit(ids, mask)).tolist(), strict=True):
            out[i] = float(v)
    return out


def validate(model: MultiHead, data: dict[str, Any]) -> dict[str, float]:
    model.eval()
    claims = hd.load_eval_module("claims")
    res = {}
    for name in ("attribution", "technique"):
        val = data[name][1]
        probs = hd.predict_tokens(lambda i, m, n=name: model.head(n, i, m), val)
        res[name] = token_f1(val, probs)
    val = data["checkworthy"][1]
    res["checkworthy"] = claims.positive_f1([y for _, y in val], sentence_probs(model, val))["f1"]
    res["technique_class"] = span_class_accuracy(model, data["technique"][1], data["_span_rows"][1])
    res["mean"] = sum(res.values()) / 4
    model.train()
    return res


# ------------------------------------------------------------------------------------------ export


def export(model: MultiHead, out: Path, work: Path, base: Path) -> tuple[Path, Path]:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    fp32 = work / "encoder.onnx"
    ids = torch.tensor([[101, 7592, 2088, 102]], dtype=torch.long)
    names = list(OUTPUTS.values())
    with torch.no_grad():
        torch.onnx.export(
            _Export(model).eval(),
            (ids, torch.ones_like(ids)),
            str(fp32),
            dynamo=False,
            opset_version=17,
            input_names=["input_ids", "attention_mask"],
            output_names=names,
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                **{n: {0: "batch", 1: "sequence"} for n in names},
            },
            do_constant_folding=True,
        )
    int8 = out / "encoder.onnx"
    raw_int8 = work / "encoder.int8-unsimplified.onnx"
    quantize_dynamic(str(fp32), str(raw_int8), weight_type=QuantType.QInt8, per_channel=True)
    # drop the export's shape bookkeeping; the check proves the outputs bit-identical (simplify_graph.py)
    log(f"graph simplified: {simplify_graph.simplify(raw_int8, int8)}")
    if simplify_graph.check(raw_int8, int8):
        raise SystemExit("the simplified graph's outputs differ from the exported one's")
    meta = {
        "sayso_heads": json.dumps({h: {"output": OUTPUTS[h], "labels": list(LABELS[h])} for h in LABELS}),
        "sayso_sentence_heads": json.dumps(
            {
                "checkworthy": {
                    "output": OUTPUTS["checkworthy"],
                    "pooling": "mean_logit_sigmoid",
                    "doc": POOLING,
                }
            }
        ),
        "sayso_span_heads": json.dumps(
            {
                "technique_class": {
                    "output": OUTPUTS["technique_class"],
                    "labels": list(hd.TECHNIQUES),
                    "pooling": "mean_logit_softmax",
                    "doc": SPAN_POOLING,
                }
            }
        ),
        "sayso_max_len": "128",
        "sayso_base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "sayso_encoder_layers": str(model.encoder.config.num_hidden_layers),
    }
    for path in (fp32, int8):  # the fp32 copy gets the metadata too, so the runtime can load it for checks
        m = onnx.load(str(path))
        for k, v in meta.items():
            p = m.metadata_props.add()
            p.key, p.value = k, v
        onnx.save(m, str(path))
    for d in (work, out):
        shutil.copy(base / "tokenizer.json", d / "tokenizer.json")
    return fp32, int8


def onnx_sentence_scores(path: Path, items: list[tuple[np.ndarray, int]], threads: int) -> list[float]:
    """Check-worthiness per sentence from the graph, pooled as the runtime would (one sentence per row)."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    out = [0.0] * len(items)
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    for b in range(0, len(order), 32):
        idx = order[b : b + 32]
        ids, mask = hd.pad([items[i][0] for i in idx])
        (logits,) = sess.run(
            [OUTPUTS["checkworthy"]], {"input_ids": ids.numpy(), "attention_mask": mask.numpy()}
        )
        m = hd.inner_mask(mask).numpy()
        pooled = (logits[..., 0] * m).sum(1) / np.maximum(m.sum(1), 1)
        for i, v in zip(idx, 1 / (1 + np.exp(-pooled)), strict=True):
            out[i] = float(v)
    return out


def onnx_token_logits(path: Path, examples: list[ad.Example], output: str, threads: int) -> list[np.ndarray]:
    """Raw logits of one output per example (no [CLS]/[SEP] rows), straight from the graph."""
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    out: list[np.ndarray] = [np.zeros((0, 0), dtype=np.float32)] * len(examples)
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].input_ids))
    for b in range(0, len(order), 32):
        idx = order[b : b + 32]
        ids, mask = hd.pad([examples[i].input_ids for i in idx])
        (logits,) = sess.run([output], {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
        for row, i in enumerate(idx):
            out[i] = logits[row, 1 : len(examples[i].input_ids) - 1]
    return out


def checks_and_dev(
    args: argparse.Namespace, model: MultiHead, data: dict[str, Any], fp32: Path, int8: Path, tok: Any
) -> dict[str, Any]:
    enc = ad._enc
    res: dict[str, Any] = {}
    # int8 vs fp32 vs torch on the held-out slices
    for name in ("attribution", "technique"):
        val = data[name][1]
        chunks = [enc.Chunk(e.input_ids, e.offsets) for e in val]
        p32 = [
            o[OUTPUTS[name]].argmax(-1)
            for o in enc.SharedEncoder(fp32.parent, threads=args.threads).run_chunks(chunks)
        ]
        p8 = [
            o[OUTPUTS[name]].argmax(-1)
            for o in enc.SharedEncoder(int8.parent, threads=args.threads).run_chunks(chunks)
        ]
        pt = [p.argmax(-1) for p in hd.predict_tokens(lambda i, m, n=name: model.head(n, i, m), val)]
        n = sum(len(p) for p in p8)
        res[f"{name}_agree_int8_fp32"] = sum(int((a == b).sum()) for a, b in zip(p8, p32, strict=True)) / max(
            1, n
        )
        res[f"{name}_agree_fp32_torch"] = sum(
            int((a == b).sum()) for a, b in zip(p32, pt, strict=True)
        ) / max(1, n)
    val_t = data["technique"][1]
    c8 = onnx_token_logits(int8, val_t, OUTPUTS["technique_class"], args.threads)
    c32 = onnx_token_logits(fp32, val_t, OUTPUTS["technique_class"], args.threads)
    n = sum(len(c) for c in c8)
    res["technique_class_agree_int8_fp32"] = sum(
        int((a.argmax(-1) == b.argmax(-1)).sum()) for a, b in zip(c8, c32, strict=True)
    ) / max(1, n)
    val = data["checkworthy"][1]
    s8 = np.array(onnx_sentence_scores(int8, val, args.threads))
    s32 = np.array(onnx_sentence_scores(fp32, val, args.threads))
    st = np.array(sentence_probs(model, val))
    res["checkworthy_max_abs_int8_fp32"] = float(np.abs(s8 - s32).max()) if len(s8) else 0.0
    res["checkworthy_max_abs_fp32_torch"] = float(np.abs(s32 - st).max()) if len(st) else 0.0
    res["checkworthy_decision_agree_int8_fp32"] = (
        float(((s8 >= 0.5) == (s32 >= 0.5)).mean()) if len(s8) else 1.0
    )
    log("checks: " + json.dumps({k: round(v, 4) for k, v in res.items()}))
    if args.no_dev:
        return res
    # dev numbers, int8, through the runtime for the token heads
    tq, claims = hd.load_eval_module("techniques"), hd.load_eval_module("claims")
    dev_ids = tq.dev_article_ids(hd.DATA)
    if args.smoke:
        dev_ids = dev_ids[:3]
    dev_arts = tq.load_articles(dev_ids, hd.DATA)
    dev_docs = hd.ptc_parse(dev_arts, "ptc-dev" if not args.smoke else "ptc-smoke-dev")
    dev_ex = hd.ptc_chunks(dev_arts, dev_docs, tok)
    outs = enc.SharedEncoder(int8.parent, threads=args.threads).run_chunks(
        [enc.Chunk(e.input_ids, e.offsets) for e in dev_ex]
    )
    dev_class = onnx_token_logits(int8, dev_ex, OUTPUTS["technique_class"], args.threads)
    res["ptc_dev"] = hd.score_ptc(
        tq, dev_arts, dev_docs, dev_ex, [o[OUTPUTS["technique"]] for o in outs], dev_class
    )
    cb = claims.load_claimbuster(hd.DATA)
    dev_set = claims.claimbuster_dev_ids(cb)
    cb_dev = [s for s in cb if s.id in dev_set]
    if args.smoke:
        cb_dev = cb_dev[:100] + cb_dev[-100:]
    sc = onnx_sentence_scores(int8, sentence_items(tok, cb_dev), args.threads)
    res["claimbuster_dev"] = claims.positive_f1([s.label for s in cb_dev], sc)
    debates = claims.load_clef(hd.DATA)
    clef_dev = [debates[n] for n in claims.clef_dev_files(hd.DATA)]
    if args.smoke:
        clef_dev = [rows[:80] for rows in clef_dev[:2]]
    per = [
        ([s.label for s in rows], onnx_sentence_scores(int8, sentence_items(tok, rows), args.threads))
        for rows in clef_dev
    ]
    res["clef_dev"] = claims.clef_scores(per)
    polnear_dev = ad.load_part(args.polnear, "dev")
    if args.smoke:
        polnear_dev = polnear_dev[:3]
    pdocs = ad.parse_articles(polnear_dev, tag="dev" if not args.smoke else "smoke-dev")
    encodings = enc.SharedEncoder(int8.parent, threads=args.threads).encode_docs(pdocs)
    preds = [[tuple(s) for s in e.spans.get("attribution", [])] for e in encodings]
    scores = ad.score(pdocs, [a.spans for a in polnear_dev], preds)
    res["polnear_dev_span_overlap_micro_f1"] = scores["span_overlap"]["micro"]["f1"]
    res["polnear_dev_token_micro_f1"] = scores["token"]["micro"]["f1"]
    # the present runtime, unchanged, loads both token heads from sayso_heads and decodes technique spans too
    res["runtime_heads"] = [h.name for h in enc.SharedEncoder(int8.parent).heads]
    res["runtime_technique_spans_on_polnear_dev"] = sum(len(e.spans.get("technique", [])) for e in encodings)
    log(
        "dev (int8): PTC SI F1 {:.3f}, TC micro-F1 given fragment {:.3f} (end-to-end {:.3f}); "
        "span head TC {:.3f}; ClaimBuster F1 {:.3f}; CLEF MAP {:.3f}; PolNeAR span-overlap F1 {:.3f}".format(
            res["ptc_dev"]["si"]["f1"],
            res["ptc_dev"]["tc_given_fragment"]["micro_f1"],
            res["ptc_dev"]["tc_end_to_end"]["micro_f1"],
            res["ptc_dev"]["tc_given_fragment_span_head"]["micro_f1"],
            res["claimbuster_dev"]["f1"],
            res["clef_dev"]["map"],
            res["polnear_dev_span_overlap_micro_f1"],
        )
    )
    return res


# ------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--out", type=Path, required=True, help="folder for encoder.onnx, tokenizer.json, MODEL_CARD.md"
    )
    ap.add_argument("--polnear", type=Path, default=ad.default_polnear_dir())
    ap.add_argument("--epochs-attribution", type=float, default=2.0)
    ap.add_argument("--epochs-technique", type=float, default=5.0)
    ap.add_argument("--epochs-checkworthy", type=float, default=2.0)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument(
        "--technique-o-weight", type=float, default=0.3, help="CE weight of O in the technique head"
    )
    ap.add_argument("--span-weight", type=float, default=1.0, help="weight of the span-classification loss")
    ap.add_argument(
        "--no-clef", action="store_true", help="train check-worthiness on ClaimBuster only (no CLEF debates)"
    )
    ap.add_argument("--clef-neg-keep", type=float, default=0.5, help="fraction of CLEF negatives used")
    ap.add_argument("--eval-every", type=int, default=700)
    ap.add_argument("--max-steps", type=int, default=0)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--smoke", action="store_true", help="tiny data (a minute or two), for testing the pipeline"
    )
    ap.add_argument("--no-dev", action="store_true", help="skip the dev numbers")
    ap.add_argument(
        "--layers",
        type=int,
        default=0,
        help="keep only the base encoder's bottom N transformer layers (0: all six); fewer layers "
        "make every analysis faster (the encoder is about a third of the full profile's time)",
    )
    args = ap.parse_args(argv)
    if args.out.resolve().is_relative_to((ad.REPO / "src").resolve()) and args.smoke:
        raise SystemExit("refusing to write a smoke build into src/")

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    t0 = time.time()
    base = hd.base_path()
    tok = hd.load_base_tokenizer()
    data = load_all(args, tok)
    sizes = {k: (len(v[0]), len(v[1])) for k, v in data.items() if not k.startswith("_")}
    log(f"data (train, held-out): {sizes}; {data['_counts']}; prepared in {time.time() - t0:.0f}s")

    encoder = hd.load_base_model()
    if args.layers:
        encoder = hd.truncate_layers(encoder, args.layers)
    model = MultiHead(encoder)
    span_rows = {id(e): r for e, r in zip(data["technique"][0], data["_span_rows"][0], strict=True)}
    rng = random.Random(args.seed)
    epochs = {
        "attribution": args.epochs_attribution,
        "technique": args.epochs_technique,
        "checkworthy": args.epochs_checkworthy,
    }

    def schedule() -> list[tuple[str, list[Any]]]:
        steps: list[tuple[str, list[Any]]] = []
        for name, ep in epochs.items():
            train = data[name][0]
            key = (lambda e: len(e.input_ids)) if name != "checkworthy" else (lambda it: len(it[0]))
            whole, frac = int(ep), ep - int(ep)
            for _ in range(whole):
                steps += [(name, b) for b in hd.bucket_batches(train, args.batch_size, rng, key)]
            if frac:
                bs = hd.bucket_batches(train, args.batch_size, rng, key)
                steps += [(name, b) for b in bs[: round(frac * len(bs))]]
        rng.shuffle(steps)
        return steps

    plan = schedule()
    if args.max_steps:
        plan = plan[: args.max_steps]
    total = len(plan)
    per_task = {k: sum(1 for n, _ in plan if n == k) for k in epochs}
    log(f"training {total} steps {per_task}, batch {args.batch_size}, lr {args.lr}")
    opt = torch.optim.AdamW(
        [
            {
                "params": [
                    p for n, p in model.named_parameters() if not any(k in n for k in ("bias", "LayerNorm"))
                ],
                "weight_decay": 0.01,
            },
            {
                "params": [
                    p for n, p in model.named_parameters() if any(k in n for k in ("bias", "LayerNorm"))
                ],
                "weight_decay": 0.0,
            },
        ],
        lr=args.lr,
    )
    warm = max(1, int(args.warmup * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    tech_w = torch.ones(len(hd.TECH_LABELS))
    tech_w[0] = args.technique_o_weight
    best: dict[str, Any] = {"score": -1.0, "step": 0, "state": None, "val": {}}
    history: list[dict[str, Any]] = []
    task_time = dict.fromkeys(epochs, 0.0)
    running = dict.fromkeys(epochs, 0.0)
    count = dict.fromkeys(epochs, 0)

    def do_validate(step: int) -> None:
        v = validate(model, data)
        history.append({"step": step, **{k: round(x, 4) for k, x in v.items()}})
        mark = ""
        if v["mean"] > best["score"]:
            best.update(score=v["mean"], step=step, state=copy.deepcopy(model.state_dict()), val=v)
            mark = " *best*"
        log(f"step {step}: held-out " + " ".join(f"{k}={x:.4f}" for k, x in v.items()) + mark)

    model.train()
    t_train = time.time()
    for step, (name, batch) in enumerate(plan, 1):
        ts = time.time()
        if name == "checkworthy":
            ids, mask = hd.pad([it[0] for it in batch])
            y = torch.tensor([float(it[1]) for it in batch])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model.sentence_logit(ids, mask), y)
        else:
            ids, mask = hd.pad([e.input_ids for e in batch])
            labels = hd.pad_labels([e.labels for e in batch])
            states = model.states(ids, mask)
            logits = getattr(model, name)(states)
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]),
                labels.reshape(-1),
                weight=tech_w if name == "technique" else None,
                ignore_index=-100,
            )
            if name == "technique":
                pooled, y = pooled_span_logits(
                    model.technique_class(states), [span_rows[id(e)] for e in batch]
                )
                if len(y):
                    loss = loss + args.span_weight * torch.nn.functional.cross_entropy(pooled, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        task_time[name] += time.time() - ts
        running[name] += loss.item()
        count[name] += 1
        if step % 50 == 0 or step == total:
            rate = (time.time() - t_train) / step
            losses = " ".join(f"{k}={running[k] / max(1, count[k]):.3f}" for k in epochs)
            log(
                f"step {step}/{total} loss {losses} {rate:.2f}s/step eta {rate * (total - step) / 60:.1f} min"
            )
            running, count = dict.fromkeys(epochs, 0.0), dict.fromkeys(epochs, 0)
        if step % args.eval_every == 0 or step == total:
            do_validate(step)
    train_min = (time.time() - t_train) / 60
    log(f"trained in {train_min:.1f} min; best step {best['step']} ({best['score']:.4f})")
    model.load_state_dict(best["state"])
    model.eval()

    work = args.out / "fp32" if args.smoke else ad.CACHE_DIR / "heads-export-fp32"
    fp32, int8 = export(model, args.out, work, base)
    log(f"exported fp32 {fp32.stat().st_size / 1e6:.1f} MB, int8 {int8.stat().st_size / 1e6:.1f} MB")
    res = checks_and_dev(args, model, data, fp32, int8, tok)
    if not args.smoke:  # the calibration rebuilds the full held-out slice, which a smoke run does not have
        import calibrate_checkworthy

        res["checkworthy_calibration"] = calibrate_checkworthy.calibrate(
            int8, args.seed, args.clef_neg_keep, use_clef=not args.no_clef
        )
        log(f"checkworthy calibration: {res['checkworthy_calibration']}")
    info = {
        "date": dt.date.today().isoformat(),
        "smoke": args.smoke,
        "sizes": sizes,
        "counts": data["_counts"],
        "steps": total,
        "steps_per_task": per_task,
        "seconds_per_step_per_task": {k: round(task_time[k] / max(1, per_task[k]), 3) for k in epochs},
        "best_step": best["step"],
        "best_heldout": best["val"],
        "history": history,
        "train_minutes": round(train_min, 1),
        "total_minutes": round((time.time() - t0) / 60, 1),
        "size_int8": int8.stat().st_size,
        "sha256": hashlib.sha256(int8.read_bytes()).hexdigest(),
        **res,
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    (args.out / "run.json").write_text(json.dumps(info, indent=2, default=float))
    write_card(args.out / "MODEL_CARD.md", info)
    log(f"wrote {args.out} in {info['total_minutes']} min")
    return 0


def write_card(path: Path, info: dict[str, Any]) -> None:
    """A model card for the multi-head graph (facts from this run; terms of all three datasets)."""
    a, c = info["args"], info["counts"]
    dev = "not evaluated (`--no-dev`)"
    if "ptc_dev" in info:
        p, si = info["ptc_dev"], info["ptc_dev"]["si"]
        dev = (
            f"PTC SI F1 {si['f1']:.3f} (P {si['p']:.3f}, R {si['r']:.3f}); TC micro-F1 given the gold "
            f"fragment {p['tc_given_fragment']['micro_f1']:.3f}, end-to-end from decoded spans "
            f"{p['tc_end_to_end']['micro_f1']:.3f}; TC micro-F1 given the gold fragment by the span head "
            f"{p['tc_given_fragment_span_head']['micro_f1']:.3f}; ClaimBuster positive-class F1 "
            f"{info['claimbuster_dev']['f1']:.3f}; CLEF-2019 MAP {info['clef_dev']['map']:.3f}; PolNeAR "
            f"span-overlap micro F1 {info['polnear_dev_span_overlap_micro_f1']:.3f} "
            f"(token {info['polnear_dev_token_micro_f1']:.3f})"
        )
    checks = {k: round(v, 4) for k, v in info.items() if "agree" in k or "max_abs" in k}
    smoke = "**SMOKE-TEST BUILD — tiny data, not a usable model.**" if info["smoke"] else ""
    lines = [
        "# sayso multi-head encoder (`encoder.onnx`)",
        "",
        smoke,
        "",
        "One all-MiniLM-L6-v2 encoder fine-tuned jointly for three heads, exported as one int8 ONNX graph",
        f"({info['size_int8'] / 1e6:.1f} MB, sha256 `{info['sha256']}`): one encoder pass per chunk.",
        "Inputs `input_ids`, `attention_mask` (int64, batch x sequence). Outputs:",
        "",
        f"- `attribution_logits` (B x T x 7): BIO over SOURCE / CUE / CONTENT ({', '.join(ad.LABELS)}).",
        "- `technique_logits` (B x T x 29): BIO over the 14 PTC techniques (eval/techniques.py names).",
        f"- `checkworthy_logits` (B x T x 1): {POOLING}.",
        f"- `technique_class_logits` (B x T x 14): {SPAN_POOLING}.",
        "",
        "Metadata: `sayso_heads` (token heads, the schema `sayso._encoder` reads), `sayso_sentence_heads`",
        "(checkworthy and its pooling), `sayso_max_len` 128, `sayso_base_model`. After quantisation,",
        "`training/simplify_graph.py` replaced the export's shape bookkeeping with constants (outputs",
        "checked bit-identical on random inputs of batch 1-4 and length 3-128).",
        "",
        "## Data and terms (research use)",
        "",
        f"- PolNeAR v1.0.0 `train/` (no stated licence; copyrighted news): {c['polnear_articles']} articles",
        "  (train, held out).",
        "- PTC SemEval-2020 Task 11 training articles minus `eval/techniques.py`'s dev split and the",
        f"  project's held-out test (research terms): {c['ptc_articles']} articles (train, held out).",
        "- ClaimBuster (ClaimSpotter `kfold_25ncs`, GPL-3.0 repository) minus `eval/claims.py`'s dev split:",
        f"  {c['claimbuster_sentences']} sentences; CLEF-2019 CheckThat! Task 1 training debates minus the",
        f"  last 6: {c['clef_sentences_kept']} sentences (all positives, a {a['clef_neg_keep']} fraction of",
        "  negatives). 10% of the pooled sentences held out for checkpoint selection.",
        "- No dataset text is included in sayso; the weights are derived from these data.",
        "",
        "## Training",
        "",
        f"{info['steps']} steps ({info['steps_per_task']}), one task per batch, batches shuffled together;",
        f"batch {a['batch_size']}, AdamW lr {a['lr']}, warmup {a['warmup']}, linear decay, O-weight",
        f"of technique {a['technique_o_weight']}, seed {a['seed']}; best held-out step {info['best_step']};",
        f"{info['train_minutes']} min of training, {info['total_minutes']} min in all (seconds per step by",
        f"task: {info['seconds_per_step_per_task']}).",
        "",
        "## Quality",
        "",
        f"Checks (held-out slices): {json.dumps(checks)}.",
        "",
        f"Dev (int8; token heads through `sayso._encoder`; sentences encoded alone): {dev}.",
        "",
        "## Reproduce",
        "",
        "`.venv-train/bin/python training/train_heads.py --out <folder>` with these arguments:",
        f"`{json.dumps(a)}`.",
    ]
    text = "\n".join(lines) + "\n"
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
