"""report.html as a reader sees it: rendered by a real browser (headless
Chromium), offline, showing the run's headline and its charts."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import SCENARIOS
from test_cli import run

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser",
                                                  "google-chrome"))), None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no headless Chromium here (apt-get install chromium; .ci/run "
    "installs it, so CI always runs this test)")


def render(page, *extra: str) -> subprocess.CompletedProcess:
    """Chromium, headless and offline-minded, on a fresh profile."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
             *extra, page.resolve().as_uri()],
            capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    out = tmp_path_factory.mktemp("simulate")
    result = run("simulate", str(SCENARIOS / "bank_hotline.yaml"), "-n", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out / "report.html", result.stdout.splitlines()[0]


def test_the_page_holds_everything_it_shows(simulated):
    page, headline = simulated
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:|//)", text)  # nothing fetched
    assert "<script" not in text
    assert text.count("data:image/png;base64,") == 2  # service level and occupancy
    assert html.escape(headline) in text


@needs_chromium
def test_chromium_renders_the_headline_and_the_charts(simulated, tmp_path):
    page, headline = simulated
    dom = render(page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr
    h1 = re.search(r"<h1>(.*?)</h1>", dom.stdout, re.S)
    assert h1 and html.unescape(h1.group(1)) == headline
    assert headline.startswith("Simulated: Bank hotline")
    assert dom.stdout.count("<img") == 2
    shot = tmp_path / "page.png"
    drawn = render(page, "--window-size=1200,900", f"--screenshot={shot}")
    assert drawn.returncode == 0, drawn.stderr
    from PIL import Image

    image = Image.open(shot).convert("L")
    assert image.size == (1200, 900)
    assert image.getextrema()[0] < 100  # dark text on the page, not a blank render
