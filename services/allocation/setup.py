"""场次设置: a supervisor sets a selection round up and publishes it (issue 12, item 5).

A round is created as a draft (筹备中, ``services.allocation.rounds.create_round``
without families); while it is a draft the supervisor may

* import its families with their ranks (选房家庭名单) and the house pool (房源清单)
  from CSV (core.allocation.round_setup reads them): every bad row is reported and
  a file with any bad row writes nothing; a clean file is one transaction;
* set its windows (预选 / 正选), which must be ordered and lie ahead;

and then publish it (发布场次): the round opens (RoundStatus.OPEN), families may
select within its windows, and its setup is frozen. Every act is the supervisor's
(Permission.ALLOCATION_MANAGE, checked against the account as it is now) and audited.

The house pool is the hall's (core: every free house is in the pool of the next
round run), so houses imported through a round serve that round and, if left
free, later ones; the import is recorded on the round's case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlmodel import Session

from core.allocation.round_setup import (
    FamilyLine,
    HouseLine,
    RowError,
    parse_families_csv,
    parse_houses_csv,
)
from core.allocation.rounds import FamilyStatus, HouseState, RoundStatus, check_setup_windows
from core.errors import RuleViolation
from core.identity import mask_id
from core.roles import Actor, Permission
from core.timeutil import local_today
from services import audit
from services.allocation.common import RF, add_round_families, free_house_count, get_round, round_label
from services.authority import authorise
from storage.engine import Database, retrying, session_now
from storage.models import AllocationRound, Family, FamilyMember, Person, PublicHouse

__all__ = ["ImportDone", "ImportRefused", "import_families", "import_houses", "publish_round", "read_import_file",
           "set_windows"]

#: Bad rows a refusal's sentence names before "…" (all of them are on the exception).
SHOWN_ERRORS = 3


class ImportRefused(RuleViolation):
    """A file with bad rows: nothing was written. ``errors`` holds every bad cell."""

    def __init__(self, what: str, errors: list[RowError]) -> None:
        rows = len({e.row for e in errors})
        first = "；".join(e.text() for e in errors[:SHOWN_ERRORS])
        more = f"；另有 {len(errors) - SHOWN_ERRORS} 处错误" if len(errors) > SHOWN_ERRORS else ""
        super().__init__("ROUND_IMPORT_INVALID",
                         f"{what}有 {rows} 行错误，未导入任何数据：{first}{more}。", field="file")
        self.errors = errors


@dataclass(frozen=True)
class ImportDone:
    round_id: int
    rows: int  # families placed in the round, or houses added to the pool
    created: int  # of which new to the register (families) — for houses the same as rows


def read_import_file(path: str | Path) -> str:
    """A CSV file's text: UTF-8 (with or without BOM), else GB18030 as a spreadsheet saves it in
    a Chinese locale; or one Chinese sentence (IMPORT_FILE_NOT_FOUND / IMPORT_FILE_UNREADABLE)."""
    p = Path(str(path).strip()).expanduser()
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise RuleViolation("IMPORT_FILE_NOT_FOUND", f"找不到文件 {p}。", field="file") from None
    except (OSError, ValueError):
        raise RuleViolation("IMPORT_FILE_UNREADABLE", f"无法读取文件 {p}。", field="file") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RuleViolation("IMPORT_FILE_UNREADABLE", f"文件 {p} 不是 UTF-8 或 GB18030 编码的文本。", field="file")


def _draft(session: Session, round_id: int) -> AllocationRound:
    """The round, locked, refused unless it is still being set up."""
    rnd = get_round(session, round_id, lock="update")
    if rnd.status != RoundStatus.DRAFT:
        raise RuleViolation("ROUND_SETUP_FROZEN", f"{round_label(rnd)}已发布，场次设置不能再修改。", field="round")
    return rnd


# ------------------------------------------------------------------ windows


def set_windows(db: Database, actor: Actor, round_id: int, *, pre_open: datetime, pre_close: datetime,
                formal_open: datetime, formal_close: datetime) -> None:
    """设置选房时间 of a draft: ordered and ahead (core.allocation.rounds.check_setup_windows)."""
    authorise(db, actor, Permission.ALLOCATION_MANAGE)

    def change() -> None:
        with db.write() as session:
            rnd = _draft(session, round_id)
            check_setup_windows(pre_open, pre_close, formal_open, formal_close, session_now(session))
            before = {"pre_open": rnd.pre_open, "pre_close": rnd.pre_close, "formal_open": rnd.formal_open,
                      "formal_close": rnd.formal_close}
            rnd.pre_open, rnd.pre_close, rnd.formal_open, rnd.formal_close = pre_open, pre_close, formal_open, formal_close
            audit.append(session, actor, "round_windows", object_type="allocation_round", object_id=rnd.id,
                         case_number=rnd.case_number, before=before,
                         after={"pre_open": pre_open, "pre_close": pre_close, "formal_open": formal_open,
                                "formal_close": formal_close})

    retrying(change)()


# ------------------------------------------------------------------ families


def _check_families(session: Session, rnd: AllocationRound,
                    lines: list[FamilyLine]) -> tuple[list[RowError], dict[int, int]]:
    """Every row against the register: rank taken by another applicant, an applicant whose family
    has another rank or another name, a family that holds a house or is in an unpublished round.
    Returns the problems and, for rows whose family is registered, row → family id."""
    errors: list[RowError] = []
    existing: dict[int, int] = {}
    numbers = [line.id_number for line in lines]
    persons: dict[str, tuple[int, str]] = {}
    for start in range(0, len(numbers), 5000):
        for pid, number, name in session.execute(
                select(Person.id, Person.id_number, Person.name).where(Person.id_number.in_(numbers[start:start + 5000]))):
            persons.setdefault(number, (pid, name))
    ranks = [line.rank for line in lines]
    by_rank: dict[int, tuple[int, int]] = {}
    for start in range(0, len(ranks), 5000):
        for fid, rank, applicant in session.execute(
                select(Family.id, Family.rank, Family.main_applicant_id).where(Family.rank.in_(ranks[start:start + 5000]))):
            by_rank[rank] = (fid, applicant)
    applicant_ids = [p[0] for p in persons.values()]
    by_applicant: dict[int, tuple[int, int, str]] = {}
    for start in range(0, len(applicant_ids), 5000):
        for fid, rank, applicant, status in session.execute(
                select(Family.id, Family.rank, Family.main_applicant_id, Family.status)
                .where(Family.main_applicant_id.in_(applicant_ids[start:start + 5000]))):
            by_applicant[applicant] = (fid, rank, status)
    for line in lines:
        person = persons.get(line.id_number)
        if person is not None and person[1] != line.name:
            errors.append(RowError(line.row, "姓名", "FAMILY_NAME_MISMATCH",
                                   f"证件号码 {mask_id(line.id_number)} 登记的姓名与文件中的“{line.name}”不一致。"))
            continue
        family = by_applicant.get(person[0]) if person is not None else None
        taken = by_rank.get(line.rank)
        if family is None:
            if taken is not None:
                errors.append(RowError(line.row, "排位", "FAMILY_RANK_TAKEN", f"排位 {line.rank} 已属于另一个轮候家庭。"))
            continue
        fid, rank, status = family
        if rank != line.rank:
            errors.append(RowError(line.row, "排位", "FAMILY_RANK_MISMATCH",
                                   f"该家庭已登记的排位是 {rank}，与文件中的 {line.rank} 不一致。"))
        elif status == FamilyStatus.ALLOCATED:
            errors.append(RowError(line.row, "证件号码", "ROUND_FAMILY_ALLOCATED", "该家庭已分配到房源，不能再安排选房。"))
        elif status == FamilyStatus.GAVE_UP:
            errors.append(RowError(line.row, "证件号码", "FAMILY_GAVE_UP", "该家庭已主动放弃选房，不能再安排选房。"))
        else:
            existing[line.row] = fid
    if existing:
        busy = dict(session.execute(
            select(RF.c.family_id, AllocationRound.number)
            .join(AllocationRound, AllocationRound.id == RF.c.round_id)
            .where(RF.c.family_id.in_(list(existing.values())), AllocationRound.status != RoundStatus.PUBLISHED)).all())
        for line in lines:
            fid = existing.get(line.row)
            if fid is not None and fid in busy:
                where = "本场次" if busy[fid] == rnd.number else f"尚未公布结果的第{busy[fid]}场"
                errors.append(RowError(line.row, "证件号码", "ROUND_FAMILY_BUSY", f"该家庭已安排在{where}，不能重复安排。"))
    return errors, existing


def import_families(db: Database, actor: Actor, round_id: int, text: str) -> ImportDone:
    """导入选房家庭名单 into a draft: each row's family (registered now if new: the main
    applicant and the family at its rank) placed in the round at its rank. Refused whole
    (ImportRefused, nothing written) when any row is bad in the file or against the register."""
    authorise(db, actor, Permission.ALLOCATION_MANAGE)

    def load() -> ImportDone:
        with db.write() as session:
            rnd = _draft(session, round_id)
            lines, errors = parse_families_csv(text, today=local_today(session_now(session)))
            if not errors:
                errors, existing = _check_families(session, rnd, lines)
            if errors:
                raise ImportRefused("选房家庭名单", sorted(errors, key=lambda e: e.row))
            family_ids = []
            created = 0
            persons = dict(session.execute(select(Person.id_number, Person.id).where(
                Person.id_number.in_([line.id_number for line in lines if line.row not in existing]))).all())
            for line in lines:
                if line.row in existing:
                    family_ids.append(existing[line.row])
                    continue
                person_id = persons.get(line.id_number)
                if person_id is None:
                    person = Person(name=line.name, id_kind=line.id_kind, id_number=line.id_number, region=line.region,
                                    birth_date=line.birth_date, sex=line.sex, phone=line.phone)
                    session.add(person)
                    session.flush()
                    person_id = person.id
                family = Family(main_applicant_id=person_id, rank=line.rank, size=line.size,  # type: ignore[arg-type]
                                status=FamilyStatus.WAITING, eligible_layouts=",".join(line.layouts))
                session.add(family)
                session.flush()
                session.add(FamilyMember(family_id=family.id, person_id=person_id, relation="本人"))  # type: ignore[arg-type]
                family_ids.append(family.id)
                created += 1
            session.flush()
            add_round_families(session, rnd, family_ids)
            audit.append(session, actor, "round_import_families", object_type="allocation_round", object_id=rnd.id,
                         case_number=rnd.case_number, after={"families": len(family_ids), "registered": created})
            return ImportDone(rnd.id, len(family_ids), created)  # type: ignore[arg-type]

    return retrying(load)()


# ------------------------------------------------------------------ houses


def import_houses(db: Database, actor: Actor, round_id: int, text: str) -> ImportDone:
    """导入房源清单 through a draft round: each row a new house of the pool, free. Refused whole
    (ImportRefused, nothing written) when any row is bad or its code is already registered."""
    authorise(db, actor, Permission.ALLOCATION_MANAGE)

    def load() -> ImportDone:
        with db.write() as session:
            rnd = _draft(session, round_id)
            lines, errors = parse_houses_csv(text)
            if not errors:
                codes = [line.code for line in lines]
                known: set[str] = set()
                for start in range(0, len(codes), 5000):
                    known |= set(session.execute(
                        select(PublicHouse.code).where(PublicHouse.code.in_(codes[start:start + 5000]))).scalars())
                errors = [RowError(line.row, "房源编号", "HOUSE_CODE_TAKEN", f"房源编号 {line.code} 已经登记在房源中。")
                          for line in lines if line.code in known]
            if errors:
                raise ImportRefused("房源清单", sorted(errors, key=lambda e: e.row))
            session.execute(PublicHouse.__table__.insert(), [_house_row(line) for line in lines])  # type: ignore[attr-defined]
            audit.append(session, actor, "round_import_houses", object_type="allocation_round", object_id=rnd.id,
                         case_number=rnd.case_number, after={"houses": len(lines)})
            return ImportDone(rnd.id, len(lines), len(lines))  # type: ignore[arg-type]

    return retrying(load)()


def _house_row(line: HouseLine) -> dict[str, object]:
    return {"code": line.code, "project": line.project, "building": line.building, "unit": line.unit,
            "floor": line.floor, "room": line.room, "layout": line.layout, "orientation": line.orientation,
            "area": line.area, "monthly_rent": line.monthly_rent, "state": HouseState.FREE}


# ------------------------------------------------------------------ publish


def publish_round(db: Database, actor: Actor, round_id: int) -> None:
    """发布场次: a draft with families, free houses in the pool and windows still ahead opens
    (RoundStatus.OPEN); from now on families select and the setup is frozen."""
    authorise(db, actor, Permission.ALLOCATION_MANAGE)

    def publish() -> None:
        with db.write() as session:
            rnd = _draft(session, round_id)
            families = session.execute(select(func.count()).select_from(RF).where(RF.c.round_id == round_id)).scalar_one()
            if not families:
                raise RuleViolation("ROUND_NO_FAMILIES", f"{round_label(rnd)}还没有选房家庭，请先导入选房家庭名单。",
                                    field="families")
            free = free_house_count(session)
            if not free:
                raise RuleViolation("ROUND_NO_HOUSES", "房源中没有可选房源，请先导入房源清单。", field="houses")
            check_setup_windows(rnd.pre_open, rnd.pre_close, rnd.formal_open, rnd.formal_close, session_now(session))
            rnd.status = RoundStatus.OPEN
            audit.append(session, actor, "round_publish", object_type="allocation_round", object_id=rnd.id,
                         case_number=rnd.case_number, before={"status": RoundStatus.DRAFT},
                         after={"status": RoundStatus.OPEN, "families": families, "houses_free": free})

    retrying(publish)()
