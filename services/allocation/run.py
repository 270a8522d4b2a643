"""Running a round (自动确定选房结果), reopening it, and verifying its journal.

``run_round`` is one write transaction in phases:

1. lock the round row (SELECT … FOR UPDATE on PostgreSQL; SQLite's write lock
   is taken by BEGIN IMMEDIATE) and refuse a published round;
2. load: the houses free now, the families in rank order with their formal
   lists, confirms and give-ups (three SELECTs read straight from the driver's
   cursor, services.allocation.common.load_round_input);
3. resolve with core.allocation.selection.resolve (the one implementation of the rule)
   and make its report (core.allocation.run_report.RoundReport);
4. write: RoundFamily results (executemany on SQLite, one UPDATE … FROM
   unnest(arrays) on PostgreSQL); the houses taken (one UPDATE … WHERE
   state = 'free' whose row count must equal the houses allocated, else
   everything rolls back); Family.status; each joined on primary keys, so
   that no plan depends on the tables' statistics (see _take_houses); the
   journal, hashed as it is written (multi-row INSERTs on SQLite, COPY on
   PostgreSQL); the round (published, run_count + 1, published_at, journal
   head); one audit row.

A crash anywhere leaves the old state: it is one transaction. Two runs of
one round at once serialise on the round row; the second then finds it
published and is refused.

The journal of a run (RoundJournal, ``run`` = run_count after the run) is:
seq 1 "inputs" (the RoundInput as canonical JSON in the round file format,
core.allocation.round_file.round_text), then the families' picks in rank order
({family, rank, house, status}), PICKS_PER_ROW to a "picks" row (their canonical
JSON, one per line), then a "summary" ({families, counts, free_after,
warnings}). Journals written before picks were grouped hold one "pick" row per
family; ``verify_round`` reads both. No timestamp is hashed, so the same inputs give the same
payloads and, for the same run number, the same hashes. Each row's hash is
sha256 of ``prev_hash, run, seq, kind, payload`` joined by U+001F, chained
from 64 zeros; the round keeps the last hash (``journal_head``) so a
truncated journal is noticed too.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Callable, Iterator
from itertools import chain, compress, islice
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from core.allocation.round_file import parse_round, round_text
from core.allocation.rounds import FamilyStatus, HouseState, RoundStatus
from core.allocation.run_report import ResultLine, RoundReport
from core.allocation.selection import ResultStatus, RoundResult, resolve
from core.audit import GENESIS_HASH, canonical_json
from core.errors import RuleViolation
from core.roles import Actor, Permission
from core.timeutil import show
from services import audit
from services.allocation.common import (
    RF,
    F,
    H,
    LoadedRound,
    copy_rows,
    get_round,
    is_postgres,
    load_round_input,
    round_label,
)
from services.authority import authorise
from storage.engine import Database, retrying
from storage.models import (
    AllocationRound,
    Lease,
    RoundFamily,
    RoundJournal,
    SupplementaryApplication,
)

J = RoundJournal.__table__  # type: ignore[attr-defined]

INPUTS = "inputs"
PICK = "pick"  # one family's pick: the journals written before picks were grouped
PICKS = "picks"
SUMMARY = "summary"

#: Picks a journal row holds. A row per family cost more than the picks themselves: its two
#: 64-character hashes and its row (100,000 of each for a large round) doubled the journal's bytes
#: and its inserts made up nearly half of a run's journal time; a thousand picks (some 70 kB) a row
#: keep the chain's granularity useful (a mismatch still names its family).
PICKS_PER_ROW = 1000

#: ``progress(done, total)``: called after each phase of a run, with the total the run has.
Progress = Callable[[int, int], None]
RUN_PHASES = 7  # locked, loaded, resolved, results, houses, families, journal (then publish, audit, commit)
DRY_RUN_PHASES = 3  # checked, loaded, resolved


def journal_hash(prev_hash: str, run: int, seq: int, kind: str, payload: str) -> str:
    """The hash of one journal row (see the module docstring)."""
    text = "\x1f".join((prev_hash, str(run), str(seq), kind, payload))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_encode_str = json.encoder.encode_basestring  # what canonical_json (ensure_ascii=False) uses for strings


def pick_payload(line: ResultLine) -> str:
    """canonical_json of one pick, built directly for the usual types (100,000 of them per run)."""
    family, rank, house, status = line
    if type(family) is int and type(rank) is int and (house is None or type(house) is str) and isinstance(status, str):
        shown = "null" if house is None else _encode_str(house)
        return f'{{"family":{family},"house":{shown},"rank":{rank},"status":{_encode_str(status)}}}'
    return canonical_json(line.as_json())  # type: ignore[return-value]


def _pick_payloads(report: RoundReport) -> Iterator[str]:
    return map(pick_payload, report.results)


def _summary(report: RoundReport, counts: dict[ResultStatus, int]) -> dict[str, Any]:
    """The journal's last row: ``counts`` is ``report.counts()``, which the caller also audits."""
    return {
        "families": report.families,
        "counts": counts,
        "free_after": report.free_after,
        "warnings": report.warnings,
    }


