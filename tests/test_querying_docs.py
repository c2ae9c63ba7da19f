"""docs/querying.md: its ten worked questions run on a freshly published warehouse."""

from __future__ import annotations

import re

import pytest

from pipelines.read.reader import open_published
from tests.conftest import REPO

BLOCKS = re.findall(r"```sql\n(.*?)```", (REPO / "docs" / "querying.md").read_text(), re.S)


def test_there_are_ten_questions():
    assert len(BLOCKS) == 13  # ten, and three over editions


@pytest.mark.parametrize("sql", BLOCKS, ids=[f"q{i + 1}" for i in range(len(BLOCKS))])
def test_each_question_runs_and_answers(sql, published_home):
    with open_published(published_home / "citydip.duckdb") as con:
        rows = con.execute(sql).fetchall()
    assert rows
