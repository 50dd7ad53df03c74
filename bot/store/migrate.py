"""Running the Alembic migrations that ship inside the package, from any working directory."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.engine import create_engine, to_async_url


@dataclass(frozen=True)
class Migration:
    """What `upgrade_to_head` found and left: None before means there was no schema."""

    before: str | None
    after: str | None


def migrations_dir() -> Path:
    """Where `migrations/` is: the repo's top level, shipped in the package as bot.migrations."""
    return Path(str(files("bot.migrations")))


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(database_url: str) -> Migration:
    """Bring the schema to the newest revision. Blocking: call it outside a running event loop."""
    before = revision_of(database_url)
    command.upgrade(alembic_config(database_url), "head")
    return Migration(before, revision_of(database_url))


def revision_of(database_url: str) -> str | None:
    """The database's schema revision, None when it has none. Blocking, like upgrade_to_head.
    An SQLite file that does not exist is created: check `sqlite_file_missing` first."""

    async def read() -> str | None:
        engine = create_engine(database_url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def sqlite_file_missing(database_url: str) -> Path | None:
    """The path of an SQLite database file that does not exist yet, else None. Connecting to
    it would create it, which a read-only command must not do."""
    url = make_url(to_async_url(database_url))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    return None if path.exists() else path


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, None when it was never migrated."""
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda sync_conn: MigrationContext.configure(sync_conn).get_current_revision()
        )
