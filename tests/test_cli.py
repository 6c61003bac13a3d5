"""The `sayso` command: formats, help, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from sayso.cli import EXIT_CONFIG, EXIT_INPUT, EXIT_USAGE, example_path
from sayso.schema import json_schema
from sayso.settings import ALL_SETTINGS


def run(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-c", "from sayso.cli import main; main()", *args],
        input=stdin.decode("latin-1") if stdin is not None else None,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120", **(env or {})},
        timeout=300,
    )


def run_bytes(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", "from sayso.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        timeout=300,
    )


def test_help_lists_commands_exit_codes_and_settings() -> None:
    done = run("--help")
    assert done.returncode == 0
    for word in ("analyze", "schema", "settings", "Exit codes", "never judges"):
        assert word in done.stdout
    analyze_help = run("analyze", "--help").stdout
    for setting in ALL_SETTINGS:
        if setting.name in ("model", "profile"):
            assert setting.env in analyze_help


def test_example_as_json_validates_against_schema() -> None:
    done = run("analyze", "--example", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    jsonschema.validate(data, json_schema())
    assert data["text"] == example_path().read_text(encoding="utf-8")
    assert data["published"] == "2025-03-12"


def test_pretty_view_shows_tables(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(
        "ROME (Reuters) - Italy's prime minister said on Monday that Milan would host talks.\n"
    )
    done = run("analyze", str(article))
    assert done.returncode == 0, done.stderr
    assert "Entities" in done.stdout and "legend" in done.stdout
    assert "Italy" in done.stdout


def test_jsonl_from_stdin_and_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Oslo is cold.")
    done = run("analyze", "-", str(tmp_path / "a.txt"), "--format", "jsonl", stdin=b"Madrid is warm.")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["text"] for d in lines] == ["Madrid is warm.", "Oslo is cold."]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (None, "E007"),  # missing file
        (b"", "E001"),
        (b"  \n\n ", "E001"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00" * 30, "E002"),
        (b"caf\xe9 au lait \xff\xfe\xfd", "E003"),
    ],
)
def test_bad_input_is_one_line_error_with_exit_3(tmp_path: Path, content: bytes | None, code: str) -> None:
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    done = run("analyze", str(path))
    assert done.returncode == EXIT_INPUT
    assert code in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2  # one message, possibly wrapped once


def test_verbose_shows_traceback(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    done = run("analyze", str(path), "--verbose")
    assert done.returncode == EXIT_INPUT
    assert "Traceback" in done.stderr


def test_encoding_option_and_bom(tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Café owners in Nice said prices rose.".encode("latin-1"))
    done = run("analyze", str(latin), "--encoding", "latin-1", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["text"].startswith("Café")
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Vienna is in Austria.".encode("utf-16"))
    done = run("analyze", str(utf16), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["text"] == "Vienna is in Austria."


def test_binary_on_stdin() -> None:
    done = run_bytes("analyze", "-", stdin=b"\x00\x01\x02binary\x00" * 40)
    assert done.returncode == EXIT_INPUT
    assert b"E002" in done.stderr


def test_one_bad_file_among_good_ones_still_prints_the_good(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Quito is in Ecuador.")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    done = run("analyze", str(empty), str(good), "--format", "jsonl")
    assert done.returncode == EXIT_INPUT
    assert json.loads(done.stdout.strip())["text"] == "Quito is in Ecuador."
    assert "empty.txt" in done.stderr


def test_unknown_model_exit_4() -> None:
    done = run("analyze", "--example", "--model", "xx_missing_pipeline")
    assert done.returncode == EXIT_CONFIG
    assert "E005" in done.stderr and "Traceback" not in done.stderr


def test_usage_errors_exit_2() -> None:
    assert run("analyze").returncode == EXIT_USAGE
    assert run("analyze", "--format", "xml", "x.txt").returncode == EXIT_USAGE


def test_schema_command_prints_json_schema() -> None:
    done = run("schema")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert schema["title"] == "sayso/1 analysis"
    jsonschema.Draft202012Validator.check_schema(schema)
