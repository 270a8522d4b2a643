"""The families of one round, as the counter finds them (家庭选房).

The clerk at the window knows the family by its rank (排位) or by the main
applicant's name; the wish-list services take the family's id. This read-only
look-up bridges the two. Names are shown in full: the family stands at the
window (the public result list, services.allocation.rounds.round_results, masks them).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.allocation.housing import layout_label
from core.allocation.selection import STATUS_LABELS
from core.roles import Actor, Permission
from core.text import whole_number
from services.allocation.common import RF, get_round
from services.authority import authorise
from storage.engine import Database
from storage.models import Family, Person

MAX_HITS = 50


@dataclass(frozen=True)
class RoundFamilyLine:
    family_id: int
    rank: int
    applicant: str  # main applicant's full name
    size: int
    eligible: str  # the layouts it may choose, in Chinese (一房一厅、两房一厅)
    confirmed: bool  # 已确认正选
    gave_up: bool  # 已主动放弃
    result_label: str  # 已确认 / 已分配 / 未分配 / 已放弃, or "" before the run


def _eligible_text(raw: str | None) -> str:
    return "、".join(layout_label(p.strip()) for p in (raw or "").split(",") if p.strip())


def round_families(db: Database, actor: Actor, round_id: int, query: str = "", *,
                   limit: int = MAX_HITS) -> list[RoundFamilyLine]:
    """The round's families in rank order: all of them (up to ``limit``), those whose
    rank is ``query`` (digits), or whose main applicant's name contains ``query``."""
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    text = (query or "").strip()
    with db.read() as session:
        get_round(session, round_id)
        stmt = (
            select(RF.c.family_id, RF.c.rank, Person.name, Family.size, Family.eligible_layouts,
                   RF.c.confirm_house_id, RF.c.gave_up, RF.c.result_status)
            .select_from(RF.join(Family, Family.id == RF.c.family_id)
                         .join(Person, Person.id == Family.main_applicant_id))
            .where(RF.c.round_id == round_id)
        )
        rank = whole_number(text)
        if rank is not None:
            stmt = stmt.where(RF.c.rank == rank)
        elif text:
            stmt = stmt.where(Person.name.contains(text, autoescape=True))
        rows = session.execute(stmt.order_by(RF.c.rank).limit(limit)).all()
    return [
        RoundFamilyLine(fid, rank, name, size, _eligible_text(eligible), confirm is not None, bool(gave_up),
                        STATUS_LABELS.get(status, status) if status else "")
        for fid, rank, name, size, eligible, confirm, gave_up, status in rows
    ]
