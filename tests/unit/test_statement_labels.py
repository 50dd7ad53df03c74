"""bench.digest_build's statement labels, which the statement-count tests compare: the verb and
the table a statement is mainly about."""

from __future__ import annotations

import pytest

from bench.digest_build import statement_label


@pytest.mark.parametrize(("sql", "executemany", "label"), [
    ("SELECT items.id FROM items WHERE items.team_id = $1", False, "SELECT items"),
    # A subquery's table is not the statement's.
    ("SELECT a, (SELECT count(*) FROM votes) FROM items WHERE b IN (SELECT c FROM d)", False,
     "SELECT items"),
    # A derived table: the table it reads.
    ("SELECT last.id FROM (SELECT id FROM decisions LIMIT 6) AS last "
     "LEFT OUTER JOIN decision_items ON decision_items.decision_id = last.id", False,
     "SELECT decisions"),
    ("SELECT 1", False, "SELECT"),
    ("INSERT INTO digest_messages (run_id) VALUES (?)", True,
     "INSERT digest_messages (executemany)"),
    ("UPDATE digest_runs SET parent_ts=$1 WHERE id = $2", False, "UPDATE digest_runs"),
    ("DELETE FROM votes WHERE item_id = 1", False, "DELETE votes"),
])
def test_a_statement_is_labelled_by_its_verb_and_main_table(
    sql: str, executemany: bool, label: str
) -> None:
    assert statement_label(sql, executemany) == label
