"""Two refreshes started together: one runs, the other is refused (exit 75) without writing;
readers of the published warehouse see no error while the refresh replaces it."""

from __future__ import annotations

import threading

import duckdb

from pipelines.cli.refresh import EXIT_BUSY
from pipelines.read.reader import open_published
from pipelines.refresh.active_runs import WINDOW_JOB
from pipelines.refresh.recovery import PID_TAG
from tests.reliability.conftest import CITIES, assert_complete_scorecard


def read_until(path, stop: threading.Event, reads: list[int], errors: list[str]) -> None:
    """What an analyst does: open read-only, query the scorecard, close; again and again."""
    while not stop.is_set():
        try:
            with open_published(path) as con:
                cities = con.execute(
                    "select count(distinct city_id) from scorecard_city "
                    "where year = (select max(year) from scorecard_city)"
                ).fetchone()[0]
            reads.append(cities)
        except duckdb.Error as exc:
            errors.append(f"{type(exc).__name__}: {exc}")


def test_two_refreshes_started_together(warehouse):
    build_db = warehouse.home / "build" / "citydip_build.duckdb"
    runs_before = {run.run_id for run in warehouse.instance().get_runs()}
    stop, reads, errors = threading.Event(), [], []
    reader = threading.Thread(target=read_until, args=(warehouse.published, stop, reads, errors))
    reader.start()
    try:
        first, second = warehouse.start("refresh"), warehouse.start("refresh")
        results = [warehouse.finish(first), warehouse.finish(second)]
    finally:
        stop.set()
        reader.join()

    codes = sorted(r.returncode for r in results)
    assert codes == [0, EXIT_BUSY], [r.stderr[-1500:] for r in results]
    refused = next(r for r in results if r.returncode == EXIT_BUSY)
    ran_pid = (second if results[0] is refused else first).process.pid
    assert "refused" in refused.stderr and "another refresh holds the warehouse" in refused.stderr
    assert "RUN_START" not in refused.stderr  # it never started a run, so never wrote
    assert build_db.exists()
    assert errors == [] and reads, errors[:3]
    assert set(reads) == {CITIES}  # every read saw a complete scorecard
    assert_complete_scorecard(warehouse.published)
    # The refresh that ran made one run, or two when something was stale before it (e.g. after
    # the crash tests on this warehouse); the refused one started no run at all.
    # (Beside them, the refresh's `citydip_refresh` run window, issue 17: one per refresh.)
    new = [r for r in warehouse.instance().get_runs() if r.run_id not in runs_before]
    phases = [r for r in new if r.job_name != WINDOW_JOB]
    assert 1 <= len(phases) <= 2 and all(r.is_success for r in new), new
    assert len(new) - len(phases) == 1
    assert {r.tags.get(PID_TAG) for r in new} == {str(ran_pid)}
