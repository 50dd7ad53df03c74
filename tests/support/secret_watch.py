"""A pytest plugin that fails the run when any log record, anywhere, holds a secret.

It wraps the log record factory for the whole session, so it sees every record any logger
creates: ours, Bolt's, slack_sdk's, and uvicorn's (whose loggers do not propagate to the root
and have their handlers replaced each time a server is configured). A record is checked as it
is made, message and exception text both, against:

- the secrets the tests configure: the bot token and the signing secret of conftest, every
  module-level `…SECRET` / `…TOKEN` string of a collected test module (the OAuth tests' client
  secret, say), whatever is in the SLACK_* secret variables at that moment, and anything
  passed to `watch_secret`;
- anything shaped like a Slack token (`xoxb-…`, `xoxp-…`, `xapp-…`, `xoxe-…`).

Our loggers and Slack's libraries are turned up to DEBUG for the session: a token that only
shows at DEBUG still leaks the day an operator sets LOG_LEVEL=DEBUG. SQLAlchemy and the drivers
stay as they are: turning on their echo would log statement parameters we never log in
production.

The verdict is a test of its own, appended after every collected test, so a leak is a failed
test in the summary rather than a warning. A leak made after it ran (in the teardown of
session fixtures) fails the session at the end, with the record printed.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

SECRET_VARIABLES = (
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN",
    "SLACK_STATE_SECRET",
)
TOKEN_SHAPE = re.compile(r"\b(?:xox[a-z]|xapp|xoxe(?:\.xox[a-z])?)-[A-Za-z0-9-]{4,}")
LOUD_LOGGERS = ("bot", "slack_bolt", "slack_sdk")
SECRET_NAME = re.compile(r"(?:^|_)(?:SECRET|TOKEN)$")
# Shorter values would match ordinary words: the tests' placeholder secrets are all longer.
MIN_SECRET_LENGTH = 8


@dataclass(frozen=True)
class Leak:
    test: str
    logger: str
    level: str
    secret: str  # which secret: its name, never its value
    text: str  # the offending line, with the secret masked

    def __str__(self) -> str:
        return f"[{self.test}] {self.level} {self.logger}: {self.secret} in {self.text!r}"


@dataclass
class SecretWatch:
    named: dict[str, str] = field(default_factory=dict)  # name → value
    leaks: list[Leak] = field(default_factory=list)
    current_test: str = "(outside any test)"
    checked_upto: int | None = None  # how many leaks the verdict test has reported

    def watch(self, name: str, value: str) -> None:
        if len(value) >= MIN_SECRET_LENGTH and value not in self.named.values():
            self.named[name] = value

    def secrets(self) -> dict[str, str]:
        found = dict(self.named)
        for variable in SECRET_VARIABLES:
            value = os.environ.get(variable, "")
            if len(value) >= MIN_SECRET_LENGTH:
                found[variable] = value
        return found

    def inspect(self, record: logging.LogRecord) -> None:
        texts = [_message(record)]
        if record.exc_info and record.exc_info[0] is not None:
            texts.append("".join(traceback.format_exception(*record.exc_info)))
        if record.exc_text:
            texts.append(record.exc_text)
        if record.stack_info:
            texts.append(record.stack_info)
        secrets = self.secrets()
        for text in texts:
            found: list[str] = []
            for name, value in secrets.items():
                if value in text:
                    found.append(name)
                    text = text.replace(value, f"<{name}>")
            if TOKEN_SHAPE.search(text):
                found.append("a Slack token")
                text = TOKEN_SHAPE.sub("<a Slack token>", text)
            if found:
                # The line that held it, masked: the report must not leak it a second time.
                line = next(ln for ln in text.splitlines() if any(f"<{n}>" in ln for n in found))
                self.leaks.append(Leak(
                    self.current_test, record.name, record.levelname, ", ".join(found),
                    line.strip()[:300],
                ))

    def check(self) -> None:
        """Raise SecretLeaked when any record so far held a secret."""
        if self.leaks:
            raise SecretLeaked(self.leaks)

    @contextmanager
    def expect_leak(self) -> Iterator[list[Leak]]:
        """For a test that leaks on purpose: the leaks made inside the block are taken out of
        the watch and handed to the test, which asserts on them."""
        start = len(self.leaks)
        caught: list[Leak] = []
        try:
            yield caught
        finally:
            caught += self.leaks[start:]
            del self.leaks[start:]


class SecretLeaked(AssertionError):
    def __init__(self, leaks: list[Leak]) -> None:
        lines = "\n".join(f"  {leak}" for leak in leaks)
        super().__init__(f"{len(leaks)} log record(s) held a secret:\n{lines}")
        self.leaks = leaks


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a malformed log call still must not hide what it carried
        return f"{record.msg} {record.args}"


WATCH = SecretWatch()


def watch_secret(name: str, value: str) -> None:
    """Add a secret a test configures (a client secret, an app token) to the watch."""
    WATCH.watch(name, value)


class SecretWatchItem(pytest.Item):
    """The verdict, run after every other test."""

    def runtest(self) -> None:
        WATCH.checked_upto = len(WATCH.leaks)
        WATCH.check()

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SecretLeaked):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, "no secret in any log record"


_original_factory: Callable[..., logging.LogRecord] | None = None
_original_levels: dict[str, int] = {}


def pytest_configure(config: pytest.Config) -> None:
    global _original_factory
    # Imported here: conftest names this plugin, so it is still loading at import time.
    from tests.conftest import BOT_TOKEN
    from tests.support.slack_requests import SIGNING_SECRET

    WATCH.watch("the bot token", BOT_TOKEN)
    WATCH.watch("the signing secret", SIGNING_SECRET)
    _original_factory = logging.getLogRecordFactory()
    factory = _original_factory

    def watched_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        WATCH.inspect(record)
        return record

    logging.setLogRecordFactory(watched_record)
    for name in LOUD_LOGGERS:
        logger = logging.getLogger(name)
        _original_levels[name] = logger.level
        logger.setLevel(logging.DEBUG)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _original_factory is not None:
        logging.setLogRecordFactory(_original_factory)
    for name, level in _original_levels.items():
        logging.getLogger(name).setLevel(level)


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    WATCH.current_test = nodeid


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    for module in {getattr(item, "module", None) for item in items} - {None}:
        for name, value in vars(module).items():
            if isinstance(value, str) and SECRET_NAME.search(name):
                WATCH.watch(f"{module.__name__}.{name}", value)
    # trylast: after -k / -m have deselected, so the verdict runs whatever was selected.
    if items:
        items.append(SecretWatchItem.from_parent(
            session, name="no_secret_in_any_log_record",
            nodeid="tests/support/secret_watch.py::no_secret_in_any_log_record",
        ))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if WATCH.checked_upto is None:
        return
    late = WATCH.leaks[WATCH.checked_upto :]
    if not late:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(str(SecretLeaked(late)), red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
