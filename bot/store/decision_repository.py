"""Agreements to a digest's pick and the decisions they make."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, Row, Table, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.decisions import (
    Agreement,
    Alternative,
    CyclePoints,
    DecidedItem,
    Decision,
    Rationale,
    Role,
    parse_plan_key,
    plan_key,
)
from bot.domain.items import ItemRef, Kind
from bot.domain.passed_over import NotPickedReason
from bot.store.dialect import upsert_insert
from bot.store.models import (
    DecisionAgreementRow,
    DecisionAlternativeRow,
    DecisionItemRow,
    DecisionRow,
)


class DecisionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def agree(
        self, run_id: int, role: Role, user_id: str, plan: Sequence[ItemRef], now: datetime
    ) -> None:
        """Record (or renew) the role's agreement to this pick; the latest agreement counts."""
        insert = upsert_insert(self._session, DecisionAgreementRow)
        await self._session.execute(
            insert.values(
                run_id=run_id, role=role.value, user_id=user_id, plan_refs=plan_key(plan),
                agreed_at=now,
            ).on_conflict_do_update(
                index_elements=["run_id", "role"],
                set_={"user_id": user_id, "plan_refs": plan_key(plan), "agreed_at": now},
            )
        )

    async def agreements(self, run_id: int) -> list[Agreement]:
        rows = await self._session.scalars(
            select(DecisionAgreementRow)
            .where(DecisionAgreementRow.run_id == run_id)
            .order_by(DecisionAgreementRow.agreed_at)
        )
        return [
            Agreement(Role(r.role), r.user_id, parse_plan_key(r.plan_refs), r.agreed_at)
            for r in rows
        ]

    async def record(
        self,
        *,
        team_id: str,
        channel_id: str,
        run_id: int,
        lead_id: str,
        pm_id: str,
        capacity: int,
        budget_pct: int,
        items: Sequence[DecidedItem],
        now: datetime,
        alternatives: Sequence[Alternative] = (),
    ) -> Decision | None:
        """Store the decision for the digest, numbered next in its channel; None when the
        digest already has one."""
        number = 1 + (await self._session.scalar(
            select(func.coalesce(func.max(DecisionRow.number), 0)).where(
                DecisionRow.team_id == team_id, DecisionRow.channel_id == channel_id
            )
        ) or 0)
        stmt = (
            upsert_insert(self._session, DecisionRow)
            .values(
                team_id=team_id, channel_id=channel_id, run_id=run_id, lead_id=lead_id,
                pm_id=pm_id, capacity=capacity, budget_pct=budget_pct, decided_at=now,
                number=number,
            )
            .on_conflict_do_nothing(index_elements=["run_id"])
            .returning(DecisionRow.id)
        )
        decision_id = (await self._session.execute(stmt)).scalar_one_or_none()
        if decision_id is None:
            return None
        self._session.add_all(
            DecisionItemRow(
                decision_id=decision_id, item_kind=i.ref.kind.value, item_number=i.ref.number,
                title=i.title, size_points=i.size_points, votes=i.votes, score=i.score,
            )
            for i in items
        )
        self._session.add_all(
            DecisionAlternativeRow(
                decision_id=decision_id, item_kind=a.ref.kind.value, item_number=a.ref.number,
                title=a.title, score=a.score,
                reason=a.reason.value,
            )
            for a in alternatives
        )
        await self._session.flush()
        return Decision(
            decision_id, team_id, channel_id, lead_id, pm_id, capacity, budget_pct, now,
            tuple(items), number, tuple(alternatives),
        )

    async def set_rationale(self, decision_id: int, rationale: Rationale) -> None:
        """Write (or rewrite) why the decision was made; the latest text counts."""
        await self._session.execute(
            update(DecisionRow).where(DecisionRow.id == decision_id).values(
                rationale=rationale.text, rationale_by=rationale.by, rationale_at=rationale.at
            )
        )

    async def set_post_ts(self, decision_id: int, ts: str) -> None:
        await self._session.execute(
            update(DecisionRow).where(DecisionRow.id == decision_id).values(post_ts=ts)
        )

    async def by_number(self, team_id: str, channel_id: str, number: int) -> Decision | None:
        row = await self._session.scalar(select(DecisionRow).where(
            DecisionRow.team_id == team_id, DecisionRow.channel_id == channel_id,
            DecisionRow.number == number,
        ))
        return None if row is None else (await self._with_items([row]))[0]

    async def by_id(self, decision_id: int) -> Decision | None:
        row = await self._session.get(DecisionRow, decision_id)
        return None if row is None else (await self._with_items([row]))[0]

    async def purge_team(self, team_id: str) -> None:
        """Delete a workspace's decisions (their items go with them)."""
        await self._session.execute(delete(DecisionRow).where(DecisionRow.team_id == team_id))

    async def for_run(self, run_id: int) -> Decision | None:
        row = await self._session.scalar(select(DecisionRow).where(DecisionRow.run_id == run_id))
        return None if row is None else (await self._with_items([row]))[0]

    async def recent(self, team_id: str, channel_id: str, limit: int) -> list[Decision]:
        """The channel's last `limit` decisions, newest first."""
        params = {"team_id": team_id, "channel_id": channel_id, "limit": limit}
        rows = (await self._session.execute(_RECENT, params)).all()
        return await self._with_items(rows)

    async def recent_points(
        self, team_id: str, channel_id: str, limit: int
    ) -> list[CyclePoints]:
        """The channel's last `limit` decisions as planned points by kind, newest first: one
        statement where `recent` takes three, for the digest's split and catch-up."""
        params = {"team_id": team_id, "channel_id": channel_id, "limit": limit}
        cycles: dict[int, tuple[datetime, int, dict[Kind, int]]] = {}
        for decision_id, decided_at, budget_pct, kind, points in await self._session.execute(
            _RECENT_POINTS, params
        ):
            _, _, by_kind = cycles.setdefault(decision_id, (decided_at, budget_pct, {}))
            if kind is not None:  # a decision of no items joins no item row
                by_kind[Kind(kind)] = int(points or 0)
        ordered = sorted(cycles.items(), key=lambda c: (c[1][0], c[0]), reverse=True)
        return [
            CyclePoints(decision_id, decided_at, budget_pct, by_kind)
            for decision_id, (decided_at, budget_pct, by_kind) in ordered
        ]

    async def _with_items(self, rows: Sequence[DecisionRow | Row[Any]]) -> list[Decision]:
        # Plain rows of the tables, not ORM objects: nothing here is changed and saved again,
        # and loading each decision, item and alternative as an ORM object (identity map,
        # instance state) cost more than the three statements.
        if not rows:
            return []
        items: dict[int, list[DecidedItem]] = {row.id: [] for row in rows}
        for item in await self._session.execute(_ITEMS_OF, {"ids": list(items)}):
            items[item.decision_id].append(
                DecidedItem(
                    ItemRef(Kind(item.item_kind), item.item_number), item.title,
                    item.size_points, item.votes, item.score,
                )
            )
        passed: dict[int, list[Alternative]] = {row.id: [] for row in rows}
        for alt in await self._session.execute(_ALTERNATIVES_OF, {"ids": list(passed)}):
            passed[alt.decision_id].append(Alternative(
                ItemRef(Kind(alt.item_kind), alt.item_number), alt.title,
                alt.score, NotPickedReason(alt.reason),
            ))
        return [
            Decision(
                r.id, r.team_id, r.channel_id, r.lead_id, r.pm_id, r.capacity, r.budget_pct,
                r.decided_at, tuple(items[r.id]), r.number, tuple(passed[r.id]),
                _rationale(r), r.post_ts,
            )
            for r in rows
        ]


