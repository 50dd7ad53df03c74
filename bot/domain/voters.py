"""Who may vote in a channel: everyone, the channel's members, or one user group's members."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Slack sends a user group in command text as `<!subteam^S123|@group>`.
_USER_GROUP = re.compile(r"^<!subteam\^([A-Z0-9]+)(?:\|@?([^>]*))?>$")


class VoterKind(StrEnum):
    EVERYONE = "everyone"
    MEMBERS = "members"
    USER_GROUP = "group"


@dataclass(frozen=True)
class VoterRule:
    kind: VoterKind = VoterKind.EVERYONE
    group_id: str | None = None
    group_handle: str | None = None  # as Slack showed it, for reading back, never a mention

    def describe(self) -> str:
        """`everyone`, `members of this channel`, `members of @backend`, in plain words."""
        if self.kind is VoterKind.MEMBERS:
            return "members of this channel"
        if self.kind is VoterKind.USER_GROUP:
            return f"members of @{self.group_handle or self.group_id}"
        return "everyone"

    def stored(self) -> str | None:
        """How the rule is kept in the channel's settings; None for the default."""
        if self.kind is VoterKind.USER_GROUP:
            return f"{self.group_id}|{self.group_handle or ''}"
        return None if self.kind is VoterKind.EVERYONE else self.kind.value


EVERYONE = VoterRule()


def parse_voter_rule(text: str) -> VoterRule | None:
    """`everyone`, `members` or a user group as Slack sends it; None for anything else."""
    word = text.strip()
    if word.lower() in ("everyone", "members"):
        return VoterRule(VoterKind(word.lower()))
    match = _USER_GROUP.match(word)
    if match is None:
        return None
    return VoterRule(VoterKind.USER_GROUP, match.group(1), match.group(2) or None)


def stored_voter_rule(value: str | None) -> VoterRule:
    if not value:
        return EVERYONE
    if value == VoterKind.MEMBERS.value:
        return VoterRule(VoterKind.MEMBERS)
    group_id, _, handle = value.partition("|")
    return VoterRule(VoterKind.USER_GROUP, group_id, handle or None)
