"""Running the tradeoff command as a user does, in a subprocess, and reading its one-line errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from tests.support.processes import TRADEOFF, clean_env

RUN_TIMEOUT_S = 120


def run_tradeoff(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    module: bool = False,
    timeout: float = RUN_TIMEOUT_S,
) -> subprocess.CompletedProcess[str]:
    """Run `tradeoff ARGS` (or `python -m bot ARGS`) to completion, bounded by a timeout."""
    command = [sys.executable, "-m", "bot", *args] if module else [str(TRADEOFF), *args]
    return subprocess.run(  # noqa: S603 - our own executable, fixed arguments
        command,
        cwd=cwd,
        env=dict(env) if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The failure is one line on stderr, nothing on stdout, and no traceback anywhere."""
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.stdout == "", result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]
