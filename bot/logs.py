"""Log output for operators: one JSON object per line (or plain text), secrets scrubbed."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

# Slack token shapes: bot, user, app-level, refresh and configuration tokens.
_TOKEN_PATTERN = re.compile(r"\b(?:xox[a-z]|xapp|xoxe(?:\.xox[a-z])?)-[A-Za-z0-9-]{6,}")
REDACTED = "[redacted]"

# Fields a log call may attach with `extra=`; each becomes a JSON key.
CONTEXT_FIELDS = (
    "kind", "team", "channel", "user", "command", "action", "callback_id", "event",
    "latency_ms", "status", "outcome", "job", "replies", "error", "loop_lag_ms",
)


class Scrubber:
    """Replaces the configured secrets and anything shaped like a Slack token."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_PATTERN.sub(REDACTED, text)


class JsonFormatter(logging.Formatter):
    def __init__(self, scrub: Scrubber) -> None:
        super().__init__()
        self._scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._scrub(record.getMessage()),
        }
        for name in CONTEXT_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = self._scrub(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = self._scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self, scrub: Scrubber) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self._scrub = scrub

    def format(self, record: logging.LogRecord) -> str:
        return self._scrub(super().format(record))


class ForgedRequestFilter(logging.Filter):
    """Bolt logs a rejected request's whole body at INFO: attacker-chosen text of any size.
    The rejection is worth a line; the body is not."""

    PREFIX = "Invalid request signature detected"

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(self.PREFIX):
            record.msg, record.args = f"{self.PREFIX}; request rejected with 401", None
        return True


def configure_logging(level: str, fmt: str = "json", secrets: Iterable[str] = ()) -> None:
    """Route every logger (ours, Bolt's, uvicorn's) through one scrubbing handler on stderr."""
    scrub = Scrubber(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(scrub) if fmt == "json" else TextFormatter(scrub))
    handler.addFilter(ForgedRequestFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level, logging.INFO))
    # Alembic narrates every plugin it loads at INFO; only its warnings help an operator.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # uvicorn installs its own handlers; its records go through ours instead, scrubbed.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
