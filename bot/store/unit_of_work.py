"""One transaction per use case, and the translation of "database gone" into StoreUnavailable."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextvars import ContextVar
from types import TracebackType

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.audit_repository import AuditRepository
from bot.store.channel_repository import ChannelRepository
from bot.store.decision_repository import DecisionRepository
from bot.store.digest_repository import DigestRepository
from bot.store.engine import SQLITE_COMMIT_EACH, create_engine
from bot.store.errors import StoreUnavailable
from bot.store.item_link_repository import ItemLinkRepository
from bot.store.item_repository import ItemRepository
from bot.store.reminder_repository import ReminderRepository
from bot.store.report_reads import ReportReads
from bot.store.role_repository import RoleRepository
from bot.store.tracker_repository import TrackerRepository
from bot.store.vote_repository import VoteRepository
from bot.store.workspace_repository import WorkspaceRepository
from bot.store.writeback_repository import WritebackRepository

# Errors that mean "the database did not answer", as opposed to a bug in our SQL.
_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    OSError,
    TimeoutError,
)

# PostgreSQL's SQLSTATE classes that say the database cannot serve us now, whatever we ask:
# connection exception, invalid authorization (a role or password that stopped working),
# invalid catalog (the database was dropped), insufficient resources (too many connections),
# operator intervention (shutting down, starting up, a statement timeout) and system error.
_UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "28", "3D", "53", "57", "58"})

HEALTH_TIMEOUT_S = 2.0
# Reads a table of ours, not just `SELECT 1`: a server that answers without our database (or
# with the schema gone) cannot serve the bot either.
_HEALTH_PROBE = text("SELECT version_num FROM alembic_version")

logger = logging.getLogger(__name__)


def _is_unavailable(exc: BaseException | None) -> bool:
    if isinstance(exc, _UNAVAILABLE):
        return True
    # asyncpg reports a dropped connection as a DBAPI error flagged as invalidating it.
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return (_sqlstate(exc) or "")[:2] in _UNAVAILABLE_SQLSTATE_CLASSES


def _sqlstate(exc: BaseException | None) -> str | None:
    """The SQLSTATE of a PostgreSQL error: asyncpg's own (raised as is while connecting) or
    the one SQLAlchemy copies onto the DBAPI error it wraps around it."""
    for candidate in (exc, getattr(exc, "orig", None)):
        code = getattr(candidate, "sqlstate", None)
        if isinstance(code, str):
            return code
    return None


_inside_unit_of_work: ContextVar[bool] = ContextVar("inside_unit_of_work", default=False)


class UnitOfWork:
    """`async with store.unit_of_work() as uow:` ... `await uow.commit()`; rolls back otherwise.

    On SQLite the units of work of one process take turns (`serial`): SQLite has one writer at
    a time, and an asyncio queue is fairer and cheaper than writers polling the file lock until
    busy_timeout runs out. PostgreSQL runs them concurrently.
    """

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], serial: asyncio.Lock | None
    ) -> None:
        self._sessions = sessions
        self._serial = serial

    async def __aenter__(self) -> UnitOfWork:
        if _inside_unit_of_work.get():
            # A nested unit of work would wait forever for the SQLite turn its caller holds.
            raise RuntimeError("a unit of work was opened inside another one")
        if self._serial is not None:
            await self._serial.acquire()
        self._token = _inside_unit_of_work.set(True)
        self.session = self._sessions()
        self.items = ItemRepository(self.session)
        self.channels = ChannelRepository(self.session)
        self.digests = DigestRepository(self.session)
        self.votes = VoteRepository(self.session)
        self.roles = RoleRepository(self.session)
        self.decisions = DecisionRepository(self.session)
        self.reminders = ReminderRepository(self.session)
        self.audit = AuditRepository(self.session)
        self.workspaces = WorkspaceRepository(self.session)
        self.trackers = TrackerRepository(self.session)
        self.item_links = ItemLinkRepository(self.session)
        self.writebacks = WritebackRepository(self.session)
        self.report = ReportReads(self.session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed, without expiring loaded objects; if the
        # database is gone the original error below says more than the failed cleanup.
        try:
            with contextlib.suppress(*_UNAVAILABLE):
                await self.session.close()
        finally:
            _inside_unit_of_work.reset(self._token)
            if self._serial is not None:
                self._serial.release()
        if _is_unavailable(exc):
            raise StoreUnavailable(str(exc).splitlines()[0] if str(exc) else "no answer") from exc

    async def commit(self) -> None:
        await self.session.commit()


class Store:
    """The database as the rest of the bot sees it: units of work and a health probe."""

    def __init__(self, database_url: str, engine: AsyncEngine | None = None) -> None:
        self.database_url = database_url
        self.engine = engine or create_engine(database_url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        if self.engine.dialect.name == "postgresql":
            autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        else:
            autocommit = self.engine.execution_options(**{SQLITE_COMMIT_EACH: True})
        self._autocommit_sessions = async_sessionmaker(autocommit, expire_on_commit=False)
        self._serial: asyncio.Lock | None = None

    def unit_of_work(self, *, autocommit: bool = False, read_only: bool = False) -> UnitOfWork:
        """A unit of work; with `autocommit`, for statements that are each a transaction by
        themselves; with `read_only`, for a unit of work that only reads.

        Autocommit saves PostgreSQL's BEGIN and COMMIT, two round trips of a three-trip write,
        and is only right where no statement needs to land together with another (a single
        statement, or steps that each stand alone whatever follows them). On SQLite each
        statement commits on the driver's thread in the hand-off that runs it, instead of in a
        hand-off of its own (bot/store/sqlite_driver.py); the writers still take turns.

        A read-only unit of work runs in autocommit on PostgreSQL too (at READ COMMITTED each
        statement of a transaction sees its own snapshot anyway, so the transaction bought no
        consistency), and on SQLite it does not wait for the writers' turn: WAL lets readers
        run beside the one writer, and the driver opens no transaction for a SELECT.
        """
        if self.engine.dialect.name == "sqlite" and self._serial is None:
            self._serial = asyncio.Lock()
        sessions = self._autocommit_sessions if autocommit or read_only else self._sessions
        return UnitOfWork(sessions, None if read_only else self._serial)

    async def is_healthy(self) -> bool:
        """True when the bot's database answers a trivial query within HEALTH_TIMEOUT_S.

        Any failure is False: the probe exists to say whether the database serves, and a
        server down, a database dropped, a role refused or a statement timing out all say no.
        """
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S), self.engine.connect() as conn:
                await conn.execute(_HEALTH_PROBE)
        except Exception as exc:
            if not _is_unavailable(exc):
                # Not a failure we know; its name helps whoever reads why /healthz says 503.
                first_line = str(exc).splitlines()[0] if str(exc) else ""
                logger.warning("health probe failed: %s %s", type(exc).__name__, first_line)
            return False
        return True

    async def close(self) -> None:
        await self.engine.dispose()
