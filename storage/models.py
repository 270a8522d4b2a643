"""The tables. The schema itself comes only from the Alembic migrations.

One home is one row with one status: resale, presale and allocation all check
and lock the same row.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.engine import hold_rows
from storage.types import ScaledDecimal, UTCDateTime, code_string


def _utc(**kw) -> object:  # a UTC timestamp column
    return Field(sa_type=UTCDateTime, **kw)


class Operator(SQLModel, table=True):
    __tablename__ = "operator"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=40)
    role: str = Field(max_length=16)
    window: str | None = Field(default=None, max_length=16)
    password_hash: str = Field(max_length=200)
    active: bool = True
    failed_logins: int = 0
    locked: bool = False
    created_at: datetime = _utc()
    last_login_at: datetime | None = _utc(default=None, nullable=True)
    # A development enterprise's staff (core.roles.DEVELOPER_ROLES): their enterprise, and their
    # admission to the network (core.roles.Admission; None for the hall's own staff).
    developer_id: int | None = Field(default=None, foreign_key="developer.id", index=True)
    admission: str | None = Field(default=None, max_length=12)
    # A supervising bank's reviewer (core.roles.BANK_ROLES): the bank they work for; a provident-fund
    # centre's reviewer (core.roles.CENTRE_ROLES): the centre.
    bank_name: str | None = Field(default=None, max_length=60)


class AuditEntry(SQLModel, table=True):
    """One row of the hash-chained audit log. ``seq`` is dense: 1, 2, 3 …"""

    __tablename__ = "audit_entry"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = _utc()
    operator: str = Field(max_length=60)
    action: str = Field(max_length=60)
    object_type: str | None = Field(default=None, max_length=40)
    object_id: str | None = Field(default=None, max_length=60)
    case_number: str | None = Field(default=None, max_length=20, index=True)
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)
    prev_hash: str = Field(max_length=64, unique=True)  # a fork would repeat one
    hash: str = Field(max_length=64)


class AuditPending(SQLModel, table=True):
    """PostgreSQL: audit rows committed with their use case, waiting to join the chain.

    ``services.audit`` moves them onto ``audit_entry`` right after the commit, in
    one server-side call (``wq_audit_chain``); a row stays here only if its process
    died in between, until the next call by any terminal. SQLite never uses it.
    ``middle`` is ``AuditRecord.chain_middle()``: what the server hashes.
    """

    __tablename__ = "audit_pending"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc()
    operator: str = Field(max_length=60)
    action: str = Field(max_length=60)
    object_type: str | None = Field(default=None, max_length=40)
    object_id: str | None = Field(default=None, max_length=60)
    case_number: str | None = Field(default=None, max_length=20)
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)
    middle: str = Field(sa_type=Text)


class Person(SQLModel, table=True):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("id_kind", "id_number", name="uq_person_identity"),
        Index("ix_person_id_number", "id_number"),
        Index("ix_person_name", "name", "id"),
        Index("ix_person_phone", "phone"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=code_string(80))
    id_kind: str = Field(max_length=24)
    id_number: str = Field(sa_type=code_string(24))
    region: str = Field(max_length=12)  # mainland / hong_kong / macao / taiwan / foreign
    nationality: str = Field(default="CHN", max_length=3)
    birth_date: date | None = None
    sex: str | None = Field(default=None, max_length=2)
    phone: str | None = Field(default=None, sa_type=code_string(11))
    address: str | None = Field(default=None, max_length=200)
    capacity: str = Field(default="full", max_length=12)  # full / limited / none
    real_name_level: int = 4
    blacklisted: bool = False
    blacklist_reason: str | None = Field(default=None, max_length=200)


class PersonDocument(SQLModel, table=True):
    """A further identity document of a person (e.g. a HK resident's residence permit)."""

    __tablename__ = "person_document"
    __table_args__ = (UniqueConstraint("id_kind", "id_number", name="uq_person_document"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    id_kind: str = Field(max_length=24)
    id_number: str = Field(sa_type=code_string(24), index=True)
    valid_to: date | None = None


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    __table_args__ = (Index("ix_organisation_name", "name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=code_string(120))
    credit_code: str = Field(sa_type=code_string(18), unique=True)
    legal_rep_name: str = Field(max_length=80)
    phone: str | None = Field(default=None, max_length=11)
    address: str | None = Field(default=None, max_length=200)
    blacklisted: bool = False


class OrgAgent(SQLModel, table=True):
    """An organisation's authorised agent (经办人) within a period."""

    __tablename__ = "org_agent"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    valid_from: date
    valid_to: date
    scope: str = Field(default="存量房买卖", max_length=80)
    unbound_at: datetime | None = _utc(default=None, nullable=True)  # 法人解绑经办人 (seed 001 §1.4)


class OwnerProxy(SQLModel, table=True):
    """An owner's notarised proxy (委托代理人) with its notarial certificate."""

    __tablename__ = "owner_proxy"

    id: int | None = Field(default=None, primary_key=True)
    principal_id: int = Field(foreign_key="person.id", index=True)
    proxy_id: int = Field(foreign_key="person.id", index=True)
    notarial_certificate: str = Field(max_length=60)
    valid_from: date
    valid_to: date
    scope: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})


class IdentityChange(SQLModel, table=True):
    """A person's identity changed (身份变更, seed 001 §5.2.2.2): the document the register
    held before, the one it holds now, and the material proving it. The old number still
    names the person."""

    __tablename__ = "identity_change"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    old_kind: str = Field(max_length=24)
    old_number: str = Field(sa_type=code_string(24), index=True)
    old_name: str = Field(max_length=80)
    new_kind: str = Field(max_length=24)
    new_number: str = Field(sa_type=code_string(24))
    new_name: str = Field(max_length=80)
    proof: str = Field(max_length=200)
    recorded_at: datetime = _utc()
    operator_id: int | None = Field(default=None, foreign_key="operator.id")


class Home(SQLModel, table=True):
    """A titled home in the register. Several rows may share one certificate."""

    __tablename__ = "home"
    __table_args__ = (Index("ix_home_certificate", "certificate_number"),)

    id: int | None = Field(default=None, primary_key=True)
    city: str = Field(max_length=16)  # shenzhen / zhongshan / wuhan
    district: str = Field(max_length=20)
    certificate_number: str = Field(max_length=60)
    check_code: str | None = Field(default=None, max_length=12)
    unit_number: str = Field(max_length=40, unique=True)  # 不动产单元号
    location: str = Field(max_length=200)  # 坐落
    building: str = Field(max_length=40)
    floor: int
    room: str = Field(max_length=16)
    floor_area: Decimal = Field(sa_column=Column(ScaledDecimal(2), nullable=False))
    inner_area: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))
    land_area: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))
    structure: str = Field(default="钢筋混凝土", max_length=20)
    total_floors: int
    design_use: str = Field(max_length=20)  # 住宅 / 商业 / 办公 …
    use_class: str = Field(max_length=20)  # residential / commercial / office
    use_class_normalised: bool = True
    completion_year: int | None = None
    co_ownership: str = Field(default="sole", max_length=8)  # sole / joint / shares
    valid: bool = True
    mortgaged: bool = False
    seized: bool = False
    restricted: bool = False
    in_transaction: bool = False
    # Counts the register's changes of the home's facts and marks (房屋登记簿); a house check
    # records the count it saw, and one made before a change no longer describes the home.
    register_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class HomeMark(SQLModel, table=True):
    """A mark the title registry put on a home (抵押 / 查封 / 限制 / 无效) with its reason,
    and when it was lifted. The home's flag is the one status every check reads; this row
    says why. At most one open mark of a kind per home."""

    __tablename__ = "home_mark"
    __table_args__ = (
        Index("uq_home_mark_open", "home_id", "kind", unique=True,
              sqlite_where=text("cleared_at IS NULL"), postgresql_where=text("cleared_at IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    home_id: int = Field(foreign_key="home.id", index=True)
    kind: str = Field(max_length=12)  # core.resale.home_register.Mark
    reason: str | None = Field(default=None, max_length=200)  # None: set before the register kept reasons
    set_at: datetime | None = _utc(default=None, nullable=True)
    set_by: int | None = Field(default=None, foreign_key="operator.id")
    cleared_at: datetime | None = _utc(default=None, nullable=True)
    cleared_by: int | None = Field(default=None, foreign_key="operator.id")
    clear_reason: str | None = Field(default=None, max_length=200)


class HomeOwner(SQLModel, table=True):
    __tablename__ = "home_owner"

    id: int | None = Field(default=None, primary_key=True)
    home_id: int = Field(foreign_key="home.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    share: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # percent


class Family(SQLModel, table=True):
    """A public-housing applicant family (its allocation model grows with the rounds)."""

    __tablename__ = "family"

    id: int | None = Field(default=None, primary_key=True)
    main_applicant_id: int = Field(foreign_key="person.id", index=True)
    rank: int = Field(unique=True)  # 轮候排位
    size: int
    status: str = Field(default="waiting", max_length=16)  # waiting / allocated / gave_up / not_allocated
    eligible_layouts: str = Field(default="1b", max_length=40)  # comma-separated layouts by family size


class FamilyMember(SQLModel, table=True):
    __tablename__ = "family_member"

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    relation: str = Field(max_length=12)  # 本人 / 配偶 / 子女 …


class Case(SQLModel, table=True):
    __tablename__ = "case_file"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    type_code: str = Field(max_length=32)
    stage: str = Field(max_length=32)
    status: str = Field(max_length=12, index=True)
    holder_id: int | None = Field(default=None, foreign_key="operator.id", index=True)
    pending_role: str | None = Field(default=None, max_length=16)
    pending_operator_id: int | None = Field(default=None, foreign_key="operator.id")
    summary: str = Field(default="", max_length=200)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()
    developer_id: int | None = Field(default=None, foreign_key="developer.id", index=True)  # whose staff see it
    bank_name: str | None = Field(default=None, max_length=60, index=True)  # which bank's reviewers see it


class CaseParty(SQLModel, table=True):
    """Who a case concerns (so a person's lookup shows their cases)."""

    __tablename__ = "case_party"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    role: str = Field(max_length=16)  # 买受人 / 出卖人 / 承租人 …


class CaseEvent(SQLModel, table=True):
    """The history of a case: who did what, when (业务进度)."""

    __tablename__ = "case_event"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    at: datetime = _utc()
    operator_id: int | None = Field(default=None, foreign_key="operator.id", index=True)
    operator_name: str = Field(max_length=60)
    action: str = Field(max_length=16)
    from_stage: str | None = Field(default=None, max_length=32)
    to_stage: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=400)


class CaseSequence(SQLModel, table=True):
    """The last case number handed out on a day (shared by every case type)."""

    __tablename__ = "case_sequence"

    day: date = Field(primary_key=True)
    last: int = 0


# ---------------------------------------------------------------- public housing allocation


class PublicHouse(SQLModel, table=True):
    """A house of the public-rental pool. Its ``state`` is the one status every
    allocation flow checks and locks: free, taken (by a round's pick), reserved."""

    __tablename__ = "public_house"
    __table_args__ = (Index("ix_public_house_place", "building", "floor", "room"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=code_string(24), unique=True)  # e.g. "LY-3-1203"
    project: str = Field(max_length=60)
    building: str = Field(max_length=20)
    unit: str = Field(default="1", max_length=8)
    floor: int
    room: str = Field(max_length=12)
    layout: str = Field(max_length=8)  # studio / 1b / 2b / 3b
    orientation: str = Field(max_length=8)  # 南 / 北 / 东南 …
    area: Decimal = Field(sa_column=Column(ScaledDecimal(2), nullable=False))
    monthly_rent: Decimal = Field(sa_column=Column(ScaledDecimal(2), nullable=False))
    state: str = Field(default="free", max_length=10, index=True)  # free / taken / reserved
    taken_round_id: int | None = Field(default=None, foreign_key="allocation_round.id")
    taken_family_id: int | None = Field(default=None, foreign_key="family.id")
    taken_rank: int | None = None


class AllocationRound(SQLModel, table=True):
    """A selection round (场次) with its windows; supplementary rounds (补选) too."""

    __tablename__ = "allocation_round"

    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True)  # 第 N 场
    name: str = Field(max_length=60)
    kind: str = Field(default="regular", max_length=14)  # regular / supplementary
    case_number: str | None = Field(default=None, max_length=20)
    pre_open: datetime = _utc()
    pre_close: datetime = _utc()
    formal_open: datetime = _utc()
    formal_close: datetime = _utc()
    status: str = Field(default="open", max_length=12)  # draft / open / published / reopened
    run_count: int = 0
    published_at: datetime | None = _utc(default=None, nullable=True)
    journal_head: str | None = Field(default=None, max_length=64)


class RoundFamily(SQLModel, table=True):
    """A family assigned to a round, with what it did and what it got."""

    __tablename__ = "round_family"
    __table_args__ = (
        UniqueConstraint("round_id", "family_id", name="uq_round_family"),
        UniqueConstraint("round_id", "rank", name="uq_round_rank"),
        # The last line of defence against one house allocated twice in a round.
        UniqueConstraint("round_id", "result_house_id", name="uq_round_result_house"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="allocation_round.id", index=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    rank: int  # the family's rank (排位) — rounds serve in this order
    confirm_house_id: int | None = Field(default=None, foreign_key="public_house.id")
    confirmed_at: datetime | None = _utc(default=None, nullable=True)
    # The family's first act of formal selection (同步, 意向, 确认正选): its time limit runs from here.
    formal_started_at: datetime | None = _utc(default=None, nullable=True)
    gave_up: bool = False
    gave_up_at: datetime | None = _utc(default=None, nullable=True)
    result_house_id: int | None = Field(default=None, foreign_key="public_house.id")
    result_status: str | None = Field(default=None, max_length=14)  # confirmed / allocated / not_allocated / gave_up


class Wish(SQLModel, table=True):
    """One line of a family's wish list (购物车): pre-selection or formal."""

    __tablename__ = "wish"
    __table_args__ = (
        UniqueConstraint("round_id", "family_id", "list_kind", "position", name="uq_wish_position"),
        Index("ix_wish_round_family", "round_id", "family_id", "list_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="allocation_round.id")
    family_id: int = Field(foreign_key="family.id")
    list_kind: str = Field(max_length=8)  # pre / formal
    position: int
    house_id: int = Field(foreign_key="public_house.id")


class RoundJournal(SQLModel, table=True):
    """A round run's journal: inputs and each pick, hash-chained for replay."""

    __tablename__ = "round_journal"
    __table_args__ = (UniqueConstraint("round_id", "run", "seq", name="uq_round_journal"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="allocation_round.id", index=True)
    run: int  # 1 for the first run, +1 for each re-run after a reopen
    seq: int
    kind: str = Field(max_length=10)  # inputs / pick / summary
    payload: str = Field(sa_type=Text)  # canonical JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class SupplementaryApplication(SQLModel, table=True):
    """A family's application for a supplementary round (补选申请)."""

    __tablename__ = "supplementary_application"
    __table_args__ = (UniqueConstraint("family_id", "from_round_id", name="uq_supplementary_once"),)

    id: int | None = Field(default=None, primary_key=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    from_round_id: int = Field(foreign_key="allocation_round.id")
    applied_at: datetime = _utc()
    status: str = Field(default="applied", max_length=12)  # applied / assigned
    assigned_round_id: int | None = Field(default=None, foreign_key="allocation_round.id")


class Lease(SQLModel, table=True):
    """Lease signing after allocation (seed 000 §三); worked through its case."""

    __tablename__ = "lease"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    family_id: int = Field(foreign_key="family.id", index=True)
    house_id: int = Field(foreign_key="public_house.id", unique=True)
    round_id: int = Field(foreign_key="allocation_round.id")
    tenant_phone: str | None = Field(default=None, max_length=11)
    employer: str | None = Field(default=None, max_length=100)
    bank_name: str | None = Field(default=None, max_length=60)
    bank_account: str | None = Field(default=None, sa_type=code_string(32))
    identity_checked_by: int | None = Field(default=None, foreign_key="operator.id")
    identity_checked_person: str | None = Field(default=None, max_length=20)  # main applicant / proxy
    identity_proxy_name: str | None = Field(default=None, max_length=40)  # the proxy seen; None for the applicant
    identity_document: str | None = Field(default=None, max_length=60)  # e.g. 居民身份证原件
    identity_checked_at: datetime | None = _utc(default=None, nullable=True)
    contract_number: str | None = Field(default=None, max_length=30)
    signed_on: date | None = None  # local day the contract was signed
    term_start: date | None = None
    term_end: date | None = None
    deposit: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))
    deposit_receipt: str | None = Field(default=None, max_length=30)
    deposit_method: str | None = Field(default=None, max_length=20)  # 缴款方式
    deposit_paid_at: datetime | None = _utc(default=None, nullable=True)
    review_status: str = Field(default="pending", max_length=12)  # pending / approved / rejected
    review_note: str | None = Field(default=None, max_length=200)
    reviewed_by: int | None = Field(default=None, foreign_key="operator.id")
    reviewed_at: datetime | None = _utc(default=None, nullable=True)


# ---------------------------------------------------------------- SMS


class SmsMessage(SQLModel, table=True):
    """Every SMS the hall sends; the outbox for halls without a gateway."""

    __tablename__ = "sms_message"
    __table_args__ = (Index("ix_sms_phone_created", "phone", "created_at"),
                      Index("ix_sms_status_backend", "status", "backend", "created_at"))

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(sa_type=code_string(11))
    text: str = Field(max_length=500)
    purpose: str = Field(max_length=30)  # e.g. supplementary_round / lease_approved / sign_code
    case_number: str | None = Field(default=None, max_length=20)
    backend: str = Field(max_length=10)  # outbox / http
    status: str = Field(default="queued", max_length=10)  # queued / sending / sent / failed
    error: str | None = Field(default=None, max_length=300)
    created_at: datetime = _utc()
    sent_at: datetime | None = _utc(default=None, nullable=True)
    claimed_at: datetime | None = _utc(default=None, nullable=True)  # when a delivery took it (status sending)


# ---------------------------------------------------------------- resale net-signing


class OneTimeCode(SQLModel, table=True):
    """An SMS confirmation code, stored hashed, bound to the exact version of what it confirms."""

    __tablename__ = "one_time_code"
    __table_args__ = (
        Index("ix_otc_subject", "subject_type", "subject_id", "party_key"),
        Index("ix_otc_phone_created", "phone", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=30)  # sign_confirm / cancel_confirm / revocation …
    subject_type: str = Field(max_length=20)  # e.g. contract
    subject_id: int
    subject_version: int
    party_key: str = Field(max_length=40)  # which party confirms, e.g. "buyer:12"
    phone: str = Field(sa_type=code_string(11))
    code_hash: str = Field(max_length=200)
    created_at: datetime = _utc()
    expires_at: datetime = _utc()
    attempts: int = 0
    used_at: datetime | None = _utc(default=None, nullable=True)
    voided_at: datetime | None = _utc(default=None, nullable=True)


class HouseCheck(SQLModel, table=True):
    """One title + house check (产权校验/房源核验) as it ran: verdict, rules, house code."""

    __tablename__ = "house_check"

    id: int | None = Field(default=None, primary_key=True)
    home_id: int = Field(foreign_key="home.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="case_file.id", index=True)
    profile_ref: str = Field(max_length=30)  # e.g. shenzhen/1
    verdict: str = Field(max_length=10)  # passed / review / refused
    house_code: str | None = Field(default=None, max_length=30, unique=True)
    report: str = Field(sa_type=Text)  # canonical JSON of the CheckReport
    checked_at: datetime = _utc()
    operator_id: int | None = Field(default=None, foreign_key="operator.id")


class UseClassReview(SQLModel, table=True):
    """限购/限售核定 of a house check that ended in 待核定 (one decision per check)."""

    __tablename__ = "use_class_review"

    id: int | None = Field(default=None, primary_key=True)
    house_check_id: int = Field(foreign_key="house_check.id", unique=True)
    home_id: int = Field(foreign_key="home.id", index=True)
    decision: str = Field(max_length=20)  # core.resale.use_class_review.UseClassDecision
    reason: str | None = Field(default=None, max_length=200)
    decided_at: datetime = _utc()
    decided_by: int | None = Field(default=None, foreign_key="operator.id")


# --------------------------------------------------------------------------
# Resale contracts (存量房买卖合同网签备案)
# --------------------------------------------------------------------------


class Contract(SQLModel, table=True):
    """One resale purchase contract: its current version and where it stands.

    ``facts`` is the canonical JSON of the current ``core.resale.contracts.ValidDraft``
    (every version is also kept in ``contract_version``); ``house_facts`` the
    house as the register described it when the contract was made (seed 003
    article 1; the house is a key item and never changes afterwards).
    ``price`` and ``digest`` repeat two facts of ``facts`` on purpose: lists sort
    and show the price without parsing JSON, and codes are bound to the digest.

    ``active_home_id`` equals ``home_id`` while the contract is live (draft,
    signed, filed) and is NULL once it is cancelled or revoked; it is UNIQUE,
    so the database itself refuses a second live contract for one home.
    """

    __tablename__ = "contract"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(sa_type=code_string(24), unique=True)  # 合同编号
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    home_id: int = Field(foreign_key="home.id", index=True)
    active_home_id: int | None = Field(default=None, unique=True)
    house_check_id: int = Field(foreign_key="house_check.id")
    house_code: str = Field(max_length=30)
    profile_ref: str = Field(max_length=30)
    status: str = Field(max_length=12, index=True)  # draft / signed / filed / cancelled / revoked
    version: int = 1
    digest: str = Field(max_length=64)
    facts: str = Field(sa_type=Text)
    house_facts: str = Field(sa_type=Text)
    price: Decimal = Field(sa_column=Column(ScaledDecimal(2), nullable=False))
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    updated_at: datetime = _utc()
    signed_at: datetime | None = _utc(default=None, nullable=True)
    filing_number: str | None = Field(default=None, sa_type=code_string(20), unique=True)
    filed_at: datetime | None = _utc(default=None, nullable=True)
    printed_at: datetime | None = _utc(default=None, nullable=True)  # first print (下载合同)
    closed_at: datetime | None = _utc(default=None, nullable=True)
    close_reason: str | None = Field(default=None, max_length=200)


class ContractParty(SQLModel, table=True):
    """A seller or buyer of a contract's current version (for look-ups and codes)."""

    __tablename__ = "contract_party"
    __table_args__ = (UniqueConstraint("contract_id", "party_key"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    party_key: str = Field(max_length=20)  # seller:0, buyer:1 (side and position)
    side: str = Field(max_length=8)  # seller / buyer
    position: int
    kind: str = Field(max_length=12)  # person / organisation
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    name: str = Field(sa_type=code_string(100))
    id_kind: str | None = Field(default=None, max_length=24)
    id_number: str = Field(sa_type=code_string(40), index=True)
    phone: str = Field(sa_type=code_string(11))


class ContractVersion(SQLModel, table=True):
    """Every saved version of a contract, as it was."""

    __tablename__ = "contract_version"
    __table_args__ = (UniqueConstraint("contract_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id")
    version: int
    digest: str = Field(max_length=64)
    facts: str = Field(sa_type=Text)
    saved_at: datetime = _utc()
    operator_id: int | None = Field(default=None, foreign_key="operator.id")


class ContractChange(SQLModel, table=True):
    """One item changed after signing (变更合同, seed 002): before and after."""

    __tablename__ = "contract_change"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    from_version: int
    to_version: int
    item: str = Field(max_length=80)  # field path, e.g. price
    item_label: str = Field(max_length=80)  # 成交价格
    before: str = Field(sa_type=Text)
    after: str = Field(sa_type=Text)
    reason: str = Field(default="", max_length=200)
    changed_at: datetime = _utc()
    operator_id: int | None = Field(default=None, foreign_key="operator.id")


class ContractFiling(SQLModel, table=True):
    """A filing (备案) of a contract; a revoked filing stays as history."""

    __tablename__ = "contract_filing"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    number: str = Field(sa_type=code_string(20), unique=True)
    version: int
    filed_at: datetime = _utc()
    filed_by: int | None = Field(default=None, foreign_key="operator.id")
    revoked_at: datetime | None = _utc(default=None, nullable=True)
    revoked_by: int | None = Field(default=None, foreign_key="operator.id")
    revoke_reason: str | None = Field(default=None, max_length=200)

    route: str = Field(default="review", max_length=20)  # core.resale.filing.FilingRoute
    transfer_number: str | None = Field(default=None, max_length=40)  # Wuhan: the transfer registration


class FilingMaterial(SQLModel, table=True):
    """What the counter recorded before a filing: the signed 承诺书 handed back, the
    涉外合同公证书 (core.resale.filing.Material)."""

    __tablename__ = "filing_material"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    kind: str = Field(max_length=20)
    reference: str | None = Field(default=None, max_length=40)  # the certificate's number
    recorded_at: datetime = _utc()
    recorded_by: int | None = Field(default=None, foreign_key="operator.id")

class BuyerQualification(SQLModel, table=True):
    """购房资格审查 of a contract's buyers: requested, then approved or refused; voidable."""

    __tablename__ = "buyer_qualification"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    state: str = Field(max_length=10)  # requested / approved / refused / voided
    requested_at: datetime = _utc()
    requested_by: int | None = Field(default=None, foreign_key="operator.id")
    decided_at: datetime | None = _utc(default=None, nullable=True)
    decided_by: int | None = Field(default=None, foreign_key="operator.id")
    reason: str | None = Field(default=None, max_length=200)
    voided_at: datetime | None = _utc(default=None, nullable=True)
    voided_by: int | None = Field(default=None, foreign_key="operator.id")


class ContractCancellation(SQLModel, table=True):
    """An application to end a contract: unfiled cancellation (seed 001 §7),
    cancel-signing / cancel-filing of a filed contract (§8) or revocation by
    SMS code (seed 003)."""

    __tablename__ = "contract_cancellation"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True)
    kind: str = Field(max_length=16)  # unfiled / cancel_signing / cancel_filing / revocation
    rule: str = Field(max_length=40)  # which case of seed 001 §7 applied (rule code)
    applicant_key: str = Field(max_length=20)
    confirm_keys: str = Field(default="", max_length=400)  # parties whose SMS confirmation is needed
    state: str = Field(max_length=12)  # confirming / review / done / refused / withdrawn
    reason: str = Field(max_length=200)
    case_id: int | None = Field(default=None, foreign_key="case_file.id")
    requested_at: datetime = _utc()
    requested_by: int | None = Field(default=None, foreign_key="operator.id")
    completed_at: datetime | None = _utc(default=None, nullable=True)
    completed_by: int | None = Field(default=None, foreign_key="operator.id")
    outcome_note: str | None = Field(default=None, max_length=200)


class CancellationMaterial(SQLModel, table=True):
    """What was recorded at the counter for an application to end a contract
    (core.resale.counter_cancellation): a party present in person or by a notarised
    proxy (which confirms for that party), or the legal document one party applied with."""

    __tablename__ = "cancellation_material"

    id: int | None = Field(default=None, primary_key=True)
    cancellation_id: int = Field(foreign_key="contract_cancellation.id", index=True)
    party_key: str | None = Field(default=None, max_length=20)
    kind: str = Field(max_length=20)  # in_person / proxy / legal_document
    reference: str | None = Field(default=None, max_length=120)  # 公证书编号, or the legal document
    minor_materials: bool = False  # a minor's parents, undertaking and kinship proof (seed 002 §四)
    recorded_at: datetime = _utc()
    recorded_by: int | None = Field(default=None, foreign_key="operator.id")


class CaseMaterial(SQLModel, table=True):
    """A checklist item (core.resale.materials.MATERIALS) the citizen handed in for a case."""

    __tablename__ = "case_material"
    __table_args__ = (UniqueConstraint("case_id", "material_key"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    material_key: str = Field(max_length=40)
    recorded_at: datetime = _utc()
    recorded_by: int | None = Field(default=None, foreign_key="operator.id")


# --------------------------------------------------------------------------
# New-house presale (商品房预售, seed 004)
# --------------------------------------------------------------------------


class Developer(SQLModel, table=True):
    """A development enterprise (开发企业, seed 004 §3.1). Registered by the authority with
    its 统一社会信用代码, legal representative, region and status; its administrator
    completes the rest. Capitals are in yuan (shown in 万元)."""

    __tablename__ = "developer"
    __table_args__ = (Index("ix_developer_name", "name", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    credit_code: str = Field(sa_type=code_string(18), unique=True)
    name: str = Field(sa_type=code_string(120))
    kind: str = Field(max_length=20)  # core.presale.developers.ENTERPRISE_KINDS
    legal_rep_name: str = Field(max_length=80)
    legal_rep_id_kind: str = Field(max_length=24)
    legal_rep_id_number: str = Field(sa_type=code_string(24))
    legal_rep_phone: str = Field(sa_type=code_string(11))
    region: str = Field(max_length=40)  # 所属地区
    status: str = Field(max_length=12)  # core.presale.developers.DeveloperStatus
    valid: bool = True  # 是否有效
    established_on: date | None = None
    licence_number: str | None = Field(default=None, max_length=30)  # 工商注册号
    registered_capital: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))
    paid_in_capital: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))
    taxpayer_number: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=200)
    business_scope: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=200)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class DeveloperUser(SQLModel, table=True):
    """A developer's operator as the enterprise entered them (企业用户入网, seed 004 §3.2): the
    account is an ``operator`` row bound to the enterprise; here its phone and its admission's
    history (applied, decided, the authority's note)."""

    __tablename__ = "developer_user"

    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(foreign_key="operator.id", unique=True)
    developer_id: int = Field(foreign_key="developer.id", index=True)
    phone: str = Field(sa_type=code_string(11))
    applied_at: datetime | None = _utc(default=None, nullable=True)
    applied_by: int | None = Field(default=None, foreign_key="operator.id")
    decided_at: datetime | None = _utc(default=None, nullable=True)
    decided_by: int | None = Field(default=None, foreign_key="operator.id")
    decision_note: str | None = Field(default=None, max_length=200)


class DeveloperBank(SQLModel, table=True):
    """A bank the enterprise works with (银行信息, seed 004 §3.1): a mortgage bank for its
    buyers' loans (按揭银行), a supervising bank account (监管银行账户, for fund supervision
    agreements) or a loan bank (贷款银行, for mortgages of works in progress)."""

    __tablename__ = "developer_bank"

    id: int | None = Field(default=None, primary_key=True)
    developer_id: int = Field(foreign_key="developer.id", index=True)
    purpose: str = Field(max_length=12)  # core.presale.developers.BankPurpose
    bank_name: str = Field(max_length=60)
    branch: str | None = Field(default=None, max_length=80)
    account_name: str | None = Field(default=None, max_length=120)
    account_number: str | None = Field(default=None, sa_type=code_string(32))
    active: bool = True
    created_at: datetime = _utc()


class Project(SQLModel, table=True):
    """A development project (项目, seed 004 §3.1) of one enterprise."""

    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("developer_id", "name", name="uq_project_name"),)

    id: int | None = Field(default=None, primary_key=True)
    developer_id: int = Field(foreign_key="developer.id", index=True)
    name: str = Field(max_length=100)
    location: str = Field(max_length=200)  # 坐落
    district: str = Field(max_length=40)  # 所在区县
    land_area: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # m²
    floor_area: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # 规划总建筑面积 m²
    property_company: str | None = Field(default=None, max_length=120)  # 物业公司
    note: str | None = Field(default=None, max_length=200)
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class ProjectCertificate(SQLModel, table=True):
    """One of a project's certificates (项目证件, the 四证 a presale permit needs): land use,
    construction-land planning, construction-works planning, construction permit."""

    __tablename__ = "project_certificate"
    __table_args__ = (UniqueConstraint("project_id", "kind", "number", name="uq_project_certificate"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    kind: str = Field(max_length=20)  # core.presale.projects.CertificateKind
    number: str = Field(max_length=60)
    issued_on: date | None = None
    issuer: str | None = Field(default=None, max_length=60)
    land_use: str | None = Field(default=None, max_length=20)  # land certificate: 土地用途
    land_area: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))
    land_term_end: date | None = None  # land certificate: 终止日期
    note: str | None = Field(default=None, max_length=200)
    created_at: datetime = _utc()


class Building(SQLModel, table=True):
    """A building (栋) of a project; its facts and units come from its surveys."""

    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("project_id", "number", name="uq_building_number"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    number: str = Field(max_length=20)  # 栋号, e.g. D004
    created_at: datetime = _utc()


class Survey(SQLModel, table=True):
    """A survey result of a building (测绘成果, seed 004 §5.1): predicted (预测) or actual (实测),
    imported through its C case, completed by the developer, reviewed and archived by the
    authority. A change or a predicted→actual conversion has a ``base_survey_id`` and maps
    the base's units to its own (``survey_mapping``) before archiving.

    ``live_building_id`` equals ``building_id`` while the survey is being worked (draft) and
    ``current_building_id`` while it is the building's archived survey in force; both are
    UNIQUE, so a building never has two of either."""

    __tablename__ = "survey"

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    type_code: str = Field(max_length=32)  # the case type: survey_predicted, survey_conversion …
    kind: str = Field(max_length=10)  # predicted / actual
    survey_number: str = Field(sa_type=code_string(40), index=True)  # 测绘宗号
    base_survey_id: int | None = Field(default=None, foreign_key="survey.id")
    status: str = Field(max_length=12, index=True)  # core.presale.survey.SurveyStatus
    live_building_id: int | None = Field(default=None, unique=True)
    current_building_id: int | None = Field(default=None, unique=True)
    structure: str | None = Field(default=None, max_length=20)  # 建筑结构
    floors_above: int | None = None
    floors_below: int | None = None
    height: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # m
    building_use: str | None = Field(default=None, max_length=20)  # 规划用途
    mapping_confirmed_at: datetime | None = _utc(default=None, nullable=True)
    mapping_confirmed_by: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    archived_at: datetime | None = _utc(default=None, nullable=True)
    archived_by: int | None = Field(default=None, foreign_key="operator.id")
    review_note: str | None = Field(default=None, max_length=200)


class BuildingUnit(SQLModel, table=True):
    """A unit (户室) of a building as it stands, across its surveys: made when a survey that
    brings it is archived, retired when a later one deletes, splits or merges it. Its facts
    are those of its row in the building's current survey. One row, one status: the flows
    that sell it check and lock this row."""

    __tablename__ = "building_unit"

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    state: str = Field(max_length=12, index=True)  # core.presale.survey.UnitState
    created_at: datetime = _utc()
    created_by_survey_id: int = Field(foreign_key="survey.id")
    retired_at: datetime | None = _utc(default=None, nullable=True)
    retired_by_survey_id: int | None = Field(default=None, foreign_key="survey.id")


class SurveyUnit(SQLModel, table=True):
    """One unit of a survey (户室对照表 row). ``fixed`` lists the fields the survey file gave
    (comma-separated keys of core.presale.units.FIELDS): they cannot be edited; the others are
    completed by the developer. Areas in m² (4 decimals), prices in yuan per m²."""

    __tablename__ = "survey_unit"
    __table_args__ = (UniqueConstraint("survey_id", "unit_no", name="uq_survey_unit_no"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id")
    building_unit_id: int | None = Field(default=None, foreign_key="building_unit.id", index=True)
    line: int  # the row of the survey file it came from (file order)
    unit_no: str = Field(sa_type=code_string(20))  # 室号
    unit: str | None = Field(default=None, max_length=10)  # 单元
    actual_floor: int  # 实际层
    nominal_floor: str | None = Field(default=None, max_length=8)  # 名义层
    built_area: Decimal = Field(sa_column=Column(ScaledDecimal(4), nullable=False))
    inner_area: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(4)))
    shared_area: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(4)))
    structure: str | None = Field(default=None, max_length=20)
    house_type: str | None = Field(default=None, max_length=12)  # 房屋类型
    use: str | None = Field(default=None, max_length=12)  # 房屋用途
    nature: str | None = Field(default=None, max_length=16)  # 房屋性质
    elevator: bool | None = None
    layout: str | None = Field(default=None, max_length=20)  # 户型
    decoration: str | None = Field(default=None, max_length=12)  # 装修情况
    floor_height: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # 层高 m
    balcony: str | None = Field(default=None, max_length=40)  # 阳台描述
    sale_price: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # 销售单价
    decoration_price: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # 装修单价
    rough_price: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # 毛坯单价
    fixed: str = Field(default="", max_length=300)


class SurveyMapping(SQLModel, table=True):
    """One link of a survey's unit mapping (户室关系对照, seed 004 §5.1.3): a unit of the base
    survey and a unit of this one. A base unit with several links was split, a new unit with
    several was merged; a base unit with none is deleted, a new unit with none is added."""

    __tablename__ = "survey_mapping"
    __table_args__ = (UniqueConstraint("survey_id", "old_unit_id", "new_unit_id", name="uq_survey_mapping"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    old_unit_id: int = Field(foreign_key="survey_unit.id")
    new_unit_id: int = Field(foreign_key="survey_unit.id")


class FundAgreement(SQLModel, table=True):
    """A presale fund supervision agreement (预售资金监管协议, seed 004 §5.3, §5.10) of a
    building, worked through its Z case: signed, changed (a new version with the same
    ``agreement_number``, replacing the one in force when archived) or entered after the fact.

    ``live_building_id`` equals ``building_id`` while the agreement is being worked and
    ``current_building_id`` while it is the building's agreement in force; both UNIQUE, so a
    building has at most one of each. Amounts in yuan; ``key_standard`` is the per-m² standard
    the key supervised amount was computed with (``core.presale.funds.key_amount``)."""

    __tablename__ = "fund_agreement"
    __table_args__ = (UniqueConstraint("agreement_number", "version", name="uq_fund_agreement_version"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    kind: str = Field(max_length=10)  # core.presale.funds.AgreementKind
    agreement_number: str = Field(sa_type=code_string(20), index=True)  # 协议号
    version: int = 1
    base_agreement_id: int | None = Field(default=None, foreign_key="fund_agreement.id")
    developer_id: int = Field(foreign_key="developer.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    status: str = Field(max_length=12, index=True)  # core.presale.funds.AgreementStatus
    live_building_id: int | None = Field(default=None, unique=True)
    current_building_id: int | None = Field(default=None, unique=True)
    bank_id: int | None = Field(default=None, foreign_key="developer_bank.id")  # 监管账户
    works_progress: str | None = Field(default=None, max_length=100)  # 实际工程进度
    presale_total: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # 项目预售总额
    key_amount: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # 重点监管金额
    key_standard: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # yuan per m²
    entered_at: datetime | None = _utc(default=None, nullable=True)
    template: str | None = Field(default=None, max_length=20)  # core.presale.fund_templates
    text_saved_at: datetime | None = _utc(default=None, nullable=True)
    scan_path: str | None = Field(default=None, max_length=300)  # the signed agreement uploaded (a back-entry)
    scan_sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    archived_at: datetime | None = _utc(default=None, nullable=True)


class FundAgreementUnit(SQLModel, table=True):
    """A unit listed in an agreement (监管户室), supervised or not (§5.10: 可设为监管和不监管),
    with its number and built area as they stood when the agreement was entered."""

    __tablename__ = "fund_agreement_unit"
    __table_args__ = (UniqueConstraint("agreement_id", "building_unit_id", name="uq_fund_agreement_unit"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="fund_agreement.id", index=True)
    building_unit_id: int = Field(foreign_key="building_unit.id", index=True)
    unit_no: str = Field(sa_type=code_string(20))
    built_area: Decimal = Field(sa_column=Column(ScaledDecimal(4), nullable=False))
    supervised: bool = True


class FundWithdrawal(SQLModel, table=True):
    """A general fund withdrawal (一般资金支取, seed 004 §5.8) from an agreement in force, worked
    through its Z case. ``live_agreement_id`` equals ``agreement_id`` from acceptance until the
    case is archived or cancelled: UNIQUE, so an agreement has one withdrawal in progress."""

    __tablename__ = "fund_withdrawal"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    agreement_id: int = Field(foreign_key="fund_agreement.id", index=True)
    live_agreement_id: int | None = Field(default=None, unique=True)
    status: str = Field(max_length=12, index=True)  # core.presale.funds.WithdrawalStatus
    amount: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))  # 申请支取金额
    purpose: str | None = Field(default=None, max_length=100)  # 资金用途
    works_progress: str | None = Field(default=None, max_length=100)  # 实际工程进度
    warning: str | None = Field(default=None, max_length=300)  # core.presale.funds.withdrawal_warning
    entered_at: datetime | None = _utc(default=None, nullable=True)
    paid_at: datetime | None = _utc(default=None, nullable=True)
    paid_by: int | None = Field(default=None, foreign_key="operator.id")
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")


class FundOpinion(SQLModel, table=True):
    """意见签署: a reviewer's opinion at a stage of a fund case (the authority's, the bank's)."""

    __tablename__ = "fund_opinion"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True)
    stage: str = Field(max_length=32)
    operator_id: int | None = Field(default=None, foreign_key="operator.id")
    operator_name: str = Field(max_length=60)
    opinion: str | None = Field(default=None, max_length=200)
    at: datetime = _utc()
class PropertyRoomDesignation(SQLModel, table=True):
    """A building's property-management rooms (物管用房, seed 004 §5.2) as one designation,
    worked through its K case: a first designation (核定) or a change (变更, ``base_id`` the
    designation it replaces), for a predicted (期房) or actual (现房) building. Archived, it is
    the building's designation in force (``current_building_id``) and the one it replaces is
    superseded. ``live_building_id`` while it is being worked: one at a time per building."""

    __tablename__ = "property_room_designation"

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    type_code: str = Field(max_length=32)  # core.presale.rooms.ROOM_TYPES
    kind: str = Field(max_length=10)  # the building's survey kind: predicted / actual
    base_id: int | None = Field(default=None, foreign_key="property_room_designation.id")
    status: str = Field(max_length=12, index=True)  # core.presale.surveys.SurveyStatus values
    live_building_id: int | None = Field(default=None, unique=True)
    current_building_id: int | None = Field(default=None, unique=True)
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    archived_at: datetime | None = _utc(default=None, nullable=True)
    archived_by: int | None = Field(default=None, foreign_key="operator.id")
    review_note: str | None = Field(default=None, max_length=200)


class PropertyRoom(SQLModel, table=True):
    """One unit of a designation's rooms."""

    __tablename__ = "property_room"
    __table_args__ = (UniqueConstraint("designation_id", "building_unit_id", name="uq_property_room"),)

    id: int | None = Field(default=None, primary_key=True)
    designation_id: int = Field(foreign_key="property_room_designation.id", index=True)
    building_unit_id: int = Field(foreign_key="building_unit.id", index=True)


class SalePermit(SQLModel, table=True):
    """A presale (预售许可, §5.4) or spot-sale (现售许可, §5.6) permit of a building over chosen
    units, worked through its Y case: an initial approval, or a change (``base_permit_id``)
    of the presale permit in force. Archived, it gets its number (a change keeps its base's,
    one ``version`` up) and is in force: ``current_key`` = "building id:kind" is UNIQUE, so a
    building has one permit of each kind in force. ``live_building_id`` while it is being
    worked: one permit case at a time per building (an open change blocks signing on it)."""

    __tablename__ = "sale_permit"

    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    type_code: str = Field(max_length=32)  # core.presale.permits.PERMIT_TYPES
    kind: str = Field(max_length=10)  # core.presale.sale.PermitKind
    base_permit_id: int | None = Field(default=None, foreign_key="sale_permit.id")
    permit_number: str | None = Field(default=None, sa_type=code_string(20), index=True)
    version: int = 1
    status: str = Field(max_length=12, index=True)  # core.presale.surveys.SurveyStatus values
    live_building_id: int | None = Field(default=None, unique=True)
    current_key: str | None = Field(default=None, max_length=24, unique=True)
    property_company: str | None = Field(default=None, max_length=120)  # 物业公司
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    archived_at: datetime | None = _utc(default=None, nullable=True)
    archived_by: int | None = Field(default=None, foreign_key="operator.id")
    review_note: str | None = Field(default=None, max_length=200)


class PermitUnit(SQLModel, table=True):
    """One unit of a permit's scope (预售范围户室)."""

    __tablename__ = "permit_unit"
    __table_args__ = (UniqueConstraint("permit_id", "building_unit_id", name="uq_permit_unit"),)

    id: int | None = Field(default=None, primary_key=True)
    permit_id: int = Field(foreign_key="sale_permit.id", index=True)
    building_unit_id: int = Field(foreign_key="building_unit.id", index=True)


class PermitCertificate(SQLModel, table=True):
    """One of the 四证 a permit was granted on, as it read when chosen (the project's certificate
    may later be removed; the permit keeps what it was granted on)."""

    __tablename__ = "permit_certificate"
    __table_args__ = (UniqueConstraint("permit_id", "kind", name="uq_permit_certificate"),)

    id: int | None = Field(default=None, primary_key=True)
    permit_id: int = Field(foreign_key="sale_permit.id", index=True)
    kind: str = Field(max_length=20)  # core.presale.projects.CertificateKind
    number: str = Field(max_length=60)
    issued_on: date | None = None
    issuer: str | None = Field(default=None, max_length=60)


class PermitSequence(SQLModel, table=True):
    """The last permit number issued per year and kind."""

    __tablename__ = "permit_sequence"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: str = Field(primary_key=True, max_length=10)
    last: int = 0


class UnitRestriction(SQLModel, table=True):
    """A judicial seizure (司法查封) or administrative restriction (行政限制) on a building unit,
    registered by the authority; in force until lifted. A unit under one is not sold."""

    __tablename__ = "unit_restriction"

    id: int | None = Field(default=None, primary_key=True)
    building_unit_id: int = Field(foreign_key="building_unit.id", index=True)
    kind: str = Field(max_length=12)  # seizure / administrative
    document: str = Field(max_length=100)  # 文书 (ruling, notice) number
    authority: str | None = Field(default=None, max_length=100)  # who ordered it
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    lifted_at: datetime | None = _utc(default=None, nullable=True)
    lifted_by: int | None = Field(default=None, foreign_key="operator.id")


class PresaleContract(SQLModel, table=True):
    """A presale (预售签约, §5.5.1) or spot-sale (现房签约, §5.7) contract on one building unit,
    worked through its F case. ``live_unit_id`` equals ``building_unit_id`` while the contract is
    live (from acceptance to filing) and is NULL once void: it is UNIQUE, so the database itself
    refuses a second live contract on one unit (the last line of defence behind the unit row's
    lock in ``check_sellable``). ``facts`` is the canonical JSON of the entry
    (``core.presale.contracts.ValidEntry``); ``version`` rises at every save and the SMS codes are
    bound to it. Money is exact (Decimal, to the fen)."""

    __tablename__ = "presale_contract"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(sa_type=code_string(24), unique=True)  # 合同编号
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    kind: str = Field(max_length=10)  # core.presale.sale.PermitKind: presale / spot
    developer_id: int = Field(foreign_key="developer.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    building_unit_id: int = Field(foreign_key="building_unit.id", index=True)
    live_unit_id: int | None = Field(default=None, unique=True)
    permit_number: str = Field(sa_type=code_string(20))
    unit_no: str = Field(sa_type=code_string(20))
    status: str = Field(max_length=10, index=True)  # core.presale.contracts.ContractStatus
    version: int = 0  # 0: nothing entered yet
    digest: str | None = Field(default=None, max_length=64)
    facts: str | None = Field(default=None, sa_type=Text)
    buyer_names: str | None = Field(default=None, max_length=200)  # for lists and the fund table
    payment_method: str | None = Field(default=None, max_length=12)
    total_price: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))
    amount_due: Decimal | None = Field(default=None, sa_column=Column(ScaledDecimal(2)))
    # what was paid is never stored here: the ledger (``presale_payment``) is its one source
    signing_form: str | None = Field(default=None, max_length=10)  # electronic / paper
    scan_path: str | None = Field(default=None, max_length=300)
    scan_sha256: str | None = Field(default=None, max_length=64)
    signed_at: datetime | None = _utc(default=None, nullable=True)  # the buyer confirmed (or the scan)
    sealed_at: datetime | None = _utc(default=None, nullable=True)
    mortgage: str | None = Field(default=None, sa_type=Text)  # the bank's mortgage details (JSON)
    filing_number: str | None = Field(default=None, sa_type=code_string(24), unique=True)
    filed_at: datetime | None = _utc(default=None, nullable=True)
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    updated_at: datetime = _utc()


class PresaleBuyer(SQLModel, table=True):
    """A buyer (买受人) of a presale contract, fixed once saved (SMS codes go to ``phone``)."""

    __tablename__ = "presale_buyer"
    __table_args__ = (UniqueConstraint("contract_id", "position", name="uq_presale_buyer"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="presale_contract.id", index=True)
    position: int
    name: str = Field(sa_type=code_string(100))
    id_kind: str | None = Field(default=None, max_length=24)
    id_number: str = Field(sa_type=code_string(40), index=True)
    phone: str = Field(sa_type=code_string(11))


class PresalePayment(SQLModel, table=True):
    """One entry of a contract's ledger (户室流水, seed 004 §5.9; ``core.presale.ledger``): a
    payment received (入账) or a refund (退款). A payment registered against the payment notice
    (资金缴款通知单) is posted at once; a back-entered one (户室流水补录) carries its Z case and
    is pending until the authority archives it (posted) or refuses it (void). The contract's
    paid amount is the sum of its posted entries: nothing else stores it."""

    __tablename__ = "presale_payment"

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="presale_contract.id", index=True)
    kind: str = Field(default="income", max_length=10, sa_column_kwargs={"server_default": "income"})
    status: str = Field(default="posted", max_length=10, sa_column_kwargs={"server_default": "posted"})
    case_id: int | None = Field(default=None, foreign_key="case_file.id", unique=True)  # a back-entry's case
    amount: Decimal = Field(sa_column=Column(ScaledDecimal(2), nullable=False))
    receipt: str | None = Field(default=None, max_length=40)  # the bank's slip number, if any
    paid_on: date | None = None  # the day on the slip (a back-entry)
    note: str | None = Field(default=None, max_length=200)
    received_at: datetime = _utc()
    operator_id: int | None = Field(default=None, foreign_key="operator.id")


class PresaleReturn(SQLModel, table=True):
    """A house return (退房, seed 004 §5.5.2) of a presale or spot-sale contract, worked through
    its T case. ``live_contract_id`` equals ``contract_id`` while the return is in progress and
    is NULL once archived or cancelled: UNIQUE, so the database itself refuses a second return
    of one contract at a time. ``reason`` is kept as typed; it is shown, audited and written into
    the case history with its ID and phone numbers masked."""

    __tablename__ = "presale_return"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    contract_id: int = Field(foreign_key="presale_contract.id", index=True)
    live_contract_id: int | None = Field(default=None, unique=True)
    status: str = Field(max_length=10, index=True)  # core.presale.returns.ReturnStatus
    applicant_position: int | None = None  # the buyer (presale_buyer.position) who applies
    reason: str | None = Field(default=None, max_length=200)
    voucher_path: str | None = Field(default=None, max_length=300)
    voucher_sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    updated_at: datetime = _utc()
    archived_at: datetime | None = _utc(default=None, nullable=True)


class FactsBackfill(SQLModel, table=True):
    """户室信息补录 (seed 004 §5.11): the missing project, building and unit facts a developer
    enters for a building, worked through its X case; the values (JSON by field key) are applied
    to the project, the survey in force and its units' empty fields when the authority archives
    the case. ``live_building_id`` is UNIQUE: one back-entry at a time on a building."""

    __tablename__ = "facts_backfill"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", unique=True)
    developer_id: int = Field(foreign_key="developer.id", index=True)
    project_id: int = Field(foreign_key="project.id")
    building_id: int = Field(foreign_key="building.id", index=True)
    live_building_id: int | None = Field(default=None, unique=True)
    project_values: str = Field(default="{}", sa_type=Text)
    building_values: str = Field(default="{}", sa_type=Text)
    unit_values: str = Field(default="{}", sa_type=Text)
    status: str = Field(default="draft", max_length=10)  # draft / archived / void
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    archived_at: datetime | None = _utc(default=None, nullable=True)


class WorksMortgage(SQLModel, table=True):
    """A construction-in-progress mortgage (在建工程抵押, seed 004 §1.1) of units of a building
    under construction, to a loan bank of the developer (贷款银行, §3.1), registered by the
    authority; in force until cancelled (注销). A unit under it is not sold unless the
    mortgagee authorised its signing (在建工程抵押签约授权, ``WorksMortgageUnit.authorised_at``)."""

    __tablename__ = "works_mortgage"

    id: int | None = Field(default=None, primary_key=True)
    developer_id: int = Field(foreign_key="developer.id", index=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    bank_id: int = Field(foreign_key="developer_bank.id")
    bank_name: str = Field(max_length=60)  # as it was when registered
    mortgage_contract: str = Field(max_length=40)  # 抵押合同编号
    amount: Decimal = Field(sa_column=Column(ScaledDecimal(2), nullable=False))  # 被担保债权数额
    created_at: datetime = _utc()
    created_by: int | None = Field(default=None, foreign_key="operator.id")
    cancelled_at: datetime | None = _utc(default=None, nullable=True)
    cancelled_by: int | None = Field(default=None, foreign_key="operator.id")
    cancel_reason: str | None = Field(default=None, max_length=200)


class WorksMortgageUnit(SQLModel, table=True):
    """A unit of a construction-in-progress mortgage. ``live_unit_id`` equals
    ``building_unit_id`` while the mortgage is in force (NULL once cancelled): UNIQUE, so a unit
    is under one mortgage at most."""

    __tablename__ = "works_mortgage_unit"

    id: int | None = Field(default=None, primary_key=True)
    mortgage_id: int = Field(foreign_key="works_mortgage.id", index=True)
    building_unit_id: int = Field(foreign_key="building_unit.id", index=True)
    unit_no: str = Field(sa_type=code_string(20))
    live_unit_id: int | None = Field(default=None, unique=True)
    authorised_at: datetime | None = _utc(default=None, nullable=True)  # 签约授权
    authorised_by: int | None = Field(default=None, foreign_key="operator.id")


# Rows that every step of a signing consults several times: read once per transaction.
hold_rows(Case, Contract, Home, HouseCheck, BuyerQualification)
