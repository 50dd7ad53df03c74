"""Running the `tradeoff` command as a separate process, the way a user or a container does."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

TRADEOFF = Path(sys.executable).parent / "tradeoff"
_BOT_SETTINGS = {
    "DATABASE_URL", "HOST", "PORT", "LOG_LEVEL", "TRADEOFF_DEBUG", "TRADEOFF_SCHEDULER",
    "TRADEOFF_HTTP_STACK",
}
_INTERPRETER = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}


def clean_env(*, drop_interpreter: bool = False, **overrides: str) -> dict[str, str]:
    """This process's environment without the bot's own settings (and, if asked, without the
    interpreter selection of this virtualenv), plus `overrides`."""
    drop = _BOT_SETTINGS | (_INTERPRETER if drop_interpreter else set())
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SLACK_") and key not in drop
    }
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
