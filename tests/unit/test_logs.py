"""The operator's log: JSON lines with the request's context, never a secret or a token."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import REDACTED, configure_logging
from tests.support.secret_watch import WATCH

SECRET = "signing-secret-1234567890"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Configure logging as `tradeoff serve` does, writing to a buffer; restore afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging("INFO", "json", [SECRET, "xoxb-configured-token"])
    buffer = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    root.handlers[:], root.level = saved


def entries(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_each_record_is_one_json_object_with_its_context_fields(captured: io.StringIO) -> None:
    logging.getLogger("bot.requests").info(
        "request done", extra={"team": "T1", "channel": "C1", "latency_ms": 3.5, "status": 200}
    )

    [entry] = entries(captured)
    assert entry["message"] == "request done" and entry["level"] == "INFO"
    assert (entry["team"], entry["channel"], entry["latency_ms"], entry["status"]) == (
        "T1", "C1", 3.5, 200,
    )


@pytest.mark.parametrize("leak", [
    SECRET, "xoxb-configured-token", "xoxb-123-456-abcdefABCDEF", "xoxp-999-888-zzz",
    "xapp-1-A111-222-abcdef", "xoxe.xoxb-1-rotated-token", "xoxe-1-refresh-token",
])
def test_secrets_and_anything_shaped_like_a_token_are_redacted(
    captured: io.StringIO, leak: str
) -> None:
    # The suite's secret watch sees the raw record; this test leaks into it on purpose.
    with WATCH.expect_leak():
        try:
            raise RuntimeError(f"Slack said no to {leak}")
        except RuntimeError:
            logging.getLogger("bot.x").exception(
                "call failed with %s", leak, extra={"error": leak}
            )

    text = captured.getvalue()
    assert leak not in text
    [entry] = entries(captured)
    assert REDACTED in str(entry["message"]) and REDACTED in str(entry["exception"])
    assert entry["error"] == f"{REDACTED}"


def test_a_forged_requests_body_is_not_logged(captured: io.StringIO) -> None:
    body = "command=%2Fdebt&text=" + "A" * 10_000
    logging.getLogger("slack_bolt.RequestVerification").info(
        f"Invalid request signature detected (signature: v0=x, timestamp: 1, body: {body})"
    )

    [entry] = entries(captured)
    assert "AAAA" not in str(entry["message"]) and "401" in str(entry["message"])
