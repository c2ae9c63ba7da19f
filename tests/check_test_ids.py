"""Every test id collected before the tiers (TEST_IDS_BEFORE.txt: `pytest --collect-only -q`)
is still collected in one of them (TEST_IDS_AFTER.txt: `pytest --collect-only -q -m <tier>` for
unit, integration and e2e, each under a `# <tier>` line).

Run `.venv/bin/python tests/check_test_ids.py`: it exits 1 and lists the ids lost, if any.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Tests whose subject changed with the data, and the test that now covers it.
REPLACED = {
    # GFCI now ships one September edition per year (36, 38) with a rating and a rank per city
    "tests/sources/test_curated.py::test_gfci_ranks_one_march_edition_per_year": (
        "tests/sources/test_curated.py::test_gfci_has_one_september_edition_per_year_for_every_city"
    ),
    # wikidata ships a real offline snapshot (2022 missions export, 2016 P190, Wikipedia lists)
    "tests/sources/test_wikidata.py::test_ships_no_snapshot": (
        "tests/sources/test_wikidata.py::test_the_snapshot_gives_the_known_counts_per_city"
    ),
    # a third plausibility check, plausible_revision (issue 17)
    # the browser test renders every page at two widths in one Chromium launch each (issue 15)
    "tests/cards/test_browser.py::test_chromium_renders_the_page_and_it_is_not_blank[index.html-expected0]": (
        "tests/cards/test_browser.py::test_the_pages_show_their_content[desktop]"
    ),
    "tests/cards/test_browser.py::test_chromium_renders_the_page_and_it_is_not_blank[hong-kong.html-expected1]": (
        "tests/cards/test_browser.py::test_the_screenshot_is_the_width_and_not_blank[desktop]"
    ),
    "tests/reliability/test_plausibility.py::test_every_source_has_both_non_blocking_checks": (
        "tests/reliability/test_plausibility.py::test_every_source_has_the_non_blocking_checks"
    ),
    # a reader process during refreshes: the editions test's reader meets three publishes (the
    # readers test's met one) and also asserts every edition is seen in turn; its other check,
    # a successful `refresh --quiet` prints nothing, is in test_live_every_source.py
    "tests/pipelines/test_readers_during_refresh.py::test_a_reader_never_sees_an_error_or_half_an_edition": (
        "tests/pipelines/test_editions.py::test_readers_were_never_blocked"
    ),
}


def ids(name: str) -> set[str]:
    return {line.strip() for line in (HERE / name).read_text().splitlines() if "::" in line}


def main() -> int:
    before, after = ids("TEST_IDS_BEFORE.txt"), ids("TEST_IDS_AFTER.txt")
    replaced = {old for old, new in REPLACED.items() if old in before and new in after}
    lost, added = sorted(before - after - replaced), sorted(after - before)
    print(
        f"before {len(before)}, after {len(after)}, lost {len(lost)}, "
        f"replaced {len(replaced)}, added {len(added)}"
    )
    for old in sorted(replaced):
        print(f"replaced: {old} -> {REPLACED[old]}")
    for test_id in lost:
        print(f"lost: {test_id}")
    for test_id in added:
        print(f"added: {test_id}")
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
