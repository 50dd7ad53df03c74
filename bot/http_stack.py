"""Which event loop and HTTP/1.1 parser `tradeoff serve` runs uvicorn on (TRADEOFF_HTTP_STACK).

uvicorn's own default ("auto") picks uvloop and httptools whenever they happen to be installed,
so the stack would depend on the environment rather than on a setting; `tradeoff serve` and the
benchmarks therefore always name it.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HttpStack:
    name: str
    loop: str  # uvicorn's `loop` setting
    http: str  # uvicorn's `http` setting
    modules: tuple[str, ...]  # what must be importable for it

    def uvicorn_options(self) -> dict[str, str]:
        """The keyword arguments for uvicorn.run / uvicorn.Config."""
        return {"loop": self.loop, "http": self.http}

    def missing(self) -> list[str]:
        """The modules this stack needs that are not installed."""
        return [m for m in self.modules if importlib.util.find_spec(m) is None]

    def loop_factory(self) -> Callable[[], asyncio.AbstractEventLoop] | None:
        """What makes this stack's event loop, for asyncio.Runner (None: asyncio's own)."""
        if self.loop == "uvloop":
            factory: Callable[[], asyncio.AbstractEventLoop] = (
                importlib.import_module("uvloop").new_event_loop
            )
            return factory
        return None


STACKS = {
    "uvloop": HttpStack("uvloop", "uvloop", "httptools", ("uvloop", "httptools")),
    "asyncio": HttpStack("asyncio", "asyncio", "h11", ("h11",)),
}
# Measured by bench.quick_add, bench.voting and bench.list_items with --stacks asyncio,uvloop:
# uvloop + httptools took less of the bot's CPU per request on both databases (bench/RESULTS.md,
# "Issue 19"); asyncio + h11 stays as the fallback where uvloop does not build (Windows).
DEFAULT_HTTP_STACK = "uvloop"


def loop_name() -> str:
    """The running event loop's implementation: "uvloop" or "asyncio"."""
    module = type(asyncio.get_running_loop()).__module__
    return "uvloop" if module.startswith("uvloop") else "asyncio"


def stack_named(name: str) -> HttpStack:
    """The stack for a TRADEOFF_HTTP_STACK value; KeyError when there is none of that name."""
    return STACKS[name.strip().lower()]
