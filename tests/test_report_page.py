"""report.html as a reader sees it: rendered by a real browser (headless
Chromium), offline, showing the run's headline and its charts, for the three
commands that write one (simulate, plan, compare)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SCENARIOS, quarter_bank
from svcsim.cli import main
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


def svcsim_in_process(*args) -> tuple[str, Path]:
    """(what the command printed, its report.html); in this process, so the
    modules it needs are imported once for the module's runs."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    out = Path(args[args.index("--out") + 1])
    return result.stdout, out / "report.html"


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan")
    return svcsim_in_process("plan", quarter_bank(folder), "-n", "3", "--time-limit", "1",
                             "--out", folder / "out")


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    quarter_bank(folder)
    study = folder / "study.yaml"
    study.write_text("name: 90/15 proposal\nbase: base.yaml\nreplications: 3\nvariants:\n"
                     "  - name: 90/15\n    changes:\n"
                     "      - {standard: 80/20 every half hour, percent: 90, within: 15s}\n",
                     encoding="utf-8")
    return svcsim_in_process("compare", study, "--time-limit", "1", "--out", folder / "out")


_PROBE = """<!DOCTYPE html><html><body>
<iframe id="page" src="%s" style="width:1200px;height:900px"></iframe><pre id="seen">not loaded</pre>
<script>
document.getElementById("page").onload = function () {
  var d = this.contentDocument, all = function (s) { return Array.from(d.querySelectorAll(s)); };
  document.getElementById("seen").textContent = JSON.stringify({
    h1: d.querySelector("h1").innerText,
    lead: all(".lead p").map(function (p) { return p.innerText; }),
    headings: all("h2").map(function (h) { return h.innerText; }),
    tables: all("table").map(function (t) { return t.rows.length; }),
    images: all("img").map(function (i) {
      return {alt: i.alt, loaded: i.complete, width: i.naturalWidth, height: i.naturalHeight,
              shown: i.getBoundingClientRect().width}; }),
    text: d.body.innerText});
};
</script></body></html>"""


def seen(page: Path) -> dict:
    """What Chromium shows of ``page``: read from the rendered document by a
    probe page of the test's own (the report itself holds no script): the
    visible text, headings, table sizes, and each image as the browser
    decoded it."""
    probe = page.parent / "probe.html"
    probe.write_text(_PROBE % page.name, encoding="utf-8")
    try:
        dom = render(probe, "--allow-file-access-from-files", "--virtual-time-budget=10000",
                     "--dump-dom")
    finally:
        probe.unlink()
    assert dom.returncode == 0, dom.stderr
    found = re.search(r'<pre id="seen">(.*?)</pre>', dom.stdout, re.S)
    assert found and found.group(1) != "not loaded", dom.stdout[-500:]
    return json.loads(html.unescape(found.group(1)))


def assert_charts_shown(images: list[dict], alts: list[str]) -> None:
    assert [image["alt"] for image in images] == alts
    for image in images:  # decoded by the browser, at a readable size on the page
        assert image["loaded"] and image["width"] >= 600 and image["height"] >= 200, image
        assert image["shown"] >= 600, image


@needs_chromium
def test_chromium_shows_the_plans_headline_verdicts_tables_and_charts(planned):
    printed, page = planned
    shown = seen(page)
    headline = printed.splitlines()[0]
    assert shown["h1"] == headline
    # the solver's status and gap in the headline, the verdicts' confidence under it
    assert re.match(r"Plan: Bank hotline: \d+ agents, cost [\d,]+ \(roster (OPTIMAL|FEASIBLE), "
                    r"gap [\d.]+ %", headline), headline
    assert len(shown["lead"]) == 2, shown["lead"]
    assert re.match(r"80/20 every half hour: (met \(95 % confidence\)|not shown at 95 %|missed)",
                    shown["lead"][0]), shown["lead"]
    assert "replications; one-sided 95 % confidence" in shown["lead"][1]
    assert shown["headings"] == ["Summary", "Charts", "Standards (simulated)", "Plan history",
                                 "Shifts"]
    assert all(rows >= 2 for rows in shown["tables"]) and len(shown["tables"]) == 3
    assert "iteration" in shown["text"] and "analytic requirement" in shown["text"]
    assert_charts_shown(shown["images"], ["coverage", "shifts", "service level"])


@needs_chromium
def test_chromium_shows_what_each_variant_needs_and_day_one(compared):
    printed, page = compared
    shown = seen(page)
    assert shown["h1"] == "Study: 90/15 proposal" == printed.splitlines()[0]
    assert shown["headings"] == ["Summary", "Charts", "Plans", "Day one"]
    assert shown["tables"] == [3, 3]  # a header and the base and the variant
    text = shown["text"]
    for line in ("What each variant needs", "met in simulation", "attainment [CI]",
                 "change [CI], points"):
        assert line in text, line
    plans = re.search(r"^\s*90/15\s+(\d+)\s+\+(\d+)", text, re.M)
    assert plans, text[:800]  # the variant's agents and the change against the base
    assert_charts_shown(shown["images"], ["comparison"])


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
