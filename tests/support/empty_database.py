"""A database with no schema at all (SQLite or PostgreSQL), for tests that stop migrations."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.conftest import _pg_admin_dsn, _pg_execute


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, so the test can stop the migrations where it likes."""
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        yield f"sqlite:///{tmp_path}/before_bugs.db"
        return
    name = f"tradeoff_migrate_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin_dsn(pg_url)
    asyncio.run(_pg_execute(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
