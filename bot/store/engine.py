"""Turning a DATABASE_URL into an async engine with sane settings for each backend."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import TextClause, bindparam, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.sql.selectable import TextualSelect
from sqlalchemy.util import await_only

from bot.store.sqlite_driver import connector_for

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}

# Long enough to ride out another writer's short transaction, short enough to answer Slack in 3 s.
SQLITE_BUSY_TIMEOUT_MS = 2000
PG_CONNECT_TIMEOUT_S = 2.0
# A pooled PostgreSQL connection idle longer than this is pinged before use; a younger one is
# trusted once asyncpg has not seen its socket close.
PG_IDLE_PING_AFTER_S = 30.0
# Replaced after this long in the pool, so no connection outlives a firewall's idle timer.
PG_POOL_RECYCLE_S = 1800


class DatabaseUrlError(ValueError):
    """DATABASE_URL cannot be used; the message says why in one line."""


def to_async_url(url: str) -> str:
    """Map `sqlite:///x.db` and `postgresql://...` as users write them to their async drivers."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseUrlError(f"DATABASE_URL '{url}' is not a database URL") from exc
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in _ASYNC_DRIVERS:
        raise DatabaseUrlError(
            f"DATABASE_URL uses '{backend}'; Tradeoff supports sqlite:/// and postgresql://"
        )
    if driver in ("aiosqlite", "asyncpg"):
        return parsed.render_as_string(hide_password=False)
    return parsed.set(drivername=_ASYNC_DRIVERS[backend]).render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(to_async_url(url)).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An AsyncEngine for the URL; SQLite gets WAL and a busy timeout, PostgreSQL a liveness
    check at checkout."""
    async_url = to_async_url(url)
    if is_sqlite(url):
        # The pool's own reset rolls back only an open transaction (see below).
        kwargs.setdefault("pool_reset_on_return", None)
        kwargs.setdefault("async_creator", connector_for(make_url(async_url)))
        engine = create_async_engine(async_url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "reset", _rollback_if_in_transaction)
        event.listen(engine.sync_engine, "begin", _commit_each_if_asked)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("pool_recycle", PG_POOL_RECYCLE_S)
    kwargs.setdefault("connect_args", {"timeout": PG_CONNECT_TIMEOUT_S, "command_timeout": 10})
    engine = create_async_engine(async_url, **kwargs)
    _check_liveness_at_checkout(engine)
    return engine


def _check_liveness_at_checkout(engine: AsyncEngine) -> None:
    """Hand out no connection that PostgreSQL already closed, at no round trip for busy ones.

    pool_pre_ping sent a `SELECT 1` at every checkout, one round trip in three of a quick-add.
    asyncpg learns of a reset or closed socket as soon as the event loop reads it, so a restart
    while the bot is idle is seen for free; only a connection idle long enough for a silent
    drop (a firewall, a NAT timer) to be possible gets a real ping.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        driver = dbapi_connection.driver_connection
        if driver.is_closed():
            raise sa_exc.DisconnectionError("the server closed this pooled connection")
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since > PG_IDLE_PING_AFTER_S:
            # A dropped peer never answers: bounded, so the user waits seconds, not the
            # statement timeout, before a new connection takes over.
            try:
                await_only(driver.fetchrow(";", timeout=PG_CONNECT_TIMEOUT_S))
            except Exception as exc:
                # Closed at once: the pool's own graceful close would wait on the dead peer
                # for another two seconds.
                driver.terminate()
                raise sa_exc.DisconnectionError("a pooled connection did not answer") from exc


def _rollback_if_in_transaction(dbapi_connection: Any, _record: Any, _state: Any) -> None:
    """Return a SQLite connection to the pool with no transaction open, at no cost when it has
    none: after a commit, and after reads (the driver opens no transaction for a SELECT).
    Each ROLLBACK is a hand-off to aiosqlite's thread and back, one in eight of a digest's."""
    if dbapi_connection.driver_connection.in_transaction:
        dbapi_connection.rollback()


# The execution option that makes each statement of a SQLite connection commit by itself.
SQLITE_COMMIT_EACH = "tradeoff_commit_each"


def _commit_each_if_asked(conn: Any) -> None:
    """Every unit of work begins here, so each one sets the flag its own way."""
    driver = conn.connection.driver_connection
    driver.commit_each = bool(conn.get_execution_options().get(SQLITE_COMMIT_EACH))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer commits; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL cannot corrupt the database; a power cut may lose the last commits.
    # FULL would fsync on every commit, and the digest commits once per posted reply.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_RENDERED: dict[tuple[str, str], TextClause | TextualSelect] = {}


def column_param(column: Any, name: str | None = None) -> Any:
    """A bindparam() named after `column` (or `name`) with its type, so the column's own
    processing (UTC datetimes, say) applies to the value in a statement built once."""
    return bindparam(name or column.key, type_=column.type)


def rendered_once(
    session: AsyncSession, key: str, build: Callable[[AsyncSession], Any]
) -> TextClause | TextualSelect:
    """The statement `build(session)` makes, rendered to SQL once per backend and kept under `key`.

    SQLAlchemy 2.0 never caches the compiled form of an INSERT ... ON CONFLICT (both dialects'
    Insert classes opt out of its statement cache), so each upsert was compiled anew on every
    execution; on the hot paths (every vote, every new item) that cost more than running it.
    Text statements are cached like any other. `build` must use bindparam()s for the values
    that change between calls; literal values are kept as they were.
    """
    backend = session.get_bind().dialect.name
    rendered = _RENDERED.get((backend, key))
    if rendered is None:
        statement = build(session)
        # A named paramstyle renders `:name` placeholders, which text() understands.
        dialect = (postgresql if backend == "postgresql" else sqlite).dialect(paramstyle="named")
        compiled = statement.compile(dialect=dialect)
        binds = [
            bindparam(name, bind.value, type_=bind.type, required=bind.required)
            for bind, name in compiled.bind_names.items()
        ]
        rendered = text(compiled.string).bindparams(*binds)
        returning = compiled.effective_returning
        if returning:
            rendered = rendered.columns(*returning)
        _RENDERED[(backend, key)] = rendered
    return rendered
