"""The fake Slack server behaves like Slack for the real ``AsyncWebClient``."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlack, SlackCall

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Debt* item"}}]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
async def client(fake: FakeSlack) -> AsyncIterator[AsyncWebClient]:
    yield AsyncWebClient(token="xoxb-test-token", base_url=fake.base_url, timeout=5)


async def test_post_message_returns_increasing_ts_and_records_blocks(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    first = await client.chat_postMessage(channel="C1", text="one", blocks=BLOCKS)
    second = await client.chat_postMessage(channel="C1", text="two", thread_ts=first["ts"])

    assert float(second["ts"]) > float(first["ts"])
    assert first["channel"] == "C1"
    assert first["message"]["blocks"] == BLOCKS
    assert first["message"]["user"] == "UBOT"
    assert second["message"]["thread_ts"] == first["ts"]
    calls = fake.calls_to("chat.postMessage")
    assert [c.params["text"] for c in calls] == ["one", "two"]
    assert calls[0].params["blocks"] == BLOCKS
    assert calls[0].token == "xoxb-test-token"
    assert calls[0].path == "/api/chat.postMessage"


async def test_form_encoded_json_fields_are_decoded(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Log debt"}, "blocks": []}
    await client.api_call("views.open", data={"trigger_id": "123.456", "view": json.dumps(view)})
    await client.api_call("chat.update", data={"channel": "C1", "ts": "1.2", "blocks": "[]"})
    opened = await client.views_open(trigger_id="123.456", view=view)

    assert fake.calls_to("chat.update")[0].params["blocks"] == []
    assert [c.params["view"] for c in fake.calls_to("views.open")] == [view, view]
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["title"] == view["title"]


async def test_default_answers_have_slack_shapes(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.users["U2"] = {"tz": "Asia/Tokyo", "profile": {"display_name": "kim"}}

    auth = await client.auth_test()
    user = await client.users_info(user="U2")
    info = await client.conversations_info(channel="C9")
    link = await client.chat_getPermalink(channel="C9", message_ts="1700000000.000100")

    assert (auth["team_id"], auth["user_id"], auth["bot_id"]) == ("T111", "UBOT", "BBOT")
    assert auth.headers["x-oauth-scopes"]
    assert user["user"]["id"] == "U2"
    assert user["user"]["tz"] == "Asia/Tokyo"
    assert user["user"]["profile"]["display_name"] == "kim"
    assert user["user"]["profile"]["real_name"]  # the rest of the profile is kept
    assert info["channel"]["id"] == "C9"
    assert info["channel"]["is_member"] is True
    assert link["permalink"].endswith("/archives/C9/p1700000000000100")


async def test_file_upload_v2_flow(fake: FakeSlack, client: AsyncWebClient) -> None:
    result = await client.files_upload_v2(channel="C1", content="a,b\n1,2\n", title="digest")

    upload = (await fake.wait_for("file_upload"))[0]
    assert fake.uploads[upload.params["file_id"]] == b"a,b\n1,2\n"
    assert result["files"][0]["id"] == upload.params["file_id"]


async def test_fail_raises_slack_api_error_once(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.fail("chat.postMessage", "channel_not_found")

    with pytest.raises(SlackApiError) as excinfo:
        await client.chat_postMessage(channel="C404", text="hi")
    assert excinfo.value.response["error"] == "channel_not_found"

    ok = await client.chat_postMessage(channel="C1", text="hi")
    assert ok["ok"] is True
    assert len(fake.calls_to("chat.postMessage")) == 2


async def test_rate_limit_without_retry_handler(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.rate_limit("chat.postMessage", retry_after=7)

    with pytest.raises(SlackApiError) as excinfo:
        await client.chat_postMessage(channel="C1", text="hi")
    response = excinfo.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response["error"] == "ratelimited"


async def test_rate_limit_with_retry_handler_succeeds_on_second_attempt(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    fake.rate_limit("chat.postMessage", retry_after=0)

    response = await client.chat_postMessage(channel="C1", text="hi")

    assert response["ok"] is True
    assert len(fake.calls_to("chat.postMessage")) == 2


async def test_http_error_500(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.http_error("conversations.info", 500)

    with pytest.raises(SlackApiError) as excinfo:
        await client.conversations_info(channel="C1")
    assert excinfo.value.response.status_code == 500


async def test_delay_lets_client_time_out(fake: FakeSlack) -> None:
    fake.delay("chat.postMessage", 0.5)
    impatient = AsyncWebClient(token="xoxb-test-token", base_url=fake.base_url, timeout=0.1)  # type: ignore[arg-type]
    impatient.retry_handlers.clear()

    with pytest.raises((asyncio.TimeoutError, aiohttp.ClientError)):
        await impatient.chat_postMessage(channel="C1", text="slow")
    assert len(fake.calls_to("chat.postMessage")) == 1


async def test_invalid_token_gets_invalid_auth(fake: FakeSlack) -> None:
    stranger = AsyncWebClient(token="bogus", base_url=fake.base_url)

    with pytest.raises(SlackApiError) as excinfo:
        await stranger.auth_test()
    assert excinfo.value.response["error"] == "invalid_auth"
    assert fake.calls_to("auth.test")[0].token == "bogus"


async def test_oauth_access_needs_no_bearer_token(fake: FakeSlack) -> None:
    # This raw client is the test's, not the bot's: quiet its DEBUG body dump as the bot's own
    # client factory does, or the secret watch rightly flags the token it prints.
    web_logger = logging.getLogger("slack_sdk.web")
    level = web_logger.level
    web_logger.setLevel(logging.INFO)  # setLevel, not assignment: it clears the loggers' caches
    try:
        anonymous = AsyncWebClient(base_url=fake.base_url)
        response = await anonymous.oauth_v2_access(client_id="1.2", client_secret="s", code="c")
    finally:
        web_logger.setLevel(level)

    assert response["team"]["id"] == "T111"
    assert response["access_token"] == "xoxb-test-token"


async def test_response_url_post_is_recorded(fake: FakeSlack) -> None:
    async with aiohttp.ClientSession() as session, session.post(
        fake.response_url("vote"), json={"text": "Thanks!", "replace_original": False}
    ) as response:
        assert response.status == 200
        assert await response.text() == "ok"

    [call] = await fake.wait_for("response_url")
    assert call.params == {"text": "Thanks!", "replace_original": False}
    assert call.path == "/response/vote"


async def test_custom_responder_and_reset(fake: FakeSlack, client: AsyncWebClient) -> None:
    # pins.list: a method the fake has no default answer for beyond {"ok": true}.
    def pins(call: SlackCall) -> dict[str, object]:
        return {"ok": True, "items": ["U1", "U2"], "asked_for": call.params["channel"]}

    fake.on("pins.list", pins)
    response = await client.pins_list(channel="C1")
    assert response["items"] == ["U1", "U2"]

    fake.reset()
    assert fake.snapshot() == []
    assert (await client.pins_list(channel="C1")).data == {"ok": True}


async def test_conversations_members_pages_with_cursors_and_knows_unknown_channels(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.channel_members["C1"] = ["U1", "U2", "U3"]

    first = await client.conversations_members(channel="C1", limit=2)
    second = await client.conversations_members(
        channel="C1", limit=2, cursor=first["response_metadata"]["next_cursor"]
    )

    assert (first["members"], second["members"]) == (["U1", "U2"], ["U3"])
    assert second["response_metadata"]["next_cursor"] == ""
    with pytest.raises(SlackApiError, match="channel_not_found"):
        await client.conversations_members(channel="C404")


async def test_conversations_open_gives_one_dm_per_person_and_groups_list_users(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.user_groups["S1"] = ["U1"]

    first = await client.conversations_open(users="U7")
    again = await client.conversations_open(users="U7")
    other = await client.conversations_open(users="U8")

    assert first["channel"]["id"] == again["channel"]["id"] != other["channel"]["id"]
    assert first["channel"]["id"].startswith("D")
    assert (await client.usergroups_users_list(usergroup="S1"))["users"] == ["U1"]
    with pytest.raises(SlackApiError, match="no_such_subteam"):
        await client.usergroups_users_list(usergroup="S404")


async def test_wait_for_timeout_lists_recorded_methods(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    await client.auth_test()

    with pytest.raises(AssertionError, match=r"chat\.postMessage.*auth\.test x1"):
        await fake.wait_for("chat.postMessage", timeout=0.05)


async def test_history_lists_top_level_messages_newest_first_a_page_at_a_time(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    meta = {"event_type": "tradeoff_digest", "event_payload": {"run": 1}}
    first = await client.chat_postMessage(channel="C1", text="one", metadata=meta)
    await client.chat_postMessage(channel="C1", text="reply", thread_ts=first["ts"])
    second = await client.chat_postMessage(channel="C1", text="two")
    third = await client.chat_postMessage(channel="C1", text="three")
    await client.chat_postMessage(channel="C2", text="elsewhere")

    everything = await client.conversations_history(channel="C1")
    after_first = await client.conversations_history(channel="C1", oldest=first["ts"], limit=1)
    page_two = await client.conversations_history(
        channel="C1", oldest=first["ts"], limit=1,
        cursor=after_first["response_metadata"]["next_cursor"],
    )
    with_metadata = await client.conversations_history(channel="C1", include_all_metadata=True)
    fake.threads.scopes_missing = True
    with pytest.raises(SlackApiError) as refused:
        await client.conversations_history(channel="C1")

    assert [m["text"] for m in everything["messages"]] == ["three", "two", "one"]
    assert all("metadata" not in m for m in everything["messages"])
    assert [m["ts"] for m in after_first["messages"]] == [third["ts"]]  # oldest is exclusive
    assert after_first["has_more"] is True
    assert [m["ts"] for m in page_two["messages"]] == [second["ts"]]
    assert page_two["response_metadata"]["next_cursor"] == ""
    assert with_metadata["messages"][-1]["metadata"] == meta
    assert refused.value.response["error"] == "missing_scope"