def journal_rows(run: int, inputs: dict[str, Any], report: RoundReport) -> list[tuple[int, str, str, str, str]]:
    """(seq, kind, payload, prev_hash, hash) for one run: a pure function of its inputs and result."""
    rows = _chain(0, run, canonical_json(inputs), report, report.counts())  # type: ignore[arg-type]
    return [row[2:] for row in rows]


_STATUS_JSON = {status: _encode_str(status.value) for status in ResultStatus}

JournalRow = tuple[int, int, int, str, str, str, str]  # round_id, run, seq, kind, payload, prev_hash, hash


def _chain(round_id: int, run: int, inputs: str, report: RoundReport,
           counts: dict[ResultStatus, int]) -> Iterator[JournalRow]:
    """The journal rows of a run over its inputs payload, one at a time, as they are written:
    ``journal_hash`` and ``pick_payload`` inlined over 100,000 picks, and no list of the rows kept."""
    sha256 = hashlib.sha256
    prev = GENESIS_HASH
    seq = 1
    hashed = sha256(f"{prev}\x1f{run}\x1f{seq}\x1f{INPUTS}\x1f".encode())
    hashed.update(inputs.encode())  # tens of megabytes: not copied into one more string first
    digest = hashed.hexdigest()
    yield (round_id, run, seq, INPUTS, inputs, prev, digest)
    prev = digest
    encode = _encode_str
    status_json = _STATUS_JSON.get
    middle = f"\x1f{run}\x1f"
    results = report.results
    for start in range(0, len(results), PICKS_PER_ROW):
        lines = []
        for line in results[start:start + PICKS_PER_ROW]:
            family, rank, house, status = line
            shown = status_json(status)
            if shown is not None and type(family) is int and type(rank) is int and (
                    house is None or type(house) is str):
                lines.append(f'{{"family":{family},"house":{"null" if house is None else encode(house)},'
                             f'"rank":{rank},"status":{shown}}}')
            else:
                lines.append(pick_payload(line))
        seq += 1
        payload = "\n".join(lines)  # canonical JSON escapes every control character: no pick holds a newline
        digest = sha256(f"{prev}{middle}{seq}\x1f{PICKS}\x1f{payload}".encode()).hexdigest()
        yield (round_id, run, seq, PICKS, payload, prev, digest)
        prev = digest
    seq += 1
    payload = canonical_json(_summary(report, counts))  # type: ignore[assignment]
    digest = sha256(f"{prev}{middle}{seq}\x1f{SUMMARY}\x1f{payload}".encode()).hexdigest()
    yield (round_id, run, seq, SUMMARY, payload, prev, digest)


# ------------------------------------------------------------------ run


def _check_runnable(rnd: AllocationRound, now: datetime, dry_run: bool) -> None:
    if rnd.status == RoundStatus.DRAFT:
        raise RuleViolation("ROUND_NOT_OPEN", f"{round_label(rnd)}尚未发布，发布并结束正选后才能运行选房。", field="round")
    if rnd.status == RoundStatus.PUBLISHED:
        raise RuleViolation("ROUND_ALREADY_PUBLISHED",
                            f"{round_label(rnd)}已公布选房结果，须先撤回结果才能重新运行。", field="round")
    if not dry_run and now < rnd.formal_close:
        raise RuleViolation("ROUND_NOT_CLOSED",
                            f"{round_label(rnd)}的正选时间到 {show(rnd.formal_close, seconds=False)} 才结束，结束后才能运行选房。",
                            field="round")


