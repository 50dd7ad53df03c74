"""Every package of the bot ships in the wheel: setuptools installs only the packages that
pyproject.toml names, so a new folder left out works in a checkout and fails once installed."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_every_bot_package_is_named_in_pyproject() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    named = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(path.parent.relative_to(REPO_ROOT).parts)
        for path in (REPO_ROOT / "bot").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert on_disk - named == set()


def test_every_bot_package_has_an_init_module() -> None:
    folders = {path.parent for path in (REPO_ROOT / "bot").rglob("*.py")}
    assert {f for f in folders if not (f / "__init__.py").exists()} == set()