# Every digest reads its channel's recent decisions: these statements are built once, since
# building them (SQLAlchemy's expressions and cache keys) cost more CPU than running them.
_DECISIONS = cast(Table, DecisionRow.__table__)
_DECIDED_ITEMS = cast(Table, DecisionItemRow.__table__)
_ALTERNATIVES = cast(Table, DecisionAlternativeRow.__table__)
_RECENT = (
    select(_DECISIONS)
    .where(_DECISIONS.c.team_id == bindparam("team_id"),
           _DECISIONS.c.channel_id == bindparam("channel_id"))
    .order_by(_DECISIONS.c.decided_at.desc(), _DECISIONS.c.id.desc())
    .limit(bindparam("limit", type_=Integer))
)
# The same decisions as _RECENT, only the columns the points need.
_LAST_DECISIONS = _RECENT.with_only_columns(
    _DECISIONS.c.id, _DECISIONS.c.decided_at, _DECISIONS.c.budget_pct
).subquery("last_decisions")
_RECENT_POINTS = (
    select(_LAST_DECISIONS.c.id, _LAST_DECISIONS.c.decided_at, _LAST_DECISIONS.c.budget_pct,
           _DECIDED_ITEMS.c.item_kind, func.sum(_DECIDED_ITEMS.c.size_points))
    .select_from(_LAST_DECISIONS.outerjoin(
        _DECIDED_ITEMS, _DECIDED_ITEMS.c.decision_id == _LAST_DECISIONS.c.id
    ))
    .group_by(_LAST_DECISIONS.c.id, _LAST_DECISIONS.c.decided_at, _LAST_DECISIONS.c.budget_pct,
              _DECIDED_ITEMS.c.item_kind)
)
_ITEMS_OF = (
    select(_DECIDED_ITEMS)
    .where(_DECIDED_ITEMS.c.decision_id.in_(bindparam("ids", expanding=True)))
    .order_by(_DECIDED_ITEMS.c.id)
)
_ALTERNATIVES_OF = (
    select(_ALTERNATIVES)
    .where(_ALTERNATIVES.c.decision_id.in_(bindparam("ids", expanding=True)))
    .order_by(_ALTERNATIVES.c.id)
)


def _rationale(row: DecisionRow | Row[Any]) -> Rationale | None:
    if row.rationale is None or row.rationale_by is None or row.rationale_at is None:
        return None
    return Rationale(row.rationale, row.rationale_by, row.rationale_at)
