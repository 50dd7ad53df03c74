"""Who may do what in a channel (ChannelRoles), checked without Slack or a database."""

from __future__ import annotations

from bot.domain.channel_roles import ESTIMATORS, INTEREST_SETTERS, ChannelRoles, decided_by_two
from bot.domain.decisions import Agreement, Role
from bot.domain.items import ItemRef, Kind
from tests.support.builders import BUILT_AT, an_item

LENA, PAT, JO = "ULENA", "UPAT", "UJO"
PLAN = (ItemRef(Kind.DEBT, 1), ItemRef(Kind.FEATURE, 2))
ROLES = ChannelRoles(((LENA, Role.LEAD), (PAT, Role.PM)))


def agreed(role: Role, user: str, plan: tuple[ItemRef, ...] = PLAN) -> Agreement:
    return Agreement(role, user, plan, BUILT_AT)


def test_anyone_names_the_first_roles_then_only_their_holders_change_them() -> None:
    assert ChannelRoles().may_change_roles(JO)
    assert ROLES.may_change_roles(LENA) and ROLES.may_change_roles(PAT)
    assert not ROLES.may_change_roles(JO)


def test_the_author_and_the_channels_lead_or_pm_may_edit_an_item() -> None:
    item = an_item(author_id=JO)

    assert ROLES.may_edit(item, JO) and ROLES.may_edit(item, LENA) and ROLES.may_edit(item, PAT)
    assert not ROLES.may_edit(item, "USOMEONE")
    assert not ChannelRoles().may_edit(item, LENA)


def test_only_leads_estimate_and_leads_or_pms_set_interest() -> None:
    assert ROLES.holds(LENA, ESTIMATORS) and not ROLES.holds(PAT, ESTIMATORS)
    assert ROLES.holds(LENA, INTEREST_SETTERS) and ROLES.holds(PAT, INTEREST_SETTERS)
    assert not ROLES.holds(JO, INTEREST_SETTERS)


def test_only_role_holders_sign_off_and_users_are_listed_in_the_channels_order() -> None:
    roles = ChannelRoles(((LENA, Role.LEAD), (JO, Role.LEAD), (PAT, Role.PM)))

    assert roles.may_sign_off(PAT) and not roles.may_sign_off("USOMEONE")
    assert roles.users(Role.LEAD) == [LENA, JO]
    assert roles.users(Role.LEAD, Role.PM) == [LENA, JO, PAT]


def test_someone_holding_both_roles_fills_the_one_nobody_else_agreed_in() -> None:
    both = ChannelRoles(((JO, Role.LEAD), (LENA, Role.LEAD), (JO, Role.PM)))

    assert both.sign_off_role(JO, [], PLAN) is Role.LEAD
    assert both.sign_off_role(JO, [agreed(Role.LEAD, LENA)], PLAN) is Role.PM
    # An agreement to an older pick takes no role away.
    assert both.sign_off_role(JO, [agreed(Role.LEAD, LENA, PLAN[:1])], PLAN) is Role.LEAD


def test_a_decision_needs_a_lead_and_a_pm_who_are_two_people_agreeing_to_this_pick() -> None:
    assert decided_by_two([agreed(Role.LEAD, LENA), agreed(Role.PM, PAT)], PLAN)
    assert not decided_by_two([agreed(Role.LEAD, JO), agreed(Role.PM, JO)], PLAN)
    assert not decided_by_two([agreed(Role.LEAD, LENA)], PLAN)
    assert not decided_by_two([agreed(Role.LEAD, LENA, PLAN[:1]), agreed(Role.PM, PAT)], PLAN)
