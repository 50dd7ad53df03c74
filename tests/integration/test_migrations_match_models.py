"""The schema the migrations build is the schema the code expects: our models, slack_sdk's
installation and OAuth state stores, on SQLite and PostgreSQL. APScheduler keeps its jobs in
memory since migration 0007, so its old job table must be gone."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection

from bot.store.engine import create_engine
from bot.store.models import Base


def expected_metadata() -> MetaData:
    """Every table the bot reads or writes, as the code that uses it declares it."""
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states")
    return metadata


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return [
        diff for diff in compare_metadata(context, expected_metadata())
        # Alembic's own bookkeeping table is not a model of anyone's.
        if not (diff[0] == "remove_table" and diff[1].name == "alembic_version")
    ]


async def test_upgrade_head_builds_exactly_the_tables_the_code_declares(
    fresh_database_url: str,
) -> None:
    engine = create_engine(fresh_database_url)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(differences)
    finally:
        await engine.dispose()

    assert found == []


def test_the_expected_schema_covers_every_store_the_bot_uses() -> None:
    """So that the comparison above cannot pass by comparing nothing."""
    tables = set(expected_metadata().tables)
    assert {"items", "votes", "decisions", "slack_installations",
            "slack_bots", "slack_oauth_states"} <= tables
    assert "apscheduler_jobs" not in tables
    assert set(Base.metadata.tables) <= tables
