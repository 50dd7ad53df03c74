"""One transaction per use case, and the translation of "database gone" into StoreUnavailable."""

from __future__ import annotations

import asyncio
import contextlib
from contextvars import ContextVar
from types import TracebackType

from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.audit_repository import AuditRepository
from bot.store.channel_repository import ChannelRepository
from bot.store.decision_repository import DecisionRepository
from bot.store.digest_repository import DigestRepository
from bot.store.engine import create_engine
from bot.store.errors import StoreUnavailable
from bot.store.item_repository import ItemRepository
from bot.store.role_repository import RoleRepository
from bot.store.vote_repository import VoteRepository
from bot.store.workspace_repository import WorkspaceRepository

# Errors that mean "the database did not answer", as opposed to a bug in our SQL.
_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    OSError,
    TimeoutError,
)

HEALTH_TIMEOUT_S = 2.0


def _is_unavailable(exc: BaseException | None) -> bool:
    if isinstance(exc, _UNAVAILABLE):
        return True
    # asyncpg reports a dropped connection as a DBAPI error flagged as invalidating it.
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


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
        self.audit = AuditRepository(self.session)
        self.workspaces = WorkspaceRepository(self.session)
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
        self._serial: asyncio.Lock | None = None

    def unit_of_work(self) -> UnitOfWork:
        if self.engine.dialect.name == "sqlite" and self._serial is None:
            self._serial = asyncio.Lock()
        return UnitOfWork(self._sessions, self._serial)

    async def is_healthy(self) -> bool:
        """True when the database answers a trivial query within HEALTH_TIMEOUT_S."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S), self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (*_UNAVAILABLE, sa_exc.DBAPIError):
            return False
        return True

    async def close(self) -> None:
        await self.engine.dispose()
