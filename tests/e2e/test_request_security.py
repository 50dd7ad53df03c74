"""Requests that Slack did not sign, or that are replayed, are refused and change nothing."""

from __future__ import annotations

import time

from tests.conftest import Bot
from tests.support.db import stored_items
from tests.support.slack_requests import signed_headers

FORM = "application/x-www-form-urlencoded"


async def test_forged_signature_is_refused(bot: Bot) -> None:
    body = bot.slack.command_body("/debt", "Forged | impact")
    headers = signed_headers(body, FORM, secret="not-the-signing-secret")

    response = await bot.slack.http.post(bot.slack.events_url, content=body, headers=headers)

    assert response.status_code == 401
    assert await stored_items(bot.store, bot.team_id) == []


async def test_body_changed_after_signing_is_refused(bot: Bot) -> None:
    body = bot.slack.command_body("/debt", "Original | impact")
    headers = signed_headers(body, FORM)
    tampered = body.replace(b"Original", b"Tampered")

    response = await bot.slack.http.post(bot.slack.events_url, content=tampered, headers=headers)

    assert response.status_code == 401
    assert await stored_items(bot.store, bot.team_id) == []


async def test_replayed_request_older_than_five_minutes_is_refused(bot: Bot) -> None:
    body = bot.slack.command_body("/debt", "Replayed | impact")

    response = await bot.slack.post_signed(body, FORM, timestamp=int(time.time()) - 301)

    assert response.status_code == 401
    assert await stored_items(bot.store, bot.team_id) == []


async def test_missing_signature_headers_are_refused(bot: Bot) -> None:
    body = bot.slack.command_body("/debt", "Unsigned | impact")

    response = await bot.slack.http.post(
        bot.slack.events_url, content=body, headers={"content-type": FORM}
    )

    assert response.status_code == 401
    assert await stored_items(bot.store, bot.team_id) == []


async def test_a_correctly_signed_request_is_accepted(bot: Bot) -> None:
    body = bot.slack.command_body("/debt", "Signed | impact")

    response = await bot.slack.post_signed(body, FORM, timestamp=int(time.time()) - 60)

    assert response.status_code == 200
    assert [r.title for r in await stored_items(bot.store, bot.team_id)] == ["Signed"]