def _tick(progress: Progress | None, done: int, total: int = RUN_PHASES) -> None:
    if progress is not None:
        progress(done, total)


# sqlite3 binds an exact str directly but first tries to adapt a str subclass (a ResultStatus):
# a failed __conform__ look-up per row, about 60 % more time to bind 100,000 results.
_PLAIN_STATUS = {status: status.value for status in ResultStatus}


def _write_results(session: Session, loaded: LoadedRound, result: RoundResult) -> None:
    """RoundFamily.result_* for every family: executemany on SQLite, one UPDATE … FROM unnest(arrays)
    on PostgreSQL (whose per-statement round trips would dominate a 100,000-row executemany)."""
    house_id = loaded.house_id
    plain = _PLAIN_STATUS
    results = result.results
    houses = [None if r.house is None else house_id[r.house] for r in results]
    statuses = [plain[r.status] for r in results]
    ids = loaded.round_family_ids
    if len(ids) != len(results):
        raise ValueError("the result does not match the loaded families")
    if not ids:
        return
    conn = session.connection()
    if is_postgres(session):
        conn.exec_driver_sql(
            "UPDATE round_family AS rf SET result_house_id = v.h, result_status = v.s "
            "FROM unnest(%s::integer[], %s::text[], %s::integer[]) AS v(h, s, id) WHERE rf.id = v.id",
            (houses, statuses, list(ids)))
    else:
        cursor = conn.connection.cursor()  # the driver's executemany takes the rows as they are zipped
        try:
            cursor.executemany("UPDATE round_family SET result_house_id = ?, result_status = ? WHERE id = ?",
                               zip(houses, statuses, ids))
        finally:
            cursor.close()


def _take_houses(session: Session, round_id: int, loaded: LoadedRound, result: RoundResult) -> None:
    """Mark the houses of this round's results taken — only if they are still free.

    The plan must not depend on statistics (on freshly loaded tables PostgreSQL had planned
    the former correlated subqueries into a quadratic scan). PostgreSQL: the houses named
    by their ids, with the family and rank that took each, joined on the primary key.
    SQLite (whose planner keeps no statistics unless asked): one UPDATE … FROM (SQLite 3.33+)
    this round's results just written, led by the round's index and reaching each house by
    its rowid.
    A house taken meanwhile by another round (PostgreSQL re-checks ``state = 'free'``
    after waiting for the row lock) makes the row count fall short, and the whole run is
    rolled back.
    """
    if is_postgres(session):
        house_id = loaded.house_id
        housed = [r.house is not None for r in result.results]
        houses = [house_id[r.house] for r in compress(result.results, housed)]
        if not houses:
            return
        families = list(compress(loaded.family_ids, housed))
        ranks = [r.rank for r in compress(result.results, housed)]
        wanted = len(houses)
        done = session.connection().exec_driver_sql(
            "UPDATE public_house AS h SET state = %s, taken_round_id = %s, taken_family_id = v.f, taken_rank = v.k "
            "FROM unnest(%s::integer[], %s::integer[], %s::integer[]) AS v(id, f, k) "
            "WHERE h.id = v.id AND h.state = %s",
            (HouseState.TAKEN.value, round_id, houses, families, ranks, HouseState.FREE.value)).rowcount
    else:
        wanted = sum(1 for r in result.results if r.house is not None)
        if not wanted:
            return
        done = session.connection().exec_driver_sql(
            "UPDATE public_house SET state = ?, taken_round_id = rf.round_id, taken_family_id = rf.family_id, "
            "taken_rank = rf.rank FROM round_family AS rf "
            "WHERE rf.round_id = ? AND rf.result_house_id = public_house.id AND public_house.state = ?",
            (HouseState.TAKEN.value, round_id, HouseState.FREE.value)).rowcount
    if done != wanted:
        raise RuleViolation("ROUND_HOUSE_CONFLICT",
                            "有房源在运行期间已被其他场次选定，本次运行已全部撤销，请重新运行。")


