"""Who holds which role in a channel, and what each role lets its holders do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.decisions import Agreement, Role, agreements_complete
from bot.domain.items import Item, ItemRef

# Sizing is the lead's call; what a debt item costs each week either role can say.
ESTIMATORS = (Role.LEAD,)
INTEREST_SETTERS = (Role.LEAD, Role.PM)


@dataclass(frozen=True)
class ChannelRoles:
    """The channel's (user, role) pairs, leads first, each in the order they were named."""

    holders: tuple[tuple[str, Role], ...] = ()

    @property
    def any_set(self) -> bool:
        return bool(self.holders)

    def users(self, *roles: Role) -> list[str]:
        """The users holding any of `roles`, in the channel's order."""
        return [user for user, role in self.holders if role in roles]

    def held_by(self, user_id: str) -> frozenset[Role]:
        return frozenset(role for user, role in self.holders if user == user_id)

    def holds(self, user_id: str, roles: Sequence[Role]) -> bool:
        return not self.held_by(user_id).isdisjoint(roles)

    def may_change_roles(self, user_id: str) -> bool:
        """Anyone names a channel's first roles; after that only its leads and PMs change them,
        so a sign-off cannot be hijacked by whoever types the command."""
        return not self.any_set or bool(self.held_by(user_id))

    def may_edit(self, item: Item, user_id: str) -> bool:
        """The author, and the lead or PM of the item's channel, who curate its backlog."""
        return item.author_id == user_id or bool(self.held_by(user_id))

    def may_sign_off(self, user_id: str) -> bool:
        return bool(self.held_by(user_id))

    def sign_off_role(
        self, user_id: str, agreements: Sequence[Agreement], plan: tuple[ItemRef, ...]
    ) -> Role:
        """The role this user's agreement counts for. Someone holding both roles still needs a
        second person: it fills whichever role nobody else has agreed to the current pick in."""
        mine = self.held_by(user_id)
        taken = {a.role for a in agreements if a.user_id != user_id and a.plan == plan}
        for role in (Role.LEAD, Role.PM):
            if role in mine and role not in taken:
                return role
        return sorted(mine)[0]


def decided_by_two(agreements: Sequence[Agreement], plan: tuple[ItemRef, ...]) -> bool:
    """A lead and a PM agreed to the pick as it is now, and they are two different people."""
    by_role = {a.role: a.user_id for a in agreements if a.plan == plan}
    return agreements_complete(agreements, plan) and by_role[Role.LEAD] != by_role[Role.PM]
