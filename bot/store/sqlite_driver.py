"""aiosqlite connections whose statements each cost one hand-off to the driver's thread.

SQLAlchemy's aiosqlite adapter asks aiosqlite for a cursor, then executes, fetches and closes
it: four hand-offs to aiosqlite's thread and back for every statement, each a queue put, a
thread wake-up and a call_soon_threadsafe that wakes the event loop. A SQLite statement of the
bot cost 400 us of CPU that way against 220 us for the same statement on PostgreSQL, and the
hand-offs took about a fifth of the 1,000-channel digest's time on SQLite (bench.digest_build).

Here `cursor()` costs nothing and `execute()` runs the statement, reads every row and closes
the sqlite3 cursor in one go on the thread, which is what the adapter does anyway (it buffers
every row of a result). It leans on `Connection._execute` and `_conn`, aiosqlite's own
primitives for every call it makes (and `_thread`, if there, to mark it a daemon); pyproject
bounds aiosqlite to the versions that have them, and every SQLite test runs through this
module.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from threading import Thread
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import dialect as aiosqlite_dialect
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

_Outcome = tuple[Any, list[Any], int, int | None]


def connector_for(url: URL) -> Callable[[], aiosqlite.Connection]:
    """What create_async_engine's `async_creator` calls: a connection to the URL's database,
    opened with the arguments SQLAlchemy's own aiosqlite dialect would use."""
    args, kwargs = aiosqlite_dialect().create_connect_args(url)
    open_database = partial(sqlite3.connect, *args, **kwargs)

    def connect() -> aiosqlite.Connection:
        connection = OneHopConnection(open_database, iter_chunk_size=64)
        # As SQLAlchemy does for connections it opens itself: a connection nobody closed must
        # not keep the interpreter from exiting.
        thread = getattr(connection, "_thread", connection)
        if isinstance(thread, Thread):
            thread.daemon = True
        return connection

    return connect


class OneHopConnection(aiosqlite.Connection):
    # Set for a unit of work whose statements each stand alone (Store.unit_of_work's
    # autocommit): each then commits on the thread in the same hand-off as itself.
    commit_each = False

    async def cursor(self) -> BufferedCursor:  # type: ignore[override]
        return BufferedCursor(self)

    # SQLAlchemy ends every unit of work with a COMMIT or ROLLBACK, also one that only read,
    # where the driver never opened a transaction (it opens none for a SELECT): nothing to
    # hand to the thread then. No statement of this connection runs meanwhile, so the flag
    # read here is the thread's last word.
    async def commit(self) -> None:
        if self.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self.in_transaction:
            await super().rollback()


async def commit_together(session: AsyncSession) -> None:
    """Let the rest of the session's transaction commit as one, also in a unit of work whose
    statements would each commit by themselves (Store.unit_of_work's autocommit)."""
    pooled = await (await session.connection()).get_raw_connection()
    if isinstance(pooled.driver_connection, OneHopConnection):
        pooled.driver_connection.commit_each = False


class BufferedCursor:
    """The cursor SQLAlchemy's adapter sees: execute() and executemany() run on the driver's
    thread at once, the rows come back with them, and close() has nothing left to do."""

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []
        self._read = 0  # rows of _rows already fetched

    async def execute(self, sql: str, parameters: Any = None) -> BufferedCursor:
        await self._on_thread(_execute, sql, () if parameters is None else parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> BufferedCursor:
        await self._on_thread(_executemany, sql, parameters)
        return self

    # A streamed result is read from the front a row or a few at a time: a read position keeps
    # that O(1) per row, and fetchall (every other result) hands the list over uncopied.
    async def fetchall(self) -> list[Any]:
        rows = self._rows[self._read:] if self._read else self._rows
        self._rows, self._read = [], 0
        return rows

    async def fetchone(self) -> Any:
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        if size is None:
            return await self.fetchall()
        rows = self._rows[self._read:self._read + size]
        self._read += len(rows)
        return rows

    async def close(self) -> None:
        self._rows, self._read = [], 0

    async def _on_thread(
        self, run: Callable[[OneHopConnection, str, Any, bool], _Outcome], sql: str, parameters: Any
    ) -> None:
        connection = self._connection
        queue = cast(Callable[..., Awaitable[_Outcome]], connection._execute)
        outcome = await queue(run, connection, sql, parameters, connection.commit_each)
        self.description, self._rows, self.rowcount, self.lastrowid = outcome
        self._read = 0


# On aiosqlite's thread:

def _execute(connection: OneHopConnection, sql: str, parameters: Any, commit: bool) -> _Outcome:
    database = connection._conn
    cursor = database.cursor()
    try:
        cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        if commit and database.in_transaction:
            database.commit()
        return cursor.description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _executemany(
    connection: OneHopConnection, sql: str, parameters: Iterable[Any], commit: bool
) -> _Outcome:
    database = connection._conn
    cursor = database.cursor()
    try:
        cursor.executemany(sql, parameters)
        if commit and database.in_transaction:
            database.commit()
        return cursor.description, [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()
