"""Which reactions are votes: 👍 under any of its names and skin tones."""

from __future__ import annotations

VOTE_EMOJI = frozenset({"+1", "thumbsup"})


def base_reaction(name: str) -> str:
    """`+1::skin-tone-3` → `+1`: Slack appends the tone to the emoji's name."""
    return name.split("::", 1)[0]


def is_vote(reaction: str) -> bool:
    return base_reaction(reaction) in VOTE_EMOJI
