"""Headless Chromium (Debian's `chromium`, installed by `make test-deps`) renders the cards at a
desktop and a phone width: no page runs off the screen, none is blank, the comparison reads the
cities from the address.

One Chromium launch per width: a harness page (written next to the site) loads the index, a
card, the comparison, the audit, the methodology and the sources in iframes of that width and records, once they have loaded,
each page's scroll width, viewport width and visible text; the same launch dumps the DOM and
takes the screenshot. --allow-file-access-from-files lets the harness read the file:// frames.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from PIL import Image

from tests.seeds import pillar_names

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="chromium is not installed (run `make test-deps`)"
)

FRAME_HEIGHT = 900
PAGES = {
    "index": "index.html",
    "card": "hong-kong.html",
    "compare": "compare.html#cities=hong-kong,singapore",
    "audit": "audit.html",
    "methodology": "methodology.html",
    "sources": "sources.html",
}

HARNESS = """<!doctype html>
<html><head><meta charset="utf-8"><style>
body {{ margin: 0; }} iframe {{ display: block; border: 0; width: {width}px; height: {height}px; }}
</style></head><body>
{frames}
<pre id="result"></pre>
<script>
window.addEventListener('load', function () {{
  var out = {{}};
  document.querySelectorAll('iframe').forEach(function (f) {{
    var d = f.contentDocument, w = f.contentWindow;
    var rows = d.querySelectorAll('#scores tbody tr');
    out[f.id] = {{
      scrollWidth: d.documentElement.scrollWidth,
      viewport: w.innerWidth,
      text: d.body.innerText,
      hash: w.location.hash,
      rowsShown: Array.prototype.filter.call(rows, function (r) {{
        return w.getComputedStyle(r).display !== 'none';
      }}).map(function (r) {{ return r.getAttribute('data-city'); }}),
      dotsShown: Array.prototype.filter.call(d.querySelectorAll('circle.dot'), function (c) {{
        return w.getComputedStyle(c).display !== 'none';
      }}).map(function (c) {{ return c.getAttribute('data-city'); }})
    }};
  }});
  document.getElementById('result').textContent = JSON.stringify(out);
}});
</script></body></html>
"""


def chromium(url: str, profile: Path, width: int, height: int, *args: str):
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--allow-file-access-from-files",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )


@pytest.fixture(scope="module")
def site(published_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site") / "cards"
    shutil.copytree(published_home / "cards", target)
    return target


@pytest.fixture(scope="module", params=[1400, 390], ids=["desktop", "phone"])
def rendered(request, site: Path, tmp_path_factory: pytest.TempPathFactory):
    """One launch at this width: the harness's measurements and its screenshot."""
    width = request.param
    frames = "\n".join(f'<iframe id="{name}" src="{src}"></iframe>' for name, src in PAGES.items())
    harness = site / f"harness-{width}.html"
    harness.write_text(HARNESS.format(width=width, height=FRAME_HEIGHT, frames=frames))
    work = tmp_path_factory.mktemp(f"chromium-{width}")
    png = work / "harness.png"
    done = chromium(
        harness.as_uri(),
        work / "profile",
        width,
        FRAME_HEIGHT * len(PAGES),
        "--dump-dom",
        f"--screenshot={png}",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.S)
    assert found and found.group(1), done.stdout[-2000:]
    return width, json.loads(unescape(found.group(1))), png


@pytest.mark.parametrize("page", list(PAGES))
def test_no_page_runs_off_the_screen(rendered, page):
    width, pages, _ = rendered
    seen = pages[page]
    assert seen["viewport"] == width
    assert seen["scrollWidth"] <= seen["viewport"], f"{page} is {seen['scrollWidth']} px wide"


def test_the_pages_show_their_content(rendered):
    _, pages, _ = rendered
    expected = {
        "index": ["City-diplomacy scorecard", "Hong Kong", "Singapore", "Year:"],
        "card": [
            "Hong Kong",
            "overall score",
            "Pillars",
            "Strengths and weaknesses",
            "Trend",
            "Indicators behind each pillar",
            "Download this card's numbers (CSV)",
        ],
        "compare": ["Compare cities", "Hong Kong", "Singapore", *pillar_names().values()],
        "audit": ["Statistical audit", "Cronbach's alpha", "Correlations", "Sobol indices"],
        "methodology": ["The scorecard methodology", "Normalise", "Known limits"],
        "sources": ["Sources", "payload", "licence"],
    }
    for page, words in expected.items():
        text = " ".join(pages[page]["text"].split())
        for word in words:
            assert word in text, (page, word)


def test_the_comparison_shows_the_cities_in_the_address(rendered):
    _, pages, _ = rendered
    compare = pages["compare"]
    assert compare["hash"] == "#cities=hong-kong,singapore"
    assert sorted(compare["rowsShown"]) == ["hong-kong", "singapore"]
    assert set(compare["dotsShown"]) == {"hong-kong", "singapore"}  # and no other city's


def test_the_screenshot_is_the_width_and_not_blank(rendered):
    width, _, png = rendered
    with Image.open(png) as image:
        assert image.width == width
        rgb = image.convert("RGB")
        for i in range(len(PAGES)):  # every frame drew text, bars and charts
            frame = rgb.crop((0, i * FRAME_HEIGHT, width, (i + 1) * FRAME_HEIGHT))
            colours = frame.getcolors(maxcolors=1 << 16)
            assert colours is None or len(colours) > 8, list(PAGES)[i]
