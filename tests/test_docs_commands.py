"""Every shell command in README.md and docs/*.md runs as written.

Each ```bash block (and each ```python block, by the venv's python) is run as one bash script (`set -euo pipefail`), as a reader who activated the
venv would type it (`.venv/bin` first on PATH), in a folder laid out like a clone whose
`warehouse/` is a private copy of the session's published warehouse. A block fails the test if
any of its commands exits non-zero. The few commands that cannot run here are listed in
NOT_RUN with the test that covers them instead; a block may not be skipped silently.

The blocks are e2e: real `citydip` processes, two of them full refreshes.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_ENV
from tests.published import Published, copy_published

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

# A command that starts with (or, for "--live", contains) the key is not run; the reason names
# what covers it instead.
NOT_RUN = {
    "make test": "it is this test suite",
    "make ui": "a long-running server: tests/pipelines/test_webserver_lineage.py serves the same "
    "code location with the real webserver",
    "sudo ": "installs system services as root (deploy/)",
    "journalctl ": "reads the log of the systemd unit installed above",
    ".venv/bin/citydip diff": "needs two editions: tests/pipelines/test_editions.py diffs three",
    ".venv/bin/citydip rebuild --edition": "a full build: tests/pipelines/test_editions.py "
    "rebuilds edition 2 of three",
    "--live": "needs the providers on the internet: tests/pipelines/test_live_refresh.py and "
    "test_live_every_source.py run the same refresh against local servers",
}

# What a block needs to find before it runs, keyed by a text of the block: the state the doc's
# prose describes ("after a response was refused", "after a second publish").
GIVEN = {
    "rejected/": "mkdir -p warehouse/raw/worldbank/rejected && "
    "printf '<html>' > warehouse/raw/worldbank/rejected/0.html && "
    'printf \'{"url": "https://api.worldbank.org/v2", "error": "HTML page"}\' '
    "> warehouse/raw/worldbank/rejected/0.note.json",
    "citydip.previous.duckdb": "cp warehouse/citydip.duckdb warehouse/citydip.previous.duckdb",
}


def blocks(path: Path) -> list[str]:
    """The doc's ```bash blocks, and its ```python blocks as a bash command running them."""
    found = re.findall(r"```(bash|python)\n(.*?)```", path.read_text(), re.S)
    return [body if lang == "bash" else f"python - <<'PY'\n{body}PY\n" for lang, body in found]


def commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, blank lines and comments dropped."""
    if block.startswith("python - <<"):
        return [block.rstrip("\n")]  # a heredoc is one command
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def not_run(command: str) -> str | None:
    for key, reason in NOT_RUN.items():
        if command.startswith(key) or (key.startswith("--") and key in command):
            return reason
    return None


def runnable(block: str) -> str:
    """The block as a script: commands in NOT_RUN become comments, with their reason."""
    return "\n".join(
        f"# not run: {reason}" if (reason := not_run(c)) else c for c in commands(block)
    )


CASES = [
    pytest.param(doc, i, block, id=f"{doc.relative_to(REPO)}:{i + 1}")
    for doc in DOCS
    for i, block in enumerate(blocks(doc))
]


def test_the_docs_have_commands_and_every_exclusion_is_used():
    """Most commands run; every NOT_RUN entry still matches a command (none is stale)."""
    every = [c for _, _, block in (case.values for case in CASES) for c in commands(block)]
    assert len([c for c in every if not not_run(c)]) >= 15
    for key in NOT_RUN:
        assert any(not_run(c) == NOT_RUN[key] for c in every), f"stale NOT_RUN entry {key!r}"


@pytest.fixture
def clone_like(shared_warehouse: Published, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder laid out like the repository (its files linked) whose warehouse/ and Dagster
    instance are private copies of the shared refresh's, and the reader's environment."""
    env = copy_published(shared_warehouse, tmp_path / "state")
    clone = tmp_path / "clone"
    clone.mkdir()
    for entry in REPO.iterdir():
        if entry.name not in {"warehouse", ".dagster", ".git"}:
            (clone / entry.name).symlink_to(entry)
    (clone / "warehouse").symlink_to(Path(env["CITYDIP_HOME"]))
    env = {
        **os.environ,
        **TEST_ENV,
        **env,
        "CITYDIP_HOME": str(clone / "warehouse"),
        "PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "VIRTUAL_ENV": str(REPO / ".venv"),
    }
    return clone, env


@pytest.mark.e2e
@pytest.mark.parametrize(("doc", "index", "block"), CASES)
def test_block_runs_as_written(doc: Path, index: int, block: str, clone_like) -> None:
    clone, env = clone_like
    given = [setup for key, setup in GIVEN.items() if key in block]
    script = "\n".join(["set -euo pipefail", *given, runnable(block)])
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=900,
    )
    assert done.returncode == 0, f"{doc.name} block {index + 1}:\n{script}\n{done.stderr[-3000:]}"
