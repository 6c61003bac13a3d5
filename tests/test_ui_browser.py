"""The web UI in a real browser: Playwright for Python driving Debian's Chromium (headless) against a live
``sayso serve`` app on 127.0.0.1. Screenshots go to $SAYSO_SCREENSHOTS (else the test's tmp folder).

Skipped, with the reason, when /usr/bin/chromium or the playwright package is missing
(``apt-get install chromium`` and ``pip install playwright``; never ``playwright install``: no download).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SAYSO_CHROMIUM", "/usr/bin/chromium")
if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
    pytest.skip(
        f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True
    )
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need `pip install playwright`"
)
uvicorn = pytest.importorskip("uvicorn")

import sayso  # noqa: E402
from sayso.api import create_app  # noqa: E402
from sayso.store import Store, ingest  # noqa: E402
from tests.test_api import corpus_items  # noqa: E402

PASTED = (
    "OSLO (Nordwire) - At least 40 people were evacuated from a flooded district in Oslo on Tuesday, the "
    'city council said. "Nobody has been hurt so far," fire chief Maria Lund told reporters. About 1,200 '
    "homes lost power, according to the utility. The opposition called the response a disgraceful failure."
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("SAYSO_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A uvicorn server in a thread, on a free loopback port, over a small stored corpus."""
    # SAYSO_BROWSER_PROFILE=full shows the trained layers (techniques) in screenshots; fast is quick.
    analyzer = sayso.Analyzer(profile=os.environ.get("SAYSO_BROWSER_PROFILE", "fast"))
    store = Store(str(tmp_path_factory.mktemp("ui") / "sayso.db"))
    ingest(corpus_items(), store, analyzer, batch_size=8)
    app = create_app(store=store, analyzer_factory=lambda: analyzer, token="")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.dialogs = dialogs
    yield tab
    context.close()


def test_analyse_page_highlights_and_toggles(live_server: str, page: Any, screenshots: Path) -> None:
    page.goto(f"{live_server}/analyse")
    page.fill("textarea[name=text]", PASTED)
    page.fill("input[name=published]", "2025-03-11")
    page.click("#analyse-button")
    page.wait_for_selector("#hl-text .seg")
    text = page.inner_text("#hl-text")
    assert "fire chief Maria Lund" in text and "1,200" in text
    for layer in ("source", "cue", "content", "figure", "time"):
        assert page.locator(f"#hl-text .seg.l-{layer}").count() > 0, layer
    source_seg = page.locator("#hl-text .seg.l-source:not(.l-content)").first
    colour_on = source_seg.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour_on not in ("rgba(0, 0, 0, 0)", "transparent")
    page.locator("svg.chain").wait_for()
    page.screenshot(path=str(screenshots / "analyse.png"), full_page=True)

    # Switch the source layer off: the source spans lose their colour, the others keep theirs.
    page.uncheck("input[data-layer=source]")
    assert "show-source" not in (page.get_attribute("#analysis", "class") or "")
    assert source_seg.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
    figure = page.locator("#hl-text .seg.l-figure").first
    assert figure.evaluate("e => getComputedStyle(e).boxShadow") != "none"

    # Click a figure: its details open in the side panel.
    figure.click()
    active = page.locator(".note-figure.active")
    assert active.count() == 1 and "value" in active.inner_text()
    page.screenshot(path=str(screenshots / "analyse-toggled.png"), full_page=True)
    assert page.dialogs == []


def test_comparison_page_chart(live_server: str, page: Any, screenshots: Path) -> None:
    page.goto(f"{live_server}/compare")
    page.click("text=person")
    page.wait_for_selector("svg.chart")
    page.goto(f"{live_server}/compare?counted=people&window=1")
    chart = page.locator("svg.chart").first
    assert chart.locator("circle").count() == 3
    table = page.inner_text("section.group table")
    assert "first with 12" in table and "the regional hospital" in table and "(copy)" in table
    page.locator("section.group").first.screenshot(path=str(screenshots / "compare.png"))


def test_hostile_article_renders_inert(live_server: str, page: Any, screenshots: Path) -> None:
    page.goto(f"{live_server}/articles?q=budget")
    page.click("table.list a")
    page.wait_for_selector("#hl-text")
    assert "<script>alert('xss')</script>" in page.inner_text("#hl-text")  # shown as text
    assert page.locator("#hl-text script, #hl-text img, main h1 script").count() == 0
    assert page.evaluate("document.scripts.length") == 1  # only /static/sayso.js
    page.wait_for_timeout(300)
    assert page.dialogs == []
    page.screenshot(path=str(screenshots / "hostile-article.png"), full_page=True)


def test_article_search_and_speaker_page(live_server: str, page: Any, screenshots: Path) -> None:
    page.goto(f"{live_server}/articles")
    page.fill("input[name=q]", "harbour wall")
    with page.expect_navigation():
        page.click("form.filters button")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2
    page.goto(f"{live_server}/speakers?q=vale")
    with page.expect_navigation():
        page.click("table.list a")
    assert "wire.example" in page.inner_text("main")
    page.screenshot(path=str(screenshots / "speaker.png"), full_page=True)
