"""Reading requirements.lock, the pins that uv writes."""

from __future__ import annotations

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def locked_versions(text: str) -> dict[str, str]:
    """{canonical name: version} for each `name==version` line; comments and `# via` skipped."""
    pins: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement = Requirement(line.split(" #")[0].strip().rstrip("\\").strip())
        [specifier] = requirement.specifier
        assert specifier.operator == "==", line
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins
