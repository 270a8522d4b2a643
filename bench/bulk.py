"""Bulk preparation of resale contracts ready to submit: a test and bench loader, NOT a
product path.

What it makes. For each (clerk, supervisor, sale) the rows a clerk leaves at the counter
when a contract has reached the step before 提交: a passed house check with its house
code, the accepted ``resale_signing`` case (its 受理 event and parties), the draft
contract with its parties and version 1, the buyer qualification requested by the clerk
and approved by the supervisor (with its two SMS notices), and for every party a
one-time code bound to version 1, sent (its SMS, the code already taken out of the text)
and used; the home marked in transaction; and the audit rows of all of it, appended
through ``services.audit`` so they join the hash chain the product's way.

How. The first sale goes through the counter's own use cases
(``bench.signing.ready_to_submit``: ``run_house_check`` … ``verify_signing_code``): that
contract is the template. Every other contract is a copy of the template's rows, written
with a few bulk INSERTs per table and one transaction per ``CHUNK`` contracts, in which

* every foreign key points at the contract's own rows (ids reserved from the tables' own
  sequences, or after the largest id under SQLite's write lock), its home, its owner,
  its clerk and supervisor;
* the case numbers come from the real daily counter (``case_sequence``, the row
  ``services.cases.next_case_number`` advances), a block of them at once; contract
  numbers are made from them as ``create_draft`` makes them;
* what depends on the home or the parties is recomputed with the product's own pure
  functions: the house code (``house_code_for``), the contract's facts and digest (the
  form, made from the template's with this home's owner and this sale's buyer, is
  validated by ``validate_draft`` and stored with ``contract_record.to_json`` and
  ``contract_version_digest``), the house facts (``house_facts_of``); the code hashes
  are keyed HMACs (``core.codes.hash_code``) of fresh random codes with the run's code
  key, bound to the contract's id, party and version 1 exactly as ``sign_codes`` binds
  them; texts (SMS, case summary, the check report) are the template's with the home's
  and the parties' values put in;
* times are the template's, moved to the moment of the load.

Why it is honest. Nothing timed goes through here: the loader replaces the untimed
preparation (the flow costs 70-120 ms of CPU a contract: more than ten minutes for the
issue's 10,000 submissions), and the timed part, 提交, is the product's own
``services.resale.signing.submit_signing``, which finds and checks these rows exactly as
it finds a counter's (draft, version, expiry, qualification, every party's code used for
this version, the case held by the clerk). Guards keep the copies true:

* the loader refuses a home or an owner unlike the template's in anything the checks
  and rules look at (city, use, marks, register version, one sole owner; the owner's
  capacity, documents, blacklist; a buyer already in the register of persons);
* it refuses if the flow wrote to a table it does not copy (a product change it has
  not learned), or a different number of rows than it copies;
* before copying, it rebuilds the template from the template itself and requires the
  rebuild to equal the stored rows, column by column (the code hash aside: its code is
  random), audit rows included;
* ``tests/test_bench_bulk.py`` compares a bulk-made contract's rows with the same
  contract made by the flow on a twin database, column by column except times and
  hashes.

Cost (2026-12-07, the 2-core machine under other work, load 8-30): 10,000 contracts with
their 150,000 audit rows in about 25 s of this process's CPU; 85-95 s of wall time on SQLite
and about 2 minutes on PostgreSQL, where most of the wait is the server chaining the audit
rows (``wq_audit_chain`` moves them one by one). The flow would take 12-20 minutes of CPU.

Run it alone on its database (a bench's or a test's, before the clerks start): it
reads the template's rows as "everything written since it began".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, func, insert, inspect, select, text, update
from sqlmodel import Session, SQLModel

from core import codes, timeutil
from core.audit import canonical_json, mask_snapshot
from core.cases import format_case_number
from core.identity import mask_id, mask_phone
from core.resale import contract_record
from core.resale.contracts import contract_version_digest, validate_draft
from core.resale.policies import profile_by_ref
from core.resale.title_check import house_code_for
from core.roles import Actor
from services import audit, sign_codes
from services.resale.contracts import house_facts_of
from storage.engine import Database
from storage.models import AuditEntry, Home, HomeOwner, Person

if TYPE_CHECKING:  # bench.signing imports this module
    from bench.signing import Sale

#: Contracts copied per transaction.
CHUNK = 1000

#: The tables the flow writes, in an order their foreign keys allow, and whether the
#: loader inserts copies (``home``: the flag ``in_transaction`` is set; ``case_sequence``:
#: a block of numbers is taken; ``audit_entry`` and PostgreSQL's ``audit_pending``: through
#: ``services.audit``).
COPIED = ("case_file", "house_check", "contract", "contract_party", "contract_version", "buyer_qualification",
          "case_event", "case_party", "one_time_code", "sms_message")
TOUCHED = frozenset(COPIED) | {"home", "case_sequence", "audit_entry", "audit_pending"}

#: Integer columns that name a row without a declared foreign key.
_REFERENCES = {("contract", "active_home_id"): "home", ("one_time_code", "subject_id"): "contract"}
#: Integers inside the JSON of a report or an audit row that name a row, by their key.
_JSON_REFERENCES = {"person_id": "person", "house_check_id": "house_check", "code_issued_by": "house_check",
                    "home": "home", "qualification": "buyer_qualification", "sms_message": "sms_message",
                    "messages": "sms_message", "holder_id": "operator", "pending_operator_id": "operator"}
#: The table an audit row's ``object_id`` names, by its ``object_type``.
_OBJECT_TABLES = {"home": "home", "case": "case_file", "contract": "contract", "one_time_code": "one_time_code",
                  "sms_message": "sms_message"}
#: Home facts the house check's rules, the qualification rule and the draft read: a copied
#: contract's home must have the template home's.
_HOME_ALIKE = ("city", "district", "use_class", "use_class_normalised", "design_use", "co_ownership", "valid",
               "mortgaged", "seized", "restricted", "register_version", "check_code")
#: The same for the owner at the window.
_OWNER_ALIKE = ("region", "id_kind", "nationality", "capacity", "blacklisted", "real_name_level")


class BulkRefused(RuntimeError):
    """The loader cannot copy the template faithfully (the reason says what differs)."""


@dataclass(frozen=True)
class Ready:
    """A contract at the step before 提交: what ``submit_signing`` is called with."""

    home_id: int
    id: int
    version: int


@dataclass(frozen=True)
class Job:
    """One contract to prepare: the clerk who signs it, the clerk's supervisor, the sale."""

    clerk: Actor
    supervisor: Actor
    sale: Sale


# ---------------------------------------------------------------- the template


def _tables() -> dict[str, Table]:
    return {name: SQLModel.metadata.tables[name] for name in COPIED}


#: How each column of a copied table is copied: ("id" | "ref" | "value", the table a "ref" names).
_Plan = list[tuple[str, str, str | None]]


def _plans() -> dict[str, _Plan]:
    plans: dict[str, _Plan] = {}
    for name, table in _tables().items():
        plan: _Plan = []
        for column in table.columns:
            target = next((fk.column.table.name for fk in column.foreign_keys), None) \
                or _REFERENCES.get((name, column.name))
            plan.append((column.name, "id" if column.primary_key else "ref" if target else "value", target))
        plans[name] = plan
    return plans


@dataclass
class _Template:
    """Every row the flow wrote for one contract, as stored."""

    job: Job
    rows: dict[str, list[dict[str, Any]]]  # by table, in id order
    audit: list[dict[str, Any]]  # in chain order
    home: Home
    owner: Person
    base: datetime  # when the flow began (its house check)
    plans: dict[str, _Plan] = field(default_factory=_plans)

    def __post_init__(self) -> None:
        self.draft = contract_record.from_json(self.contract["facts"])  # the template's, as stored
        self.form = contract_record.to_form(self.draft)  # the form that validates back to it
        self.audit_json = [(None if e["before"] is None else json.loads(e["before"]),
                            None if e["after"] is None else json.loads(e["after"])) for e in self.audit]

    @property
    def contract(self) -> dict[str, Any]:
        return self.rows["contract"][0]


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}


def _plain(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


def _read_template(db: Database, job: Job, contract_id: int, seq_before: int) -> _Template:
    """The template contract's rows, found through its keys."""
    audit.chain_pending(db.engine)  # PostgreSQL: the flow's last audit rows onto the chain
    t = _tables()
    with db.read() as session:
        contract = _plain(session.execute(select(t["contract"]).where(t["contract"].c.id == contract_id)).one())
        case = _plain(session.execute(select(t["case_file"]).where(t["case_file"].c.id == contract["case_id"])).one())

        def where(table: str, *conditions: Any) -> list[dict[str, Any]]:
            tb = t[table]
            return [_plain(r) for r in session.execute(select(tb).where(*conditions).order_by(tb.c.id))]

        rows = {
            "case_file": [case],
            "house_check": where("house_check", t["house_check"].c.id == contract["house_check_id"]),
            "contract": [contract],
            "contract_party": where("contract_party", t["contract_party"].c.contract_id == contract_id),
            "contract_version": where("contract_version", t["contract_version"].c.contract_id == contract_id),
            "buyer_qualification": where("buyer_qualification",
                                         t["buyer_qualification"].c.contract_id == contract_id),
            "case_event": where("case_event", t["case_event"].c.case_id == case["id"]),
            "case_party": where("case_party", t["case_party"].c.case_id == case["id"]),
            "one_time_code": where("one_time_code", t["one_time_code"].c.subject_type == "contract",
                                   t["one_time_code"].c.subject_id == contract_id),
            "sms_message": where("sms_message", t["sms_message"].c.case_number == case["number"]),
        }
        entries = [_plain(r) for r in session.execute(select(AuditEntry.__table__)
                                                       .where(AuditEntry.seq > seq_before).order_by(AuditEntry.seq))]
        home = session.execute(select(Home).where(Home.id == contract["home_id"])).scalar_one()
        owner = session.get(Person, job.sale.seller_id)
        assert owner is not None
        session.expunge_all()
    return _Template(job, rows, entries, home, owner, rows["house_check"][0]["checked_at"])


def _refuse_unknown_writes(template: _Template, before: dict[str, int], after: dict[str, int]) -> None:
    """The flow must have written only what the loader copies, each row found."""
    changed = {n for n in after if after[n] != before.get(n, 0)}
    if changed - TOUCHED:
        raise BulkRefused(f"the flow now writes {sorted(changed - TOUCHED)}, which the bulk loader does not copy")
    for name in COPIED:
        made = after[name] - before.get(name, 0)
        if made != len(template.rows[name]) or made == 0 and name != "case_party":
            raise BulkRefused(f"the flow made {made} {name} rows; the loader found {len(template.rows[name])}")
    if after["audit_entry"] - before.get("audit_entry", 0) != len(template.audit):
        raise BulkRefused("the flow's audit rows are not all on the chain")
    operators = {template.job.clerk.username, template.job.supervisor.username}
    if {e["operator"] for e in template.audit} - operators:
        raise BulkRefused("audit rows of someone else were appended while the template was made")


# ---------------------------------------------------------------- one copy


@dataclass
class _Target:
    job: Job
    home: Home
    owner: Person
    case_number: str
    ids: dict[str, list[int]]  # the copy's own ids, by table, in the template's order


class _Copy:
    """The template's rows and audit calls rewritten for one target."""

    def __init__(self, template: _Template, target: _Target, shift: timedelta, day: date,
                 keys: tuple[bytes, ...] | None) -> None:
        self.t, self.target, self.shift, self.keys = template, target, shift, keys
        tc, tj, job = template.contract, template.job, target.job
        # ids: template row -> the copy's row, by table
        self.ids: dict[str, dict[int, int]] = {
            name: dict(zip((r["id"] for r in template.rows[name]), target.ids[name], strict=True))
            for name in COPIED}
        self.ids["home"] = {template.home.id: target.home.id}  # type: ignore[dict-item]
        self.ids["person"] = {template.owner.id: target.owner.id}  # type: ignore[dict-item]
        self.ids["operator"] = {tj.clerk.operator_id: job.clerk.operator_id,  # type: ignore[dict-item]
                                tj.supervisor.operator_id: job.supervisor.operator_id}
        self.ids["organisation"] = {}
        self.ids["developer"] = {}
        contract_id = self.ids["contract"][tc["id"]]
        # what the template's draft says, for this home, owner and buyer: validated by the product's rule
        profile = profile_by_ref(tc["profile_ref"])
        self.house_code = house_code_for(profile, target.home.unit_number or "", day)
        form = template.form
        seller = replace(form.sellers[0], name=target.owner.name, region=target.owner.region,
                         id_kind=target.owner.id_kind, id_number=target.owner.id_number,
                         phone=target.owner.phone or "", nationality=target.owner.nationality)
        draft = validate_draft(replace(form, house_id=self.house_code, sellers=(seller,), buyers=(job.sale.buyer,)),
                               today=day)
        self.facts = contract_record.to_json(draft)
        self.digest = contract_version_digest(draft)
        self.house_facts = json.dumps(house_facts_of(target.home), ensure_ascii=False, sort_keys=True)
        self.contract_number = f"{profile.letter}HT{target.case_number[1:]}"
        old = template.draft
        new_buyer, old_buyer = draft.buyers[0], old.buyers[0]
        pairs = [
            (template.home.certificate_number, target.home.certificate_number),
            (template.home.unit_number, target.home.unit_number),
            (template.home.location, target.home.location),
            (tc["house_code"], self.house_code),
            (template.rows["case_file"][0]["number"], target.case_number),
            (tc["number"], self.contract_number), (mask_id(tc["number"]), mask_id(self.contract_number)),
            (tc["digest"], self.digest),
            (f"contract:{tc['id']}", f"contract:{contract_id}"),
            (tj.clerk.name, job.clerk.name), (tj.supervisor.name, job.supervisor.name),
        ]
        for was, now in ((old.sellers[0], draft.sellers[0]), (old_buyer, new_buyer)):
            pairs += [(was.name, now.name), (was.id_number, now.id_number),
                      (mask_id(was.id_number), mask_id(now.id_number)),
                      (was.phone, now.phone), (mask_phone(was.phone), mask_phone(now.phone))]
        self.strings: dict[str, Any] = {}
        for was, now in pairs:
            if self.strings.setdefault(was, now) != now:
                raise BulkRefused(f"the template's value {was!r} stands for two things")
        for code in template.rows["one_time_code"]:  # the code's expiry, as its audit row says it
            self.strings[str(code["expires_at"])] = code["expires_at"] + shift
        #: long values replaced inside free text (SMS, the case summary)
        self.inside = [(template.home.location, target.home.location), (tc["number"], self.contract_number)]

    # ---- values

    def _text(self, value: str) -> str:
        if value in self.strings:
            return self.strings[value]
        for was, now in self.inside:
            value = value.replace(was, now)
        return value

    def _json(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self._json(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._json(v, key) for v in value]
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int) and key in _JSON_REFERENCES:
            return self.ids[_JSON_REFERENCES[key]][value]
        if isinstance(value, str):
            return self.strings.get(value, value)
        return value

    # ---- rows

    def row(self, name: str, old: dict[str, Any]) -> dict[str, Any]:
        """The copy of one template row: its own id, its keys mapped, times moved, texts put in."""
        new: dict[str, Any] = {}
        for column, how, target in self.t.plans[name]:
            value = old[column]
            if how == "id":
                value = self.ids[name][value]
            elif how == "ref":
                value = None if value is None else self.ids[target][value]  # type: ignore[index]
            elif isinstance(value, datetime):
                value = value + self.shift
            elif isinstance(value, str):
                value = self._text(value)
            new[column] = value
        if name in ("contract", "contract_version"):
            new.update(facts=self.facts, digest=self.digest)
        if name == "contract":
            new.update(house_facts=self.house_facts, house_code=self.house_code, number=self.contract_number)
        elif name == "case_file":
            new["number"] = self.target.case_number
        elif name == "house_check":
            report = json.loads(old["report"])
            if canonical_json(report) != old["report"]:
                raise BulkRefused("the house check report is not stored as canonical JSON any more")
            new.update(house_code=self.house_code, report=canonical_json(self._json(report)))
        elif name == "one_time_code" and self.keys is not None:
            binding = sign_codes._binding(new["purpose"], new["subject_type"], new["subject_id"], new["party_key"],
                                          new["subject_version"])
            new["code_hash"] = codes.hash_code(self.keys[0], codes.new_code(), binding)
        return new

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        return {name: [self.row(name, r) for r in self.t.rows[name]] for name in COPIED}

    def audit_calls(self, sms_lengths: dict[int, int]) -> list[tuple[Actor, dict[str, Any]]]:
        """The template's audit rows as ``audit.append`` arguments for this copy (``sms_lengths``:
        the length of each of the copy's messages, by id)."""
        actors = {self.t.job.clerk.username: self.target.job.clerk,
                  self.t.job.supervisor.username: self.target.job.supervisor}
        calls = []
        for e, (before, after) in zip(self.t.audit, self.t.audit_json, strict=True):
            object_id = e["object_id"]
            if object_id is not None:
                object_id = str(self.ids[_OBJECT_TABLES[e["object_type"]]][int(object_id)])
            after = self._json(after)
            if e["action"] == "sms_queued":
                after["length"] = sms_lengths[int(object_id)]  # type: ignore[index,arg-type]
            calls.append((actors[e["operator"]], {
                "action": e["action"], "object_type": e["object_type"], "object_id": object_id,
                "case_number": None if e["case_number"] is None else self._text(e["case_number"]),
                "before": self._json(before), "after": after}))
        return calls


# ---------------------------------------------------------------- guards


def _refuse_unlike(template: _Template, homes: dict[int, Home], owners: dict[int, Person],
                   owned: dict[int, list[int | None]], registered_buyers: set[str], jobs: Sequence[Job]) -> None:
    """Refuse a job whose home, owner or buyer the template's rows would not describe truly."""
    for job in jobs:
        home, owner = homes.get(job.sale.home_id), owners.get(job.sale.seller_id)
        if home is None or owner is None:
            raise BulkRefused(f"home {job.sale.home_id} or its owner {job.sale.seller_id} is not in the database")
        for name in _HOME_ALIKE:
            if getattr(home, name) != getattr(template.home, name):
                raise BulkRefused(f"home {home.id} differs from the template's home in {name}")
        for name in _OWNER_ALIKE:
            if getattr(owner, name) != getattr(template.owner, name):
                raise BulkRefused(f"the owner of home {home.id} differs from the template's in {name}")
        if owned.get(home.id) != [owner.id]:
            raise BulkRefused(f"home {home.id} must have exactly one owner, its seller")
        if home.in_transaction:
            raise BulkRefused(f"home {home.id} is already in a transaction")
        if not home.unit_number:
            raise BulkRefused(f"home {home.id} has no 不动产单元号")
        if job.sale.buyer.id_number in registered_buyers:
            raise BulkRefused("a buyer is in the register of persons (the flow would link the party)")
        if job.sale.buyer.kind != "person" or job.sale.seller_phone != owner.phone:
            raise BulkRefused("every sale must be a registered owner's, to a buyer who is a person")


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "code_hash"}


def _check_rebuild(template: _Template, day: date) -> None:
    """The template rebuilt from itself must be the template, column by column."""
    tj = template.job
    target = _Target(tj, template.home, template.owner, template.rows["case_file"][0]["number"],
                     {n: [r["id"] for r in template.rows[n]] for n in COPIED})
    copy = _Copy(template, target, timedelta(0), day, None)
    rows = copy.rows()
    for name in COPIED:
        for built, stored in zip(rows[name], template.rows[name], strict=True):
            if _comparable(built) != _comparable(stored):
                diff = sorted(k for k in stored if built.get(k) != stored[k])
                raise BulkRefused(f"the loader does not rebuild the flow's {name} row (columns {diff})")
    lengths = {r["id"]: len(r["text"]) for r in rows["sms_message"]}
    for (actor, call), stored in zip(copy.audit_calls(lengths), template.audit, strict=True):
        built = (actor.username, call["action"], call["object_type"], call["object_id"], call["case_number"],
                 canonical_json(mask_snapshot(call["before"])), canonical_json(mask_snapshot(call["after"])))
        if built != tuple(stored[k] for k in ("operator", "action", "object_type", "object_id", "case_number",
                                              "before", "after")):
            raise BulkRefused(f"the loader does not rebuild the flow's audit row {stored['action']}")


