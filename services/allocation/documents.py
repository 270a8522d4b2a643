"""The documents of a published round: the public result list (选房结果公示) and
one family's result notice (选房结果通知书), as PDF bytes.

The CLI (``wangqian report round|family``) and the TUI call these. The data
comes from services.allocation.rounds (``round_detail``, ``round_results``,
``family_result``); what those do not carry for a document — a house's layout
and area on the list, the main applicant's ID number (masked) on the notice —
is read here. Both documents need the round published (ROUND_RESULT_NOT_PUBLISHED).

The issuing body is the lessor of services.allocation.lease.LeaseOffice (the hall's
settings); a housed family's signing window is ``core.allocation.lease.signing_window``
(from the publication date, ``Settings.signing_days`` days), the very window the
contract step holds a signing to. Where to sign and whom to ask, and where to
object to the public list (公示期: ``Settings.publicity_days``), is the hall of
``core.hall`` (``Settings.hall_name`` / ``hall_address`` / ``hall_phone``).

The notice's 业务号 is the family's lease case once one is open, else the
round's case. Every round created by ``rounds.create_round`` (the counter, the
command line, the demo) has one; a round that somehow has none (written into
the database by other means) has no number to print, and the notice is refused
rather than printed without one.
"""

from __future__ import annotations

from sqlalchemy import select

from core.allocation import lease as lease_rules
from core.allocation.housing import layout_label
from core.allocation.selection import HOUSED
from core.cases import CaseStatus
from core.errors import RuleViolation
from core.hall import HallContact, hall_contact
from core.identity import mask_id
from core.places import building_label, place_label, room_label, unit_label
from core.roles import Actor, Permission
from core.timeutil import local_today
from reports import allocation as documents
from services.allocation import rounds
from services.allocation.common import H, get_round
from services.allocation.lease import LeaseOffice
from services.authority import authorise
from storage.engine import Database
from storage.models import Case, Family, Lease, Person
from storage.settings import Settings


def hall_of(settings: Settings) -> HallContact:
    """The hall families are sent to (to sign, to ask, to object): this hall."""
    return hall_contact(settings.city, hall_city=settings.city, name=settings.hall_name,
                        address=settings.hall_address, phone=settings.hall_phone)


def _place(hall: HallContact) -> str:
    return f"{hall.printed('name')}（{hall.printed('address')}）"


def round_result_list_data(db: Database, actor: Actor, round_id: int,
                           office: LeaseOffice | None = None) -> documents.RoundResultList:
    """The public result list of a published round, names masked, rank order."""
    authorise(db, actor, Permission.REPORT_PRINT)
    office = office or LeaseOffice.from_settings(db.settings)
    results = rounds.round_results(db, actor, round_id)  # refuses a round not published
    detail = rounds.round_detail(db, actor, round_id)
    codes = sorted({r.house_code for r in results if r.house_code is not None})
    facts: dict[str, tuple[str, str, object]] = {}
    with db.read() as session:
        for start in range(0, len(codes), 5000):
            chunk = codes[start:start + 5000]
            for code, unit, layout, area in session.execute(
                    select(H.c.code, H.c.unit, H.c.layout, H.c.area).where(H.c.code.in_(chunk))):
                facts[code] = (unit, layout, area)
    rows = []
    for r in results:
        unit, layout, area = facts.get(r.house_code, ("", None, None)) if r.house_code else ("", None, None)
        rows.append(documents.ResultRow(
            rank=r.rank, masked_name=r.applicant, status=r.status, house_code=r.house_code,
            building_room=place_label(r.building or "", str(unit or ""), r.room or "") if r.house_code else None,
            layout=layout_label(str(layout)) if layout else None, area=area,  # type: ignore[arg-type]
        ))
    published = local_today(detail.published_at or db.now())
    hall = hall_of(db.settings)
    return documents.RoundResultList(
        round_name=detail.name, round_number=detail.number, published_on=published, issuer=office.lessor,
        rows=tuple(rows), publicity_until=lease_rules.publicity_until(published, db.settings.publicity_days),
        contact=f"{_place(hall)}，电话 {hall.printed('phone')}",
    )


def round_result_list_pdf(db: Database, actor: Actor, round_id: int, *, office: LeaseOffice | None = None) -> bytes:
    """选房结果公示 of a published round as PDF bytes."""
    return documents.round_result_list(round_result_list_data(db, actor, round_id, office))


def family_result_notice_data(db: Database, actor: Actor, round_id: int, family_id: int,
                              office: LeaseOffice | None = None) -> documents.FamilyResultNotice:
    """One family's result notice of a published round (full name, ID number masked)."""
    authorise(db, actor, Permission.REPORT_PRINT)
    office = office or LeaseOffice.from_settings(db.settings)
    notice = rounds.family_result(db, actor, round_id, family_id)  # refuses a round not published / a family not in it
    with db.read() as session:
        lease_case = session.execute(
            select(Case.number).join(Lease, Lease.case_id == Case.id)
            .where(Lease.family_id == family_id, Lease.round_id == round_id,
                   Case.status != CaseStatus.CANCELLED.value)).scalars().first()
        case_number = lease_case or get_round(session, round_id).case_number
        id_number = session.execute(select(Person.id_number).join(Family, Family.main_applicant_id == Person.id)
                                    .where(Family.id == family_id)).scalar_one()
    if not case_number:
        raise RuleViolation("ROUND_NO_CASE_NUMBER",
                            f"第{notice.round_number}场没有业务号，不能出具带业务号和二维码的选房结果通知书。")
    issued = notice.published_on or local_today(db.now())
    house = None
    signing_from = signing_until = None
    housed = notice.status in HOUSED and notice.house_code is not None
    if housed:
        house = documents.HouseFacts(
            code=notice.house_code or "", project=notice.project or "", address=office.city,
            building=building_label(notice.building or ""), unit=unit_label(notice.unit or ""),
            room=room_label(notice.room or ""), layout=layout_label(notice.layout or ""),
            area=notice.area,  # type: ignore[arg-type]
            floor=notice.floor, orientation=notice.orientation or None,
        )
        signing_from, signing_until = lease_rules.signing_window(issued, db.settings.signing_days)
    hall = hall_of(db.settings)
    return documents.FamilyResultNotice(
        case_number=case_number, applicant_name=notice.applicant, masked_id=mask_id(id_number) or "*",
        rank=notice.rank, round_name=notice.round_name, round_number=notice.round_number, status=notice.status,
        issued_on=issued, issuer=office.lessor, house=house,
        monthly_rent=notice.monthly_rent if housed else None,
        signing_from=signing_from, signing_until=signing_until,
        signing_place=_place(hall), contact_phone=hall.printed("phone"),
    )


def family_result_notice_pdf(db: Database, actor: Actor, round_id: int, family_id: int, *,
                             office: LeaseOffice | None = None) -> bytes:
    """选房结果通知书 of one family of a published round as PDF bytes."""
    return documents.family_result_notice(family_result_notice_data(db, actor, round_id, family_id, office))