#: Each result's Family.status.
_FAMILY_STATUS = {ResultStatus.CONFIRMED: FamilyStatus.ALLOCATED, ResultStatus.ALLOCATED: FamilyStatus.ALLOCATED,
                  ResultStatus.NOT_ALLOCATED: FamilyStatus.NOT_ALLOCATED, ResultStatus.GAVE_UP: FamilyStatus.GAVE_UP}


def _set_family_status(session: Session, round_id: int, loaded: LoadedRound, result: RoundResult) -> None:
    """Each family's status from its result. PostgreSQL: by the families' ids (one UPDATE … FROM
    unnest per status), so the plan joins on the primary key whatever the statistics say;
    SQLite: one UPDATE … FROM this round's results, led by the round's index, each family by its rowid."""
    conn = session.connection()
    if is_postgres(session):
        by_status: dict[FamilyStatus, list[int]] = {}
        for fid, r in zip(loaded.family_ids, result.results, strict=True):
            by_status.setdefault(_FAMILY_STATUS[r.status], []).append(fid)
        for family_status, ids in by_status.items():
            conn.exec_driver_sql("UPDATE family AS f SET status = %s FROM unnest(%s::integer[]) AS v(id) "
                                 "WHERE f.id = v.id", (family_status.value, ids))
        return
    cases = " ".join(["WHEN ? THEN ?"] * len(_FAMILY_STATUS))
    params = [value for pair in _FAMILY_STATUS.items() for value in (pair[0].value, pair[1].value)]
    conn.exec_driver_sql(f"UPDATE family SET status = CASE rf.result_status {cases} ELSE family.status END "
                         "FROM round_family AS rf WHERE rf.round_id = ? AND rf.family_id = family.id",
                         (*params, round_id))


_JOURNAL_BATCH = 200  # 1,400 parameters a statement, well under SQLite's limit (32,766 since 3.32)
_JOURNAL_COLUMNS = ("round_id", "run", "seq", "kind", "payload", "prev_hash", "hash")
_JOURNAL_INSERT = f"INSERT INTO round_journal ({', '.join(_JOURNAL_COLUMNS)}) VALUES "


def _write_journal(session: Session, rows: Iterator[JournalRow]) -> str:
    """Insert a run's journal as ``_chain`` makes it and return the last hash: COPY on PostgreSQL
    (one stream, no per-row round trip), multi-row INSERTs of _JOURNAL_BATCH rows on SQLite
    (a fraction of the statement steps of a row-by-row executemany)."""
    last: JournalRow | None = None
    if is_postgres(session):
        # The inputs row is tens of megabytes of JSON: pglz, the default, spent most of the journal's
        # server time compressing it. lz4 (PostgreSQL 14+ built with it) compresses it in a fraction of
        # that, readers never see the difference; for this transaction only, and only where offered.
        session.connection().exec_driver_sql(
            "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")

        def remembered() -> Iterator[JournalRow]:
            nonlocal last
            for last in rows:  # noqa: B007 - the last row is the point
                yield last
        copy_rows(session, "round_journal", _JOURNAL_COLUMNS, remembered())
    else:
        cursor = session.connection().connection.cursor()
        full = _JOURNAL_INSERT + ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * _JOURNAL_BATCH)
        try:
            while batch := list(islice(rows, _JOURNAL_BATCH)):
                sql = full if len(batch) == _JOURNAL_BATCH else _JOURNAL_INSERT + ", ".join(
                    ["(?, ?, ?, ?, ?, ?, ?)"] * len(batch))
                cursor.execute(sql, list(chain.from_iterable(batch)))
                last = batch[-1]
        finally:
            cursor.close()
    if last is None:
        raise ValueError("a journal has at least its inputs and its summary")
    return last[-1]


