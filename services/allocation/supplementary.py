"""补选: applications after a round, and forming a supplementary round from them.

Seed 000 §二 10: families that did not take part in their round or took part
and got nothing may apply after their round ends, except families that gave
up (主动放弃选房的除外); the supplementary round and its time are announced by
SMS. Here "did not take part" is a family whose result is not_allocated
without a formal list, so every not_allocated family may apply, once per round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from core.allocation.rounds import RoundKind, RoundStatus
from core.allocation.selection import HOUSED, ResultStatus
from core.errors import RuleViolation
from core.identity import parse_mobile
from core.roles import Actor, Permission
from core.timeutil import show
from services import audit, sms
from services.allocation.common import (
    create_round_in,
    get_round,
    get_round_family,
    round_label,
)
from services.authority import authorise
from storage.engine import Database
from storage.models import Family, Person, SupplementaryApplication

APPLIED = "applied"
ASSIGNED = "assigned"
SMS_PURPOSE = "supplementary_round"


def apply_supplementary(db: Database, actor: Actor, family_id: int, from_round_id: int) -> int:
    """补选申请 at the counter; returns the application id.

    Only after the round is published; only for a family whose result there is
    not_allocated; refused for a family that gave up or got a house, and a
    second time for the same round (the unique constraint backs this).
    """
    authorise(db, actor, Permission.ALLOCATION_WISHES)
    now = db.now()
    with db.write() as session:
        rnd = get_round(session, from_round_id, lock="share")
        if rnd.status != RoundStatus.PUBLISHED:
            raise RuleViolation("SUPP_ROUND_NOT_PUBLISHED", f"{round_label(rnd)}尚未公布选房结果，结果公布后才能申请补选。",
                                field="round")
        rf = get_round_family(session, from_round_id, family_id, lock=True)
        if rf.gave_up or rf.result_status == ResultStatus.GAVE_UP:
            raise RuleViolation("SUPP_GAVE_UP", "主动放弃选房的家庭不能申请补选。", field="family")
        if rf.result_status in HOUSED:
            raise RuleViolation("SUPP_ALLOCATED", "已选中房源的家庭不能申请补选。", field="family")
        if rf.result_status != ResultStatus.NOT_ALLOCATED:
            raise RuleViolation("SUPP_NO_RESULT", f"家庭 {family_id} 在{round_label(rnd)}没有选房结果，不能申请补选。",
                                field="family")
        already = session.execute(
            select(SupplementaryApplication.id).where(SupplementaryApplication.family_id == family_id,
                                                      SupplementaryApplication.from_round_id == from_round_id)
        ).first()
        if already is not None:
            raise RuleViolation("SUPP_ALREADY_APPLIED", f"家庭 {family_id} 已就{round_label(rnd)}申请过补选。", field="family")
        application = SupplementaryApplication(family_id=family_id, from_round_id=from_round_id, applied_at=now,
                                               status=APPLIED)
        session.add(application)
        session.flush()
        audit.append(session, actor, "supplementary_apply", object_type="supplementary_application",
                     object_id=application.id, case_number=rnd.case_number,
                     after={"family": family_id, "from_round": rnd.number})
        return application.id  # type: ignore[return-value]


@dataclass(frozen=True)
class SupplementaryRound:
    round_id: int
    number: int
    case_number: str | None
    families: list[int]  # in rank order
    sms_queued: int
    no_phone: list[int]  # families whose main applicant has no valid mobile number on file


def form_supplementary_round(
    db: Database,
    actor: Actor,
    *,
    number: int,
    name: str,
    pre_open: datetime,
    pre_close: datetime,
    formal_open: datetime,
    formal_close: datetime,
) -> SupplementaryRound:
    """组织补选场次 (supervisors), in one transaction.

    Takes every "applied" application, assigns the families in their original
    rank order (Family.rank) to a new round of kind "supplementary" (its pool
    is whatever is free when it runs), marks the applications assigned, and
    queues an SMS to each main applicant naming the round and its formal
    selection time.
    """
    authorise(db, actor, Permission.ALLOCATION_MANAGE)
    with db.write() as session:
        applications = list(session.execute(
            select(SupplementaryApplication).where(SupplementaryApplication.status == APPLIED)
            .order_by(SupplementaryApplication.id).with_for_update()
        ).scalars())
        if not applications:
            raise RuleViolation("SUPP_NONE_APPLIED", "目前没有待安排的补选申请。")
        family_ids = sorted({a.family_id for a in applications})
        rnd = create_round_in(session, actor, number=number, name=name, pre_open=pre_open, pre_close=pre_close,
                              formal_open=formal_open, formal_close=formal_close, family_ids=family_ids,
                              kind=RoundKind.SUPPLEMENTARY)
        for a in applications:
            a.status = ASSIGNED
            a.assigned_round_id = rnd.id
        rows = session.execute(
            select(Family.id, Family.rank, Person.phone).join(Person, Person.id == Family.main_applicant_id)
            .where(Family.id.in_(family_ids)).order_by(Family.rank)
        ).all()
        text = (f"您家庭已被安排参加第{number}场补选（{rnd.name}），正选时间为"
                f"{show(formal_open, seconds=False)}至{show(formal_close, seconds=False)}，请按时登录选房系统或到窗口办理。")
        queued = 0
        no_phone = []
        for fid, _rank, phone in rows:
            try:
                phone = parse_mobile(phone or "")
            except RuleViolation:
                no_phone.append(fid)
                continue
            sms.notify(session, actor, phone, text, purpose=SMS_PURPOSE, case_number=rnd.case_number)
            queued += 1
        session.flush()
        audit.append(session, actor, "supplementary_form", object_type="allocation_round", object_id=rnd.id,
                     case_number=rnd.case_number,
                     after={"applications": len(applications), "families": len(rows), "sms": queued,
                            "no_phone": no_phone})
        return SupplementaryRound(rnd.id, rnd.number, rnd.case_number, [r[0] for r in rows], queued,  # type: ignore[arg-type]
                                  no_phone)
