"""Headless Chromium (Debian's `chromium`, installed by `make test-deps`) renders the cards."""

from __future__ import annotations

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


def chromium(url: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
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
            f"--user-data-dir={profile}",
            "--window-size=1200,1200",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )


def visible_text(dom: str) -> str:
    body = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", dom, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture(scope="module")
def site(published_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site") / "cards"
    shutil.copytree(published_home / "cards", target)
    return target


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "index.html",
            ["City-diplomacy scorecard", "Hong Kong", "Singapore", *pillar_names().values()],
        ),
        (
            "hong-kong.html",
            [
                "Hong Kong",
                "overall score",
                "Pillars",
                "Strengths and weaknesses",
                "Trend",
                "Indicators behind each pillar",
            ],
        ),
        (
            "audit.html",
            [
                "Statistical audit",
                "Cronbach's alpha",
                "Correlations",
                "Effective beside nominal weights",
                "Sobol indices",
                "indicator left out",
            ],
        ),
    ],
)
def test_chromium_renders_the_page_and_it_is_not_blank(page, expected, site, tmp_path):
    url = (site / page).as_uri()
    dom = chromium(url, tmp_path / "profile-dom", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = visible_text(dom.stdout)
    for words in expected:
        assert words in text

    png = tmp_path / "page.png"
    shot = chromium(url, tmp_path / "profile-shot", f"--screenshot={png}")
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 8  # text, bars and charts, not a blank page