def run_round(
    db: Database,
    actor: Actor,
    round_id: int,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RoundReport:
    """运行选房: resolve the round by the rule and publish its result (one transaction).

    Returns the run's report (core.allocation.run_report.RoundReport, the type
    services.allocation.simulate.simulate returns too): a line per family
    (family = Family.id, rank, house = PublicHouse.code or None, status), the
    codes still free and the warnings. ``dry_run`` computes the same report in
    a read transaction and writes nothing (allowed before the formal window
    closes, as a preview). A published round is refused until
    ``reopen_round``. ``progress(done, total)`` is called after each phase:
    ``total`` is RUN_PHASES for a run, DRY_RUN_PHASES for a preview.
    """
    authorise(db, actor, Permission.ALLOCATION_MANAGE)
    now = db.now()
    if dry_run:
        with db.read() as session:
            rnd = get_round(session, round_id)
            _check_runnable(rnd, now, True)
            _tick(progress, 1, DRY_RUN_PHASES)
            loaded = load_round_input(session, round_id)
            _tick(progress, 2, DRY_RUN_PHASES)
            report = RoundReport.of(loaded.input, resolve(loaded.input))
            _tick(progress, 3, DRY_RUN_PHASES)
            return report

    return retrying(_run_and_publish)(db, actor, round_id, now, progress)


def _journal_of(round_id: int, run: int, loaded: LoadedRound,
                result: RoundResult) -> tuple[RoundReport, dict[ResultStatus, int], list[JournalRow]]:
    """The run's report, its counts and its journal rows (a hundred or so: the picks are grouped)."""
    report = RoundReport.of(loaded.input, result)
    counts = report.counts()
    inputs = round_text(loaded.input, known_codes=loaded.house_id.keys())
    return report, counts, list(_chain(round_id, run, inputs, report, counts))


def _in_background(work: Callable[..., Any], *args: Any) -> Future[Any]:
    """``work(*args)`` on a thread of its own; the caller takes its result (or its exception)."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wangqian-round-journal")
    try:
        return executor.submit(work, *args)
    finally:
        executor.shutdown(wait=False)  # the thread ends with its one task


def _run_and_publish(db: Database, actor: Actor, round_id: int, now: datetime,
                     progress: Progress | None) -> RoundReport:
    """The write transaction of ``run_round`` (re-run whole on a PostgreSQL deadlock or serialization failure)."""
    with db.write() as session:
        rnd = get_round(session, round_id, lock="update")
        _check_runnable(rnd, now, False)
        _tick(progress, 1)
        loaded = load_round_input(session, round_id)
        _tick(progress, 2)
        result = resolve(loaded.input)
        _tick(progress, 3)
        _write_results(session, loaded, result)
        _tick(progress, 4)
        run = rnd.run_count + 1
        # The report and the journal's rows are pure Python work on the run's own values; the
        # two UPDATEs below spend their time inside the database, without the GIL. Made
        # meanwhile on the other core, they are ready when the journal is written. (Not during
        # the results' executemany: each of its 100,000 steps would wait for the GIL.)
        journal = _in_background(_journal_of, round_id, run, loaded, result)
        _take_houses(session, round_id, loaded, result)
        _tick(progress, 5)
        _set_family_status(session, round_id, loaded, result)
        _tick(progress, 6)
        report, counts, rows = journal.result()
        head = _write_journal(session, iter(rows))
        _tick(progress, 7)
        before = {"status": rnd.status, "run_count": rnd.run_count}
        rnd.status = RoundStatus.PUBLISHED
        rnd.run_count = run
        rnd.published_at = now
        rnd.journal_head = head
        audit.append(
            session, actor, "round_run", object_type="allocation_round", object_id=round_id,
            case_number=rnd.case_number, before=before,
            after={"status": RoundStatus.PUBLISHED, "run": run, "families": report.families, **counts,
                   "free_after": len(report.free_after), "warnings": len(report.warnings),
                   "journal_head": rnd.journal_head},
        )
        session.flush()
    return report


# ------------------------------------------------------------------ reopen


def reopen_round(db: Database, actor: Actor, round_id: int, reason: str) -> None:
    """撤回结果: release the houses this round took, clear its results, status "reopened".

    Confirms and give-ups stay (they are the families' own acts), so running
    again gives the same result unless the pool changed. Refused once a lease
    was signed for one of its houses, a family applied for a supplementary
    round on the strength of its result, or one of its families was placed in
    a later round (a rerun could otherwise give a family two houses).
    """
    authorise(db, actor, Permission.ALLOCATION_MANAGE)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("ROUND_REOPEN_REASON_EMPTY", "撤回选房结果必须填写原因。", field="reason")
    if len(reason) > 200:
        raise RuleViolation("ROUND_REOPEN_REASON_TOO_LONG", "撤回原因不能超过200个字。", field="reason")
    with db.write() as session:
        rnd = get_round(session, round_id, lock="update")
        if rnd.status != RoundStatus.PUBLISHED:
            raise RuleViolation("ROUND_NOT_PUBLISHED", f"{round_label(rnd)}尚未公布选房结果，无需撤回。", field="round")
        leases = session.execute(select(func.count()).select_from(Lease).where(Lease.round_id == round_id)).scalar_one()
        if leases:
            raise RuleViolation("ROUND_REOPEN_HAS_LEASES", f"{round_label(rnd)}已有 {leases} 户家庭办理签约，不能撤回选房结果。")
        applied = session.execute(select(func.count()).select_from(SupplementaryApplication)
                                  .where(SupplementaryApplication.from_round_id == round_id)).scalar_one()
        if applied:
            raise RuleViolation("ROUND_REOPEN_HAS_SUPPLEMENTARY",
                                f"{round_label(rnd)}已有 {applied} 户家庭据此申请补选，不能撤回选房结果。")
        later = aliased(RoundFamily)
        moved_on = session.execute(
            select(later.family_id).join(RoundFamily, RoundFamily.family_id == later.family_id)
            .where(RoundFamily.round_id == round_id, later.round_id > round_id).limit(1)
        ).scalar_one_or_none()
        if moved_on is not None:
            raise RuleViolation("ROUND_REOPEN_FAMILY_MOVED_ON",
                                f"{round_label(rnd)}的家庭 {moved_on} 已被安排到后续场次，不能撤回选房结果。")
        conn = session.connection()
        released = conn.execute(
            update(H).where(H.c.taken_round_id == round_id, H.c.state == HouseState.TAKEN)
            .values(state=HouseState.FREE, taken_round_id=None, taken_family_id=None, taken_rank=None)
        ).rowcount
        members = select(RF.c.family_id).where(RF.c.round_id == round_id, RF.c.gave_up.is_(False))
        conn.execute(update(F).where(F.c.id.in_(members)).values(status=FamilyStatus.WAITING))
        conn.execute(update(RF).where(RF.c.round_id == round_id).values(result_house_id=None, result_status=None))
        before = {"status": rnd.status, "run_count": rnd.run_count, "published_at": rnd.published_at}
        rnd.status = RoundStatus.REOPENED
        rnd.published_at = None
        audit.append(
            session, actor, "round_reopen", object_type="allocation_round", object_id=round_id,
            case_number=rnd.case_number, before=before,
            after={"status": RoundStatus.REOPENED, "houses_released": released, "reason": reason},
        )


# ------------------------------------------------------------------ verify


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of ``verify_round``: ok, or the first mismatch in one Chinese sentence."""

    round_id: int
    run: int | None
    rows: int
    ok: bool
    message: str
    seq: int | None = None  # the journal row of the first mismatch, if any
    family_id: int | None = None  # the family of the first mismatch, if any


def verify_round(db: Database, actor: Actor, round_id: int) -> VerifyReport:
    """核验选房日志: recompute the hash chain of the latest run, then replay it.

    Replay parses the journaled inputs (core.allocation.round_file.parse_round),
    resolves them again with core.allocation.selection.resolve and compares the result
    with the journaled picks and summary and, while the round is published,
    with the results stored in RoundFamily and the houses' taken marks.
    """
    authorise(db, actor, Permission.ALLOCATION_VIEW)
    with db.read() as session:
        rnd = get_round(session, round_id)
        run = session.execute(select(func.max(J.c.run)).where(J.c.round_id == round_id)).scalar_one()
        if run is None:
            return VerifyReport(round_id, None, 0, False, f"{round_label(rnd)}尚未运行过，没有选房日志可核验。")
        rows = session.execute(
            select(J.c.seq, J.c.kind, J.c.payload, J.c.prev_hash, J.c.hash)
            .where(J.c.round_id == round_id, J.c.run == run).order_by(J.c.seq)
        ).all()

        def bad(message: str, seq: int | None = None, family: int | None = None) -> VerifyReport:
            return VerifyReport(round_id, run, len(rows), False, message, seq, family)

        prev = GENESIS_HASH
        for index, (seq, kind, payload, prev_hash, digest) in enumerate(rows, start=1):
            if seq != index or prev_hash != prev:
                return bad(f"第 {run} 次运行的第 {index} 条日志与前一条不衔接，日志有记录被插入、删除或改写。", index)
            if journal_hash(prev_hash, run, seq, kind, payload) != digest:
                return bad(f"第 {run} 次运行的第 {seq} 条日志（{kind}）内容已被篡改。", seq)
            prev = digest
        if run == rnd.run_count and rnd.journal_head != prev:
            return bad(f"第 {run} 次运行的日志末尾与场次记录的哈希不符，日志有记录被删除或追加。")

        if not rows or rows[0].kind != INPUTS:
            return bad("选房日志的第 1 条不是输入数据。", 1)
        try:
            round_input = parse_round(rows[0].payload)
        except RuleViolation as exc:
            return bad(f"选房日志记录的输入数据无法读取：{exc.message.rstrip('。')}。", 1)
        report = RoundReport.of(round_input, resolve(round_input))
        expected = list(_pick_payloads(report))
        if rows[-1].kind != SUMMARY or any(r.kind not in (PICK, PICKS) for r in rows[1:-1]):
            return bad("选房日志的记录条数或种类与输入数据不符。")
        journaled = [(row.seq, line) for row in rows[1:-1]
                     for line in (row.payload.split("\n") if row.kind == PICKS else (row.payload,))]
        if len(journaled) != len(expected):
            return bad("选房日志的记录条数或种类与输入数据不符。")
        for (seq, got), want, line in zip(journaled, expected, report.results, strict=True):
            if got != want:
                return bad(f"第 {seq} 条日志记录的选房结果与按输入重算的结果不一致（家庭 {line.family}）。",
                           seq, line.family)
        if rows[-1].payload != canonical_json(_summary(report, report.counts())):
            return bad("选房日志的汇总与按输入重算的结果不一致。", rows[-1].seq)

        if rnd.status == RoundStatus.PUBLISHED and run == rnd.run_count:
            found = _check_stored(session, round_id, report)
            if found is not None:
                return bad(found[0], None, found[1])
            where = "与日志和数据库中保存的结果一致"
        else:
            where = "与日志一致（场次结果已撤回，未与数据库核对）"
        return VerifyReport(round_id, run, len(rows), True,
                            f"第 {run} 次运行的选房日志共 {len(rows)} 条（{report.families} 户家庭的选房结果），"
                            f"哈希链完整，重算结果{where}。")


def _check_stored(session: Session, round_id: int, report: RoundReport) -> tuple[str, int | None] | None:
    """Compare RoundFamily results and the houses' taken marks with the replayed report."""
    stored = {
        fid: (rank, code, status)
        for fid, rank, code, status in session.execute(
            select(RF.c.family_id, RF.c.rank, H.c.code, RF.c.result_status)
            .select_from(RF.outerjoin(H, H.c.id == RF.c.result_house_id))
            .where(RF.c.round_id == round_id)
        )
    }
    taken = {
        code: (fid, rank)
        for code, fid, rank in session.execute(
            select(H.c.code, H.c.taken_family_id, H.c.taken_rank).where(H.c.taken_round_id == round_id,
                                                                        H.c.state == HouseState.TAKEN)
        )
    }
    if len(stored) != report.families:
        return "数据库中本场次的家庭数与选房日志不一致。", None
    for fid, rank, house, status in report.results:
        if stored.get(fid) != (rank, house, status):
            return f"家庭 {fid} 在数据库中保存的选房结果与日志重算的结果不一致。", fid
        if house is not None and taken.get(house) != (fid, rank):
            return f"房源 {house} 在数据库中的选定记录与日志重算的结果不一致。", fid
    if len(taken) != report.housed:
        return "数据库中被本场次选定的房源数与选房日志不一致。", None
    return None

