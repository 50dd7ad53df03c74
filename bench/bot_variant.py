"""`tradeoff` with one change applied in memory, to measure a change to a file the benchmarks
do not edit (bot/slack/app.py and friends belong to other work).

    python -m bench.bot_variant pbr serve

Variants:

* `pbr`: the Bolt app is built with `process_before_response=True`. By default Bolt runs a
  listener as a task and polls for its ack every 10 ms, so each answer waits for the next
  poll; with this flag the listener runs inside the request and its ack is answered at once.
* `gc`: Python's cyclic garbage collector is tuned at start: everything loaded so far is
  frozen (`gc.freeze()`, never scanned again) and a collection of the youngest generation runs
  every 20,000 allocations instead of 700. Every request allocates thousands of short-lived
  objects (SQLAlchemy sessions and rows, Bolt contexts), and each collection also walks the
  long-lived ones.
* `plain`: no change (the same entry point, to check it costs nothing by itself).
"""

from __future__ import annotations

import gc
import sys
from typing import Any

import bot.slack.app
from bot.cli import main as tradeoff_main
from bot.slack.request_log import LoggedApp


class _ProcessBeforeResponseApp(LoggedApp):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("process_before_response", True)
        super().__init__(*args, **kwargs)


VARIANTS = {"pbr", "gc", "plain"}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in VARIANTS:
        print(f"usage: python -m bench.bot_variant {{{','.join(sorted(VARIANTS))}}} serve",
              file=sys.stderr)
        return 2
    if argv[0] == "gc":
        gc.freeze()
        gc.set_threshold(20_000, 10, 10)
    if argv[0] == "pbr":
        # create_app looks the class up in its module when it runs
        setattr(bot.slack.app, "LoggedApp", _ProcessBeforeResponseApp)  # noqa: B010
    return tradeoff_main(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
