"""`sayso ingest`, `compare`, `speakers` and `export` from the command line, with their exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.test_store import CORPUS


def sayso(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sayso.cli", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def test_ingest_compare_speakers_export(tmp_path: Path) -> None:
    news = tmp_path / "news"
    for doc in CORPUS:
        path = news / doc.locator
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc.text, encoding="utf-8")
    (news / "empty.txt").write_text("  ", encoding="utf-8")

    done = sayso("ingest", "news", "--profile", "fast", "--no-progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "stored 5 article(s) (1 exact copies, 1 near-duplicates)" in done.stderr
    assert "1 skipped" in done.stderr and "empty.txt" in done.stderr
    assert (tmp_path / "sayso.db").exists()  # the default store

    again = sayso("ingest", "news", "--profile", "fast", "--no-progress", cwd=tmp_path)
    assert "stored 0 article(s)" in again.stderr and "5 already stored" in again.stderr

    figures = sayso("compare", "figures", "--counted", "people", "--format", "json", cwd=tmp_path)
    assert figures.returncode == 0, figures.stderr
    groups = json.loads(figures.stdout)
    assert groups[0]["counted"] == "person" and groups[0]["independent"] == 2

    table = sayso("compare", "--counted", "people", cwd=tmp_path)
    assert "independent" in table.stdout and "at least" in table.stdout

    who = sayso("speakers", "--format", "json", cwd=tmp_path)
    assert any(row["name"] == "Mayor Ana Costa" for row in json.loads(who.stdout))

    exported = sayso("export", "--format", "jsonl", cwd=tmp_path)
    assert exported.returncode == 0 and len(exported.stdout.splitlines()) == 5
    folder = sayso("export", "--format", "csv", "--out", "tables", cwd=tmp_path)
    assert folder.returncode == 0 and (tmp_path / "tables" / "quantities.csv").exists()


def test_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    nothing = sayso("ingest", "empty.txt", "--profile", "fast", "--no-progress", cwd=tmp_path)
    assert nothing.returncode == 3 and "E012" in nothing.stderr
    bad_db = sayso("speakers", "--db", "postgresql://x@127.0.0.1:1/none", cwd=tmp_path)
    assert bad_db.returncode == 4 and "E011" in bad_db.stderr
    no_out = sayso("export", "--format", "parquet", cwd=tmp_path)
    assert no_out.returncode == 2
