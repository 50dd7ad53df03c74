"""requirements.lock: every dependency pinned to a version pyproject.toml allows, and CI
installing through it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.lock import locked_versions

REPO_ROOT = Path(__file__).resolve().parents[2]
LOCK = REPO_ROOT / "requirements.lock"


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    names = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(name) for name in names]


def test_every_declared_dependency_is_pinned_to_a_version_it_allows() -> None:
    pins = locked_versions(LOCK.read_text())
    wrong = {
        str(requirement): pins.get(canonicalize_name(requirement.name))
        for requirement in declared()
        if pins.get(canonicalize_name(requirement.name)) is None
        or not requirement.specifier.contains(pins[canonicalize_name(requirement.name)],
                                              prereleases=True)
    }
    assert wrong == {}, "refresh the lock as the README says"


def test_the_lock_says_how_it_was_made_and_the_readme_says_how_to_refresh_it() -> None:
    made_by = re.search(r"^#\s+(uv pip compile .*)$", LOCK.read_text(), re.MULTILINE)
    assert made_by, "uv writes its command into the lock's header"
    assert "--extra dev" in made_by[1]
    assert made_by[1] in (REPO_ROOT / "README.md").read_text()


def test_ci_installs_the_readme_commands_through_the_lock() -> None:
    script = (REPO_ROOT / ".ci" / "run").read_text()
    pinned = script.index('export PIP_CONSTRAINT="$PWD/requirements.lock"')
    installs = [m.start() for m in re.finditer(r"^pip install -e", script, re.MULTILINE)]
    assert installs and all(pinned < at for at in installs)
