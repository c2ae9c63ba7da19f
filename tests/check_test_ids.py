"""Every test id collected before the tiers (TEST_IDS_BEFORE.txt: `pytest --collect-only -q`)
is still collected in one of them (TEST_IDS_AFTER.txt: `pytest --collect-only -q -m <tier>` for
unit, integration and e2e, each under a `# <tier>` line).

Run `.venv/bin/python tests/check_test_ids.py`: it exits 1 and lists the ids lost, if any.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def ids(name: str) -> set[str]:
    return {line.strip() for line in (HERE / name).read_text().splitlines() if "::" in line}


def main() -> int:
    before, after = ids("TEST_IDS_BEFORE.txt"), ids("TEST_IDS_AFTER.txt")
    lost, added = sorted(before - after), sorted(after - before)
    print(f"before {len(before)}, after {len(after)}, lost {len(lost)}, added {len(added)}")
    for test_id in lost:
        print(f"lost: {test_id}")
    for test_id in added:
        print(f"added: {test_id}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
