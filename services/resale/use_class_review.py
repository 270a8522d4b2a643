"""限购/限售核定: the supervisors' queue of house checks that ended in 待核定, and the decision.

A home whose use class is not normalised cannot pass the house check
(``HOUSE_USE_CLASS_NORMALISED`` ends in 待核定, seed 001 §5.2.1.3 第3条). A
supervisor — not the one who ran the check — decides (``core.resale.use_class_review``):

* tradable as 住宅, 商业 or 办公: the home's use class becomes the decided one and
  counts as normalised, so the clerk's next house check passes that rule (and a
  residence brings the buyer's qualification rules with it);
* 限售: the home is marked restricted (行政限制), so the next check refuses it.

The person at the window when the check ran is told by SMS, and the decision, the
home's change and the SMS are one transaction, audited. Each check is decided once;
an older undecided check of a home already decided leaves the queue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from core.errors import RuleViolation
from core.resale.title_check import Verdict
from core.resale.use_class_review import (
    UseClassDecision,
    clean_reason,
    parse_decision,
    result_sms,
)
from core.roles import Actor, Permission, require, require_other_person
from services import audit, sms
from services.authority import authorise
from storage.engine import Database, session_now
from storage.models import HouseCheck, Home, Operator, Person, UseClassReview

__all__ = ["ReviewItem", "decide_use_class", "pending_reviews"]


@dataclass(frozen=True)
class ReviewItem:
    """One house check waiting for 限购/限售核定, as the queue shows it."""

    house_check_id: int
    home_id: int
    location: str
    certificate_number: str
    use_class: str  # as registered (not normalised)
    checked_at: datetime
    checked_by: str  # the clerk's name
    checked_by_id: int | None
    party_name: str  # the person at the window


def _party_of(session: Session, check: HouseCheck) -> Person | None:
    party = json.loads(check.report).get("party") or {}
    person_id = party.get("person_id")
    return session.get(Person, person_id) if person_id else None


def pending_reviews(db: Database, actor: Actor) -> list[ReviewItem]:
    """Checks in 待核定 with no decision, oldest first; one per home (its latest check)."""
    with db.read() as session:
        authorise(session, actor, Permission.CONTRACT_REVIEW)
        decided = select(UseClassReview.id).where(UseClassReview.home_id == HouseCheck.home_id,
                                                  UseClassReview.decided_at >= HouseCheck.checked_at).exists()
        rows = session.execute(
            select(HouseCheck, Home, Operator.name)
            .join(Home, Home.id == HouseCheck.home_id)
            .outerjoin(Operator, Operator.id == HouseCheck.operator_id)
            .where(HouseCheck.verdict == Verdict.REVIEW.value, ~decided)
            .order_by(HouseCheck.checked_at, HouseCheck.id)
        ).all()
        latest: dict[int, ReviewItem] = {}
        for check, home, clerk in rows:
            person = _party_of(session, check)
            latest[home.id] = ReviewItem(
                house_check_id=check.id, home_id=home.id, location=home.location,  # type: ignore[arg-type]
                certificate_number=home.certificate_number, use_class=home.use_class,
                checked_at=check.checked_at, checked_by=clerk or "—", checked_by_id=check.operator_id,
                party_name=person.name if person else "—")
        return sorted(latest.values(), key=lambda item: (item.checked_at, item.house_check_id))


@dataclass(frozen=True)
class ReviewDecided:
    house_check_id: int
    decision: UseClassDecision
    location: str
    sms_sent_to: str | None  # the masked phone told, if the window party has one

    @property
    def message(self) -> str:
        told = f"已短信通知 {self.sms_sent_to}。" if self.sms_sent_to else "窗口当事人没有登记手机号，请电话告知。"
        return f"{self.location}：{self.decision.label}。{told}"


def decide_use_class(db: Database, actor: Actor, house_check_id: int, decision: str | UseClassDecision,
                     reason: str | None = None) -> ReviewDecided:
    """Record the supervisor's 限购/限售核定 of one check in 待核定 (module docstring)."""
    from core.identity import mask_phone

    require(actor, Permission.CONTRACT_REVIEW)
    chosen = parse_decision(decision) if not isinstance(decision, UseClassDecision) else decision
    because = clean_reason(chosen, reason)
    with db.write() as session:
        authorise(session, actor, Permission.CONTRACT_REVIEW)
        check = session.get(HouseCheck, house_check_id)
        if check is None:
            raise RuleViolation("USE_CLASS_CHECK_NOT_FOUND", "没有找到该次房源核验记录。", field="check")
        home = session.execute(select(Home).where(Home.id == check.home_id).with_for_update()).scalar_one()
        if check.verdict != Verdict.REVIEW.value:
            raise RuleViolation("USE_CLASS_NOT_PENDING", "该次房源核验不是待核定，无须限购/限售核定。")
        if session.execute(select(UseClassReview.id).where(UseClassReview.home_id == home.id,
                                                           UseClassReview.decided_at >= check.checked_at)).first():
            raise RuleViolation("USE_CLASS_ALREADY_DECIDED", "该房屋已完成限购/限售核定，请重新进行房源核验。")
        require_other_person(actor, check.operator_id, "USE_CLASS_OWN_CHECK", "本人办理的房源核验")
        now = session_now(session)
        before = {"use_class": home.use_class, "use_class_normalised": home.use_class_normalised,
                  "restricted": home.restricted}
        if chosen.tradable:
            home.use_class = chosen.value
            home.use_class_normalised = True
        else:
            home.restricted = True
        review = UseClassReview(house_check_id=check.id, home_id=home.id, decision=chosen.value,  # type: ignore[arg-type]
                                reason=because or None, decided_at=now, decided_by=actor.operator_id)
        session.add(review)
        session.flush()
        person = _party_of(session, check)
        told = None
        if person is not None and person.phone:
            sms.notify(session, actor, person.phone, result_sms(home.location, chosen, because),
                       purpose="use_class_review")
            told = mask_phone(person.phone)
        audit.append(session, actor, "use_class_review", object_type="home", object_id=home.id,
                     before=before,
                     after={"house_check": check.id, "decision": chosen.value, "reason": because,
                            "use_class": home.use_class, "use_class_normalised": home.use_class_normalised,
                            "restricted": home.restricted, "sms": told is not None})
        return ReviewDecided(check.id, chosen, home.location, told)  # type: ignore[arg-type]
