"""Loaded by a `tradeoff serve` subprocess whose PYTHONPATH holds this folder: the bot's and
APScheduler's wall clock runs TRADEOFF_TEST_CLOCK_OFFSET_S seconds ahead, as if the host's
clock were set so.

A weekly slot falls on a minute boundary; with the clock shifted, a test can have one come a
few seconds after its processes are up, instead of waiting up to a minute for a real one.
Only `datetime.now()` in the modules of `bot` and `apscheduler` moves (other libraries, such as
matplotlib's date handling, keep the real class); time.time() (request signatures, logs) and
the event loop's monotonic clock keep real time.
"""

import datetime as _datetime
import importlib.abc
import os
import sys

_OFFSET = _datetime.timedelta(seconds=float(os.environ.get("TRADEOFF_TEST_CLOCK_OFFSET_S", "0")))
_SHIFTED_PACKAGES = ("bot", "apscheduler")


class _ShiftedDatetime(_datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return super().now(tz) + _OFFSET


class _ShiftOnImport(importlib.abc.MetaPathFinder):
    """Finds modules as usual; those of the shifted packages then see the shifted class."""

    def find_spec(self, name, path, target=None):
        if name.split(".")[0] not in _SHIFTED_PACKAGES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            run = spec.loader.exec_module

            def exec_module(module, run=run):
                run(module)
                if getattr(module, "datetime", None) is _datetime.datetime:
                    module.datetime = _ShiftedDatetime

            spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _ShiftOnImport())
