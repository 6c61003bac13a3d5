"""Settings are declared once (sayso.settings) and must be documented in README.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from sayso.settings import ALL_SETTINGS, MODEL, Setting

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("setting", ALL_SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_documented_in_readme(setting: Setting) -> None:
    assert setting.env in README.read_text(encoding="utf-8")


def test_environment_overrides_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL.env, raising=False)
    assert MODEL.value() == MODEL.default
    monkeypatch.setenv(MODEL.env, "xx_other")
    assert MODEL.value() == "xx_other"


def test_secret_settings_are_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from sayso.cli import app

    monkeypatch.setenv("SAYSO_API_TOKEN", "tok-very-secret-123")
    result = CliRunner().invoke(app, ["settings"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "tok-very-secret-123" not in result.output
    assert "(set)" in result.output
