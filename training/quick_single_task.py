"""Time-capped single-task fine-tunes of all-MiniLM-L6-v2, to measure what the next heads can reach.

Not a shipping script: it writes nothing but a JSON result under ``training/.cache/quick/``.

    .venv-train/bin/python training/quick_single_task.py cb  --minutes 8   # ClaimBuster (+ CLEF transfer)
    .venv-train/bin/python training/quick_single_task.py ptc --minutes 8   # PTC techniques, BIO tagging

* ``cb``: sentence classification by mean-pooled token states + linear layer (the pooling the joint
  trainer uses), trained on the ClaimBuster non-dev sentences, scored with ``eval/claims.py``'s
  ``positive_f1`` on its dev split, and (transfer, no CLEF training) with ``clef_scores`` on CLEF dev.
* ``ptc``: BIO token tagging of the 14 techniques on sayso chunks of the non-dev PTC articles; dev SI with
  ``eval/techniques.py``'s ``si_scores`` (spans decoded as the runtime decodes them, ``decode_head``), TC
  both end-to-end (``tc_from_spans``, what ``eval/techniques.py`` does for sayso) and "given the gold
  fragment" (mean technique probability over the fragment's wordpieces, top k).

  ``--held-out`` trains without the 24 articles the shipped encoder never saw
  (``choose_technique_decoding.held_out_article_ids``) and scores on them instead of dev. ``--pseudo`` adds
  PTC's unlabelled articles (the official dev and test texts) labelled by the shipped sayso pipeline
  (technique spans as ``sayso analyze`` reports them, about a minute), to measure self-training.
  ``--fraction F`` trains on a seeded random share of the training articles (a learning curve);
  ``--seed`` changes the initialisation, batch order and that draw; ``--save-probs`` keeps the scored
  token probabilities and ``--ensemble A.npz B.npz ...`` scores their mean without training.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import heads_data as hd  # noqa: E402

OUT = HERE / ".cache" / "quick"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def train_loop(model, batches_fn, loss_fn, minutes: float, lr: float, est_steps: int) -> dict:
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, int(0.06 * est_steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.05, 1 - s / max(1, est_steps)))
    )
    model.train()
    t0 = time.time()
    step, epoch, done, epoch_times = 0, 0, False, []
    while not done:
        epoch += 1
        te = time.time()
        batches = batches_fn()
        run = 0.0
        for i, b in enumerate(batches):
            loss = loss_fn(b)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            run += loss.item()
            if step % 50 == 0:
                el = time.time() - t0
                log(
                    f"epoch {epoch} step {step} ({i + 1}/{len(batches)}) "
                    f"loss {run / (i + 1):.4f} {el / step:.2f}s/step"
                )
            if time.time() - t0 > minutes * 60:
                done = True
                break
        else:
            epoch_times.append(time.time() - te)
        if step >= est_steps:
            done = True
    el = time.time() - t0
    return {
        "steps": step,
        "train_s": round(el, 1),
        "s_per_step": round(el / max(1, step), 3),
        "steps_per_epoch": len(batches),
        "epochs_done": round(epoch - 1 + (i + 1) / len(batches), 3),
        "full_epoch_s": [round(x, 1) for x in epoch_times],
        "est_epoch_min": round(el / max(1, step) * len(batches) / 60, 1),
    }


def run_cb(args: argparse.Namespace) -> dict:
    claims = hd.load_eval_module("claims")
    tok = hd.load_base_tokenizer()
    cb = claims.load_claimbuster(hd.DATA)
    dev_ids = claims.claimbuster_dev_ids(cb)
    train = [s for s in cb if s.id not in dev_ids]
    dev = [s for s in cb if s.id in dev_ids]
    debates = claims.load_clef(hd.DATA)
    clef_dev = [debates[n] for n in claims.clef_dev_files(hd.DATA)]
    if args.smoke:
        train, dev, clef_dev = train[:200], dev[:200], [rows[:60] for rows in clef_dev[:2]]
    enc = lambda texts: [np.array(e.ids[:128], dtype=np.int64) for e in tok.encode_batch(list(texts))]  # noqa: E731
    x_train, y_train = enc(s.text for s in train), [s.label for s in train]
    log(f"ClaimBuster: {len(train)} train, {len(dev)} dev; positives in train {sum(y_train)}")
    model = hd.SentenceModel(hd.load_base_model())
    rng = random.Random(13)
    items = list(zip(x_train, y_train, strict=True))

    def batches():
        return hd.bucket_batches(items, args.batch_size, rng, key=lambda it: len(it[0]))

    def loss_fn(b):
        ids, mask = hd.pad([it[0] for it in b])
        logits = model(ids, mask)
        return torch.nn.functional.cross_entropy(logits, torch.tensor([it[1] for it in b]))

    est = math.ceil(len(items) / args.batch_size) * args.epochs
    info = train_loop(model, batches, loss_fn, args.minutes, args.lr, est)
    t = time.time()
    dev_scores = hd.predict_sentences(model, enc(s.text for s in dev))
    res = {"train": info, "claimbuster": claims.positive_f1([s.label for s in dev], dev_scores)}
    best = max(
        (
            (th, claims.positive_f1([s.label for s in dev], dev_scores, th)["f1"])
            for th in np.arange(0.2, 0.8, 0.05)
        ),
        key=lambda x: x[1],
    )
    res["claimbuster_best_threshold_on_dev(optimistic)"] = [round(float(best[0]), 2), best[1]]
    clef_lists = [hd.predict_sentences(model, enc(s.text for s in rows)) for rows in clef_dev]
    res["clef_transfer"] = claims.clef_scores(
        [([s.label for s in rows], sc) for rows, sc in zip(clef_dev, clef_lists, strict=True)]
    )
    res["eval_s"] = round(time.time() - t, 1)
    return res


def pseudo_labelled_articles(tq) -> list:
    """PTC's unlabelled articles with the shipped sayso pipeline's technique spans as their TC rows."""
    from sayso import Analyzer
    from sayso.components.rhetoric import PTC_TO_SAYSO

    to_ptc = {v: k for k, v in PTC_TO_SAYSO.items()}
    folder = hd.DATA / "ptc_semeval2020_task11" / "unlabelled"
    articles = []
    for path in sorted(folder.glob("*/article*.txt")):
        with open(path, encoding="utf-8", newline="") as f:
            articles.append(tq.PtcArticle(path.stem.removeprefix("article"), f.read()))
    analyses = Analyzer(profile="full").analyze_many(a.text for a in articles)
    for article, analysis in zip(articles, analyses, strict=True):
        article.tc.extend((to_ptc.get(t.technique, t.technique), t.start, t.end) for t in analysis.techniques)
    return articles


def run_ptc(args: argparse.Namespace) -> dict:
    tq = hd.load_eval_module("techniques")
    tok = hd.load_base_tokenizer()
    t = time.time()
    if args.held_out:
        from choose_technique_decoding import held_out_article_ids

        held = held_out_article_ids()
        held_set = set(held)
        train_ids = [i for i in tq.train_article_ids(hd.DATA) if i not in held_set]
        train_arts, dev_arts = tq.load_articles(train_ids, hd.DATA), tq.load_articles(held, hd.DATA)
        dev_docs = hd.ptc_parse(dev_arts, "ptc-held-out")
        train_ex = hd.ptc_chunks(train_arts, hd.ptc_parse(train_arts, "ptc-train-214"), tok)
        dev_ex = hd.ptc_chunks(dev_arts, dev_docs, tok)
    else:
        train_arts, dev_arts, train_ex, dev_ex, dev_docs = hd.ptc_examples(tok, limit=args.limit)
    if args.ensemble:
        # No training: the mean of saved runs' token probabilities (--save-probs) on the same articles.
        runs = [np.load(path) for path in args.ensemble]
        for path, run in zip(args.ensemble, runs, strict=True):
            if len(run.files) != len(dev_ex):
                raise SystemExit(f"{path}: {len(run.files)} chunks, not these {len(dev_ex)} (other split?)")
        probs = [np.mean([r[f"arr_{i}"] for r in runs], axis=0) for i in range(len(dev_ex))]
        return {
            "ensemble": [str(p) for p in args.ensemble],
            **hd.score_ptc(tq, dev_arts, dev_docs, dev_ex, probs),
        }
    if args.fraction < 1.0:
        # Learning curve: a seeded random subset of the training articles (whole articles, every chunk).
        order = list(range(len(train_arts)))
        random.Random(args.seed).shuffle(order)
        keep = set(order[: max(1, round(args.fraction * len(train_arts)))])
        train_ex = [e for e in train_ex if e.article in keep]
    n_train = len({e.article for e in train_ex})
    if args.pseudo:
        pseudo = pseudo_labelled_articles(tq)
        first = len(train_arts)
        extra = hd.ptc_chunks(pseudo, hd.ptc_parse(pseudo, "ptc-unlabelled"), tok)
        train_ex = train_ex + [dataclasses.replace(e, article=e.article + first) for e in extra]
        n_train += len(pseudo)
        log(f"PTC pseudo-labelled: {len(pseudo)} articles -> {len(extra)} chunks")
    log(
        f"PTC: {n_train} train articles -> {len(train_ex)} chunks; "
        f"{len(dev_arts)} {'held-out' if args.held_out else 'dev'} ({time.time() - t:.0f}s prep)"
    )
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(
        str(hd.base_path()), num_labels=len(hd.TECH_LABELS), attn_implementation="eager"
    )
    rng = random.Random(args.seed)

    def batches():
        return hd.bucket_batches(train_ex, args.batch_size, rng, key=lambda e: len(e.input_ids))

    weights = None
    if args.o_weight != 1.0:
        weights = torch.ones(len(hd.TECH_LABELS))
        weights[0] = args.o_weight

    def loss_fn(b):
        ids, mask = hd.pad([e.input_ids for e in b])
        labels = hd.pad_labels([e.labels for e in b])
        logits = model(input_ids=ids, attention_mask=mask).logits
        return torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), weight=weights, ignore_index=-100
        )

    est = math.ceil(len(train_ex) / args.batch_size) * args.epochs
    info = train_loop(model, batches, loss_fn, args.minutes, args.lr, est)
    t = time.time()
    probs = hd.predict_tokens(lambda ids, mask: model(input_ids=ids, attention_mask=mask).logits, dev_ex)
    if args.save_probs:
        # Token probabilities of the scored articles, to measure ensembles of runs (see --ensemble).
        OUT.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(OUT / f"probs{_suffix(args)}.npz", *probs)
    res = {"train": info, **hd.score_ptc(tq, dev_arts, dev_docs, dev_ex, probs)}
    res["eval_s"] = round(time.time() - t, 1)
    return res


def _suffix(args: argparse.Namespace) -> str:
    """The result files' name part for the options that change what is measured."""
    suffix = ("-held-out" if args.held_out else "") + ("-pseudo" if args.pseudo else "")
    suffix += f"-f{args.fraction:g}" if args.fraction < 1.0 else ""
    suffix += f"-ensemble{len(args.ensemble)}" if args.ensemble else ""
    return suffix + (f"-s{args.seed}" if args.seed != 13 else "")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=["cb", "ptc"])
    ap.add_argument("--minutes", type=float, default=8.0)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--o-weight", type=float, default=1.0, help="ptc: CE weight of the O label")
    ap.add_argument("--limit", type=int, default=0, help="ptc: only N train/dev articles (smoke)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13, help="torch seed, batch order and --fraction's draw")
    ap.add_argument(
        "--fraction",
        type=float,
        default=1.0,
        help="ptc: train on this fraction of the training articles (a learning curve; seeded by --seed)",
    )
    ap.add_argument("--save-probs", action="store_true", help="ptc: keep the scored token probabilities")
    ap.add_argument(
        "--ensemble",
        nargs="+",
        type=Path,
        default=[],
        help="ptc: no training; score the mean token probabilities of these --save-probs files",
    )
    ap.add_argument("--smoke", action="store_true", help="cb: tiny train/dev to test the code path")
    ap.add_argument(
        "--held-out",
        action="store_true",
        help="ptc: train without the encoder's 24 held-out articles, score on them",
    )
    ap.add_argument(
        "--pseudo", action="store_true", help="ptc: add the unlabelled articles, labelled by sayso"
    )
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    res = run_cb(args) if args.task == "cb" else run_ptc(args)
    res["args"] = {k: [str(p) for p in v] if k == "ensemble" else v for k, v in vars(args).items()}
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{args.task}{_suffix(args)}.json"
    path.write_text(json.dumps(res, indent=2, default=float))
    log(json.dumps({k: v for k, v in res.items() if k != "per_technique"}, indent=1, default=float)[:3000])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
