"""`tradeoff digest --team T --channel C [--dry-run]` from the command line."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from bot.domain.items import Kind
from bot.store.migrate import upgrade_to_head
from bot.store.unit_of_work import Store
from tests.conftest import BOT_TOKEN
from tests.fakes.slack_api import FakeSlack
from tests.support.digests import parents, replies
from tests.support.items import add_item
from tests.support.processes import TRADEOFF, clean_env


def _seeded_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade_to_head(url)

    async def seed() -> None:
        store = Store(url)
        await add_item(store, "TCLI", Kind.DEBT, "Flaky tests", size="S", urgency="high")
        await add_item(store, "TCLI", Kind.FEATURE, "Dark mode", votes=2)
        await store.close()

    asyncio.run(seed())
    return url


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [str(TRADEOFF), "digest", *args], env=env, cwd=cwd, capture_output=True, text=True,
        timeout=60, check=False,
    )


def test_dry_run_prints_the_digest_and_posts_nothing(tmp_path: Path) -> None:
    url = _seeded_database(tmp_path)
    with FakeSlack() as fake:
        env = clean_env(DATABASE_URL=url, SLACK_API_URL=fake.base_url)
        result = _run(["--team", "TCLI", "--channel", "C111", "--dry-run"], env, tmp_path)

        assert result.returncode == 0, result.stderr
        assert "Tradeoff digest · C111 · week of" in result.stdout
        assert "1. D-1  Flaky tests" in result.stdout and "1. F-1  Dark mode" in result.stdout
        assert "Recommended for the next cycle" in result.stdout
        assert fake.calls_to("chat.postMessage") == []


def test_posting_from_the_cli_goes_to_slack_once(tmp_path: Path) -> None:
    url = _seeded_database(tmp_path)
    with FakeSlack() as fake:
        env = clean_env(
            DATABASE_URL=url, SLACK_API_URL=fake.base_url, SLACK_BOT_TOKEN=BOT_TOKEN,
            DIGEST_REPLY_INTERVAL="0",
        )
        result = _run(["--team", "TCLI", "--channel", "C111"], env, tmp_path)

        assert result.returncode == 0, result.stderr
        assert "digest posted, 2 thread replies" in result.stdout
        assert (len(parents(fake)), len(replies(fake))) == (1, 2)


def test_posting_without_a_token_names_it(tmp_path: Path) -> None:
    url = _seeded_database(tmp_path)
    result = _run(["--team", "TCLI", "--channel", "C111"], clean_env(DATABASE_URL=url), tmp_path)

    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_dry_run_puts_a_bug_in_the_left_column_with_its_severity(tmp_path: Path) -> None:
    url = _seeded_database(tmp_path)

    async def add_bug() -> None:
        store = Store(url)
        await add_item(store, "TCLI", Kind.BUG, "Checkout 500s", size="S", severity="critical",
                       affected="12")
        await store.close()

    asyncio.run(add_bug())
    result = _run(["--team", "TCLI", "--channel", "C111", "--dry-run"], clean_env(
        DATABASE_URL=url), tmp_path)

    assert result.returncode == 0, result.stderr
    assert "TECH DEBT & BUGS" in result.stdout
    lines = result.stdout.splitlines()
    # (0 + 8 + 12) ÷ 2 = 10 leads the column, above D-1's (0 + 5) ÷ 2.
    assert any(line.startswith("1. B-1  Checkout 500s") for line in lines)
    assert any(line.startswith("2. D-1  Flaky tests") for line in lines)
    left = " ".join(line.split(" │ ")[0].strip() for line in lines)  # the column, unwrapped
    assert "critical severity · 12 affected/week · score 10" in left
