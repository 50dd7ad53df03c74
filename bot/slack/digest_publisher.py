"""Posting digests through the Web API, paced per channel, with Slack errors made meaningful."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.chart_pool import ChartPool
from bot.domain.digest import Digest
from bot.domain.scoring import Ranked
from bot.domain.trends import Trends
from bot.services.ports import ChannelUnavailable, PublishFailed, ReplyKey, ThreadUnreadable
from bot.slack.blocks.digest import parent_message, reply_message
from bot.slack.digest_metadata import parent_metadata, parent_run, reply_key, reply_metadata
from bot.slack.errors import CALL_FAILED, call_failure, slack_error_code
from bot.slack.installations import WorkspaceClients
from bot.slack.names import NameResolver
from bot.slack.pacing import ChannelPacer
from bot.slack.text import escape

# Errors after which posting to the channel cannot work until a person acts.
CHANNEL_GONE = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "channel_is_archived",
    "restricted_action",
    "cannot_reply_to_message",
}
# Errors reading a thread that asking again will not cure: the install lacks the history scopes.
THREAD_UNREADABLE = {"missing_scope", "not_allowed_token_type"}
# Messages per conversations.replies or .history page; Slack may send fewer (15 for some
# newer apps).
READ_PAGE = 200
# How far Slack's clock may run behind ours: a parent is looked for from this long before its
# run was claimed.
CLOCK_SKEW = timedelta(minutes=10)


class SlackDigestPublisher:
    def __init__(
        self,
        client: AsyncWebClient,
        pacer: ChannelPacer,
        names: NameResolver | None = None,
        *,
        charts: ChartPool,
    ) -> None:
        self._client = client
        self._charts = charts
        self._pacer = pacer
        self._names = names or NameResolver()

    async def post_parent(self, channel_id: str, digest: Digest) -> str:
        people = set(digest.leads)
        if digest.tallies_hidden:
            people |= {u for r in digest.debt + digest.features for u in r.item.voters}
        names = await self._names.names(self._client, people) if people else {}
        metadata = parent_metadata(digest.run_id) if digest.run_id is not None else None
        return await self._post(channel_id, parent_message(digest, names), metadata=metadata)

    async def post_reply(
        self, channel_id: str, thread_ts: str, ranked: Ranked, digest: Digest, key: ReplyKey
    ) -> str:
        return await self._post(
            channel_id, reply_message(ranked, digest), thread_ts=thread_ts,
            metadata=reply_metadata(key),
        )

    async def posted_replies(self, channel_id: str, thread_ts: str, run_id: int) -> dict[int, str]:
        found: dict[int, str] = {}
        replies = self._messages(self._client.conversations_replies, channel=channel_id,
                                 ts=thread_ts)
        async for message in replies:
            key = reply_key(message)
            if key is not None and key.run_id == run_id:
                found[key.message_id] = str(message["ts"])
        return found

    async def posted_parent(self, channel_id: str, run_id: int, since: datetime) -> str | None:
        oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
        # Newest first, top-level messages only: the parent is among what the channel got
        # since its run was claimed.
        history = self._messages(self._client.conversations_history, channel=channel_id,
                                 oldest=oldest)
        async for message in history:
            if parent_run(message) == run_id:
                return str(message["ts"])
        return None

    async def _messages(
        self, method: Callable[..., Awaitable[AsyncSlackResponse]], **params: Any
    ) -> AsyncIterator[dict[str, Any]]:
        """Every message a paginated read answers, page after page."""
        cursor: str | None = None
        while True:
            page = await self._read_page(method, cursor=cursor, **params)
            for message in page.get("messages") or []:
                yield message
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return

    async def _read_page(
        self, method: Callable[..., Awaitable[AsyncSlackResponse]], **params: Any
    ) -> dict[str, Any]:
        try:
            response = await method(limit=READ_PAGE, include_all_metadata=True, **params)
        except SlackApiError as exc:
            error = slack_error_code(exc)
            if error == "thread_not_found":
                return {}  # the parent was deleted: none of its replies can be there either
            if error in CHANNEL_GONE:
                raise ChannelUnavailable(error) from exc
            if error in THREAD_UNREADABLE:
                raise ThreadUnreadable(error) from exc
            raise PublishFailed(error) from exc
        except CALL_FAILED as exc:
            raise PublishFailed(call_failure(exc)) from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def post_trends(self, channel_id: str, thread_ts: str, trends: Trends) -> None:
        png = await self._charts.render(trends, title=trends.chart_title)
        try:
            await self._client.files_upload_v2(
                channel=channel_id, thread_ts=thread_ts, file=png,
                filename="tradeoff-trends.png", title="Tradeoff trends",
                initial_comment=escape(trends.summary()),
            )
        except CALL_FAILED as exc:
            # The upload step raises SlackRequestError and a slow Slack TimeoutError; either
            # would otherwise escape post_digest after the digest itself was posted.
            raise PublishFailed(call_failure(exc)) from exc

    async def _post(
        self, channel_id: str, message: dict[str, Any], thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        await self._pacer.wait_turn(channel_id)
        try:
            # The client's retry handlers have already waited out 429s and retried 5xx.
            response = await self._client.chat_postMessage(
                channel=channel_id,
                text=message["text"],
                blocks=message["blocks"],
                thread_ts=thread_ts,
                metadata=metadata,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            error = slack_error_code(exc)
            if error in CHANNEL_GONE:
                raise ChannelUnavailable(error) from exc
            raise PublishFailed(error) from exc
        except CALL_FAILED as exc:
            raise PublishFailed(call_failure(exc)) from exc
        return str(response["ts"])


class WorkspacePublishers:
    """A digest publisher per workspace, all sharing one pacer, name cache and chart pool."""

    def __init__(
        self, clients: WorkspaceClients, pacer: ChannelPacer, names: NameResolver,
        charts: ChartPool,
    ) -> None:
        self._clients = clients
        self.pacer = pacer
        self._names = names
        self._charts = charts

    def for_client(self, client: AsyncWebClient) -> SlackDigestPublisher:
        """A publisher that posts with `client` (a listener's client, already authorized)."""
        return SlackDigestPublisher(client, self.pacer, self._names, charts=self._charts)

    async def for_team(self, team_id: str) -> SlackDigestPublisher | None:
        client = await self._clients.for_team(team_id)
        return None if client is None else self.for_client(client)