# ---------------------------------------------------------------- reserving ids and numbers


def _reserve_ids(session: Session, table: str, count: int) -> list[int]:
    """``count`` fresh ids of ``table``: from its own sequence (PostgreSQL), or after its
    largest (SQLite, whose write transaction holds the database)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return list(session.execute(text(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                                          "FROM generate_series(1, :n)"), {"n": count}).scalars())
    top = session.execute(text(f'SELECT coalesce(max(id), 0) FROM "{table}"')).scalar_one()
    return list(range(top + 1, top + 1 + count))


def _reserve_case_numbers(session: Session, letter: str, day: date, count: int) -> list[str]:
    """``count`` case numbers of ``day`` from the hall's daily counter, taken at once: the
    row ``services.cases.next_case_number`` advances one at a time, advanced by ``count``."""
    last = session.execute(text(
        "INSERT INTO case_sequence (day, last) VALUES (:day, :n) "
        "ON CONFLICT (day) DO UPDATE SET last = case_sequence.last + :n RETURNING last"),
        {"day": day, "n": count}).scalar_one()
    return [format_case_number(letter, day, n) for n in range(last - count + 1, last + 1)]


# ---------------------------------------------------------------- the loader


def _chunks(items: Sequence[Job], size: int) -> Iterator[Sequence[Job]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def prepare(db: Database, jobs: Sequence[Job], *, flow: Callable[[Database, Actor, Actor, Sale], Any],
            progress: Callable[[int, int], None] | None = None) -> list[Ready]:
    """Bring every job's contract to the step before 提交 (module docstring): the first through
    ``flow`` (``bench.signing.ready_to_submit``), the others as copies of it. Returns them in
    the order of ``jobs``. Refuses (``BulkRefused``) rather than copy unfaithfully."""
    if not jobs:
        return []
    audit.chain_pending(db.engine)
    with db.read() as session:
        seq_before = session.execute(select(func.coalesce(func.max(AuditEntry.seq), 0))).scalar_one()
    before = _counts(db)
    first = jobs[0]
    view = flow(db, first.clerk, first.supervisor, first.sale)
    template = _read_template(db, first, view.id, seq_before)
    _refuse_unknown_writes(template, before, _counts(db))
    day = timeutil.local_today(template.base)
    _check_rebuild(template, day)
    ready = [Ready(first.sale.home_id, view.id, view.version)]
    keys = sign_codes.code_keys_of(db)
    letter = template.rows["case_file"][0]["number"][0]
    tables = _tables()
    done = 1
    for chunk in _chunks(jobs[1:], CHUNK):
        with db.write() as session:
            now = db.now()
            if timeutil.local_today(now) != day:
                raise BulkRefused("the day changed since the template was made: run the load again")
            home_ids = [j.sale.home_id for j in chunk]
            homes = {h.id: h for h in session.execute(select(Home).where(Home.id.in_(home_ids))).scalars()}
            owners = {p.id: p for p in session.execute(
                select(Person).where(Person.id.in_([j.sale.seller_id for j in chunk]))).scalars()}
            owned: dict[int, list[int | None]] = {}
            for home_id, person_id in session.execute(select(HomeOwner.home_id, HomeOwner.person_id)
                                                      .where(HomeOwner.home_id.in_(home_ids))):
                owned.setdefault(home_id, []).append(person_id)
            registered = set(session.execute(select(Person.id_number).where(
                Person.id_number.in_([j.sale.buyer.id_number for j in chunk]))).scalars())
            _refuse_unlike(template, homes, owners, owned, registered, chunk)
            numbers = _reserve_case_numbers(session, letter, day, len(chunk))
            reserved = {n: iter(_reserve_ids(session, n, len(template.rows[n]) * len(chunk))) for n in COPIED}
            shift = now - template.base
            copies, rows = [], {n: [] for n in COPIED}  # type: ignore[var-annotated]
            for job, number in zip(chunk, numbers, strict=True):
                ids = {n: [next(reserved[n]) for _ in template.rows[n]] for n in COPIED}
                copy = _Copy(template, _Target(job, homes[job.sale.home_id], owners[job.sale.seller_id], number, ids),
                             shift, day, keys)
                for name, made in copy.rows().items():
                    rows[name] += made
                copies.append(copy)
            for name in COPIED:
                if rows[name]:
                    session.execute(insert(tables[name]), rows[name])
            home_table = Home.__table__  # type: ignore[attr-defined]
            session.execute(update(home_table).where(home_table.c.id == bindparam("home"))
                            .values(in_transaction=True).execution_options(synchronize_session=False),
                            [{"home": h} for h in home_ids])
            lengths = {r["id"]: len(r["text"]) for r in rows["sms_message"]}
            for copy in copies:
                for actor, call in copy.audit_calls(lengths):
                    audit.append(session, actor, call.pop("action"), **call)
            session.flush()
            contract_ids = {r["home_id"]: (r["id"], r["version"]) for r in rows["contract"]}
        ready += [Ready(j.sale.home_id, *contract_ids[j.sale.home_id]) for j in chunk]
        done += len(chunk)
        if progress is not None:
            progress(done, len(jobs))
    analyze(db)
    return ready


def analyze(db: Database) -> None:
    """Fresh statistics after a bulk load (ENGINEERING.md: a plan must not guess on an
    empty-looking table)."""
    with db.engine.connect() as conn:
        if db.is_sqlite:
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


__all__ = ["CHUNK", "BulkRefused", "Job", "Ready", "analyze", "prepare"]
