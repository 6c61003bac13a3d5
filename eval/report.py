"""Regenerate README.md's numbers table (and its example output) from the scorers and benchmarks.

    python eval/report.py                 # print the table
    python eval/report.py --write-readme  # also rewrite the marked sections of README.md
    python eval/report.py --skip-benchmark --skip-textacy   # quicker

Every number comes from a scorer in eval/ or a benchmark in benchmarks/ run now, in this process; the
table says which dataset part and which command produced it. Nothing is typed in by hand.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _load(path: Path) -> ModuleType:
    """eval/ and benchmarks/ are folders of scripts, not packages: load a script as a module."""
    spec = importlib.util.spec_from_file_location(path.stem + "_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _f(x: float) -> str:
    return f"{x:.3f}"


def entity_rows() -> list[str]:
    result = _load(ROOT / "eval" / "entities.py").evaluate()
    rows = []
    for scheme, label in (("article_insensitive", "leading article ignored"), ("strict", "strict")):
        bare = result["bare"][scheme]["micro"]["f1"]
        layered = result["layered"][scheme]["micro"]["f1"]
        rows.append(
            f"| Entities (PER/ORG/LOC/MISC), {label} | MEANTIME en, {result['documents']} non-held-out docs "
            f"| F1 | {_f(layered)} | bare spaCy {_f(bare)} (+{layered - bare:.3f}) "
            "| `python eval/entities.py` |"
        )
    return rows


def attribution_rows(with_textacy: bool) -> list[str]:
    systems = ("sayso", "textacy") if with_textacy else ("sayso",)
    result = _load(ROOT / "eval" / "attribution.py").evaluate(split="dev", systems=systems)
    ours = result["systems"]["sayso"]
    base = result["systems"].get("textacy")
    rows = []
    for role in ("source", "cue", "content"):
        for scheme in ("overlap", "exact"):
            value = ours["roles"][role][scheme]["f1"]
            baseline = f"textacy {_f(base['roles'][role][scheme]['f1'])}" if base else "—"
            rows.append(
                f"| Attribution {role}, {scheme} match | PolNeAR dev, {result['articles']} articles | F1 "
                f"| {_f(value)} | {baseline} | `python eval/attribution.py` |"
            )
    for scheme in ("overlap", "exact"):
        value = ours["relation"][scheme]["f1"]
        baseline = f"textacy {_f(base['relation'][scheme]['f1'])}" if base else "—"
        rows.append(
            f"| Attribution relation (source+cue+content), {scheme} | PolNeAR dev | F1 | {_f(value)} "
            f"| {baseline} | `python eval/attribution.py` |"
        )
    crash = f"{ours['crashes']}/{ours['articles']}"
    base_crash = f"textacy {base['crashes']}/{base['articles']}" if base else "—"
    rows.append(f"| Attribution crashes | PolNeAR dev | articles | {crash} | {base_crash} | same run |")
    return rows


def _row(what: str, data: str, metric: str, ours: float, base: str, command: str) -> str:
    return f"| {what} | {data} | {metric} | {_f(ours)} | {base} | `{command}` |"


def figure_rows(with_baselines: bool) -> list[str]:
    """Times (TempEval-3), figures (MeasEval) and events (MEANTIME), each with its offline baseline."""
    rows = []
    timex = _load(ROOT / "eval" / "timex.py").evaluate(
        systems=("sayso", "dateparser") if with_baselines else ("sayso",)
    )
    ours, dp = timex["systems"]["sayso"]["metrics"], timex["systems"].get("dateparser", {}).get("metrics")
    for key, label in (
        ("value_f1", "value F1"),
        ("strict_f1", "strict span F1"),
        ("relaxed_f1", "relaxed span F1"),
    ):
        base = f"dateparser {_f(dp[key])}" if dp else "—"
        rows.append(
            _row("Times (TIMEX3)", "TempEval-3 TBAQ-cleaned", label, ours[key], base, "python eval/timex.py")
        )
    quantities = _load(ROOT / "eval" / "quantities.py").evaluate(
        systems=("sayso", "quantulum3") if with_baselines else ("sayso",)
    )
    ours, q3 = (
        quantities["systems"]["sayso"]["metrics"],
        quantities["systems"].get("quantulum3", {}).get("metrics"),
    )
    for key, label in (
        ("span_f1_overlap", "span F1, overlap"),
        ("span_f1_exact", "span F1, exact"),
        ("counted_overlap_rate", "counted overlaps measured entity"),
    ):
        base = f"quantulum3 {_f(q3[key])}" if q3 and key in q3 and q3[key] is not None else "—"
        rows.append(
            _row("Figures", "MeasEval train+trial", label, ours[key], base, "python eval/quantities.py")
        )
    events = _load(ROOT / "eval" / "events.py").evaluate()
    ours, bl = events["systems"]["sayso"]["metrics"], events["systems"]["baseline"]["metrics"]
    for key, label in (
        ("trigger_f1", "trigger F1"),
        ("arg0_f1", "actor (Arg0) F1"),
        ("arg1_f1", "target (Arg1) F1"),
        ("arg0_strict_f1", "actor F1, strict"),
        ("arg1_strict_f1", "target F1, strict"),
    ):
        rows.append(
            _row(
                "Events",
                "MEANTIME en",
                label,
                ours[key],
                f"verb+subj+obj {_f(bl[key])}",
                "python eval/events.py",
            )
        )
    return rows


def rhetoric_rows(with_baselines: bool) -> list[str]:
    """Techniques (PTC dev) and check-worthiness (ClaimBuster, CLEF-2019 dev), each with its baselines."""
    rows = []
    tech = _load(ROOT / "eval" / "techniques.py").evaluate(
        systems=("sayso", "baseline_loaded_language", "baseline_tfidf_lr") if with_baselines else ("sayso",)
    )
    systems = tech["systems"]
    ours = systems["sayso"]["metrics"]
    tfidf = systems.get("baseline_tfidf_lr", {}).get("metrics")
    loaded = systems.get("baseline_loaded_language", {}).get("metrics")
    data = f"PTC dev, {tech['dev_articles']} articles"
    command = "python eval/techniques.py"
    base = f"TF-IDF+LR {_f(tfidf['si_f1'])}" if tfidf else "—"
    rows.append(_row("Techniques, span identification", data, "SemEval SI F1", ours["si_f1"], base, command))
    base = (
        f"all loaded_language {_f(loaded['tc_micro_f1'])}; TF-IDF+LR {_f(tfidf['tc_micro_f1'])}"
        if tfidf and loaded
        else "—"
    )
    rows.append(
        _row("Techniques, classification of gold spans", data, "micro-F1", ours["tc_micro_f1"], base, command)
    )
    rows.append(
        _row(
            "Techniques, end to end (own spans on gold fragments)",
            data,
            "micro-F1",
            float(systems["sayso"]["tc_end_to_end_micro_f1"]),
            "—",
            command,
        )
    )
    claims = _load(ROOT / "eval" / "claims.py").evaluate(
        systems=("sayso", "baseline_tfidf_lr") if with_baselines else ("sayso",)
    )
    ours = claims["systems"]["sayso"]["metrics"]
    tfidf = claims["systems"].get("baseline_tfidf_lr", {}).get("metrics")
    command = "python eval/claims.py"
    base = f"TF-IDF+LR {_f(tfidf['claimbuster_f1'])}" if tfidf else "—"
    rows.append(
        _row(
            "Check-worthy claims",
            f"ClaimBuster dev, {claims['claimbuster']['dev_sentences']:,} sentences",
            "F1 (check-worthy class)",
            ours["claimbuster_f1"],
            base,
            command,
        )
    )
    constant = f"constant scorer {_f(claims['clef']['map_constant_scorer'])}"
    base = f"TF-IDF+LR {_f(tfidf['clef_map'])}; {constant}" if tfidf else constant
    rows.append(
        _row(
            "Check-worthy claims, ranking",
            f"CLEF-2019 dev, {len(claims['clef']['dev_debates'])} debates",
            "MAP",
            ours["clef_map"],
            base,
            command,
        )
    )
    return rows


BENCHMARKS: tuple[tuple[str, list[str]], ...] = (
    ("dateline + entities + sources", ["--components", "sayso_dateline,sayso_entities,sayso_sources"]),
    ("profile `fast` (rules only)", ["--profile", "fast"]),
    ("profile `full` (rules + trained encoder)", ["--profile", "full"]),
    # what sayso's own components cost: the baseline gets the same exact spaCy stand-ins as sayso's pipeline
    ("profile `full`, baseline with sayso's spaCy stand-ins", ["--profile", "full", "--baseline-speed-ups"]),
)


#: Repeats per benchmark (medians; each repeat interleaves baseline and sayso over slices of the texts): 5,
#: because on a shared 2-core machine 3 runs of the full profile were seen to move the ratio by 0.2. The
#: README cell shows the range of the repeats' own ratios beside the ratio of the medians.
BENCHMARK_REPEATS = 5


def benchmark_rows() -> list[str]:
    """Each benchmark in its own process, so that its peak RSS is that of one analyzer, as a user runs it."""
    rows = []
    for label, extra in BENCHMARKS:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "result.json"
            args = [*extra, "--repeats", str(BENCHMARK_REPEATS)]
            command = [sys.executable, str(ROOT / "benchmarks" / "throughput.py"), *args]
            subprocess.run([*command, "--json", str(out)], check=True, stdout=sys.stderr)
            r: dict[str, Any] = json.loads(out.read_text())
        shown = "python benchmarks/throughput.py " + " ".join(args)
        baseline = str(r.get("baseline", "bare spaCy"))
        rows.append(
            f"| Throughput, {label} | PolNeAR dev, {r['texts']} texts, {r['words']:,} words | time vs "
            f"{baseline} | {r['time_ratio_sayso_over_bare']:.2f}x ({r['sayso_words_per_s']:,} words/s; "
            f"repeats {min(r['per_repeat_ratios']):.2f}-{max(r['per_repeat_ratios']):.2f}x) "
            f"| {baseline} {r['bare_spacy_words_per_s']:,} words/s, same run | `{shown}` |"
        )
        rows.append(f"| Peak RSS, {label} | same run | MB | {r['peak_rss_mb']} | — | same run |")
    return rows


def example_json() -> str:
    import sayso
    from sayso.cli import example_path

    path = example_path()
    analysis = sayso.analyze(path.read_text(encoding="utf-8"), published="2025-03-12", url="flood-report.txt")
    data = analysis.to_dict()
    short = {
        k: data[k] for k in ("schema", "published", "dateline", "source_chain", "attributions") if k in data
    }
    short["attributions"] = short["attributions"][:2]
    short["entities"] = data["entities"][:3]
    short["quantities"] = data["quantities"][:1]
    short["times"] = data["times"][:2]
    short["events"] = data["events"][:1]
    short["claims"] = data["claims"][:1]
    short["techniques"] = data["techniques"][:2]
    return json.dumps(short, ensure_ascii=False, indent=2)


def _replace(text: str, marker: str, body: str) -> str:
    pattern = re.compile(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no <!-- {marker}:start/end --> section")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write-readme", action="store_true")
    parser.add_argument("--skip-benchmark", action="store_true")
    parser.add_argument("--skip-textacy", action="store_true")
    args = parser.parse_args(argv)

    header = [
        "| what | data | metric | sayso | baseline (same run) | command |",
        "|---|---|---|---|---|---|",
    ]
    rows = entity_rows() + attribution_rows(not args.skip_textacy) + figure_rows(not args.skip_textacy)
    rows += rhetoric_rows(not args.skip_textacy)
    if not args.skip_benchmark:
        rows += benchmark_rows()
    table = "\n".join(header + rows)
    print(table)
    if args.write_readme:
        text = README.read_text(encoding="utf-8")
        text = _replace(text, "numbers", table)
        text = _replace(text, "example", "```json\n" + example_json() + "\n```")
        README.write_text(text, encoding="utf-8")
        print(f"\nwrote {README}")


if __name__ == "__main__":
    main()
