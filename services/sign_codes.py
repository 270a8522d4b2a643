"""SMS confirmation codes for signing (网签短信验证): send, verify, void.

The seed procedure (§三(六)): on submission the buyer and the seller each
confirm by an SMS code; once both codes are verified the contract counts as
signed. This module is the code part; the contract service decides what a
"subject" is, which parties must confirm, and the text of the SMS.

* ``send_code`` makes a code for one party of one exact subject version,
  stores only its keyed HMAC (``core.codes``; the key from
  ``storage.secrets.code_keys``), voids the party's earlier unused code, and
  queues the SMS in the caller-visible outbox in the same transaction.
  Rate limits: one code per ``RESEND_AFTER`` for the same subject+party and
  for the same phone; ``DAILY_LIMIT`` codes per phone per Shanghai day.
* ``verify_code`` works in one transaction: it locks the code's row (``FOR
  UPDATE``; SQLite's write transaction holds the whole database), refuses a
  code that cannot be used any more, counts the try (``attempts + 1``), checks
  the HMAC and, when it matches, consumes the code (``used_at``). A wrong code
  commits its try and its audit row before it is refused, so parallel guesses
  share the ``MAX_ATTEMPTS`` budget and of two concurrent verifications of the
  same code exactly one succeeds (the second finds it used). The keyed HMAC
  costs microseconds, so nothing slow happens under the row lock.
* ``void_codes`` runs in the caller's transaction: a contract change voids
  all its unused codes. ``verified_parties`` lists the parties whose code for
  this exact version was used.

Who may send or verify is the calling service's business (it checks its own
permission); here an actor is only required for the audit log.

The outbox and the code in plain text. An SMS is useless without the code, and
``services.sms`` keeps the text it queues (the gateway sends it later, or staff
send it by hand from the outbox screen). So ``sms_message.text`` holds the code
in plain text while the code can still be used, and ``one_time_code`` only a
hash. The code leaves the stored text as soon as it cannot be used any more:
when the message is sent or fails (``services.sms``), and when the code is
used, superseded, voided, out of tries or expired — ``sms.redact_dead_codes``
runs in the transactions here that kill a code (send: the party's earlier
code; verify: the code used; ``void_codes``) and whenever the outbox is read,
so an expired code is gone from the database by the next read at the latest.

What the counter tells the party: ``CodeSent.notice`` says "sent" only when
the hall has an SMS gateway; without one the message waits in the outbox for
staff to send by hand, and the sentence says so.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from datetime import datetime, time

from sqlalchemy import and_, bindparam, func, or_, select, text, update
from sqlmodel import Session

from core import codes
from core.codes import CODE_TTL, DAILY_LIMIT, MAX_ATTEMPTS, RESEND_AFTER
from core.errors import RuleViolation
from core.identity import mask_phone, parse_mobile
from core.roles import Actor
from core.timeutil import SHANGHAI, to_local
from services import audit, sms
from storage.engine import Database, session_now
from storage.models import OneTimeCode
from storage.secrets import code_keys

OBJECT_TYPE = "one_time_code"


def code_keys_of(db: Database) -> tuple[bytes, ...]:
    """The hall's code keys: refused (CODE_KEY_MISSING) on a shared database without one."""
    return code_keys(db.settings, embedded=db.is_sqlite)


def _binding(purpose: str, subject_type: str, subject_id: int, party_key: str, version: int) -> str:
    """What a code confirms, hashed with it: a digest is worth nothing for another row."""
    return f"{purpose}\x1f{subject_type}\x1f{subject_id}\x1f{party_key}\x1f{version}"
_LOCK_NAMESPACE = 0x6F7463  # "otc": the two-int advisory key space, apart from the audit lock


@dataclass(frozen=True)
class CodeSent:
    code_id: int
    masked_phone: str
    expires_at: datetime
    #: True when the hall has no SMS gateway: the message waits in the outbox for
    #: staff to send by hand (``services.sms``), nothing has left the building yet.
    in_outbox: bool = False

    def notice(self, whom: str = "") -> str:
        """What the counter says after a code was made, true for both kinds of hall.

        ``whom`` names the phone (e.g. "合同登记的手机号码"), shown before the masked number.
        """
        to = f"{whom} {self.masked_phone}" if whom else self.masked_phone
        if self.in_outbox:
            return (f"验证码短信已放入短信发件箱（本大厅未接短信网关），请在发件箱（首页按 S）"
                    f"查看完整号码并手工发送至 {to}，再请当事人报读6位验证码。")
        return f"验证码已发送至 {to}，请当事人报读短信中的6位验证码。"


@dataclass(frozen=True)
class Verified:
    code_id: int
    purpose: str
    subject_type: str
    subject_id: int
    subject_version: int
    party_key: str
    masked_phone: str
    used_at: datetime


# ------------------------------------------------------------------ helpers


def _require_actor(actor: Actor | None) -> Actor:
    if actor is None:
        raise RuleViolation("AUTH_REQUIRED", "请先登录后再办理业务。")
    return actor


def _check_subject(purpose: str | None, subject_type: str, party_key: str, subject_version: int) -> None:
    if purpose is not None and not 1 <= len(purpose) <= 30:
        raise ValueError("purpose must be 1-30 characters")
    if not 1 <= len(subject_type) <= 20:
        raise ValueError("subject_type must be 1-20 characters")
    if not 1 <= len(party_key) <= 40:
        raise ValueError("party_key must be 1-40 characters")
    if not isinstance(subject_version, int) or subject_version < 0:
        raise ValueError("subject_version must be a non-negative integer")


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big", signed=True)


def _serialise(session: Session, *names: str) -> None:
    """PostgreSQL: serialise sends per phone and per subject+party (SQLite's
    BEGIN IMMEDIATE already serialises every write). Keys are taken in a fixed
    order so two senders cannot deadlock."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({_lock_key(n) for n in names})
    # One statement: PostgreSQL evaluates a select list from left to right, so the keys are
    # still taken in this order.
    calls = ", ".join(f"pg_advisory_xact_lock(:ns, :k{i})" for i in range(len(keys)))
    session.execute(text(f"SELECT {calls}"), {"ns": _LOCK_NAMESPACE, **{f"k{i}": k for i, k in enumerate(keys)}})


def _void_unused(session: Session, now: datetime, *conditions) -> int:  # type: ignore[no-untyped-def]
    result = session.execute(
        update(OneTimeCode)
        .where(*conditions, OneTimeCode.used_at.is_(None), OneTimeCode.voided_at.is_(None))
        .values(voided_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _refuse_if_dead(row: OneTimeCode, subject_version: int, now: datetime) -> None:
    """Raise the reason ``row`` cannot be used for ``subject_version`` at ``now``."""
    if row.subject_version != subject_version:
        raise RuleViolation("CODE_VERSION_CHANGED", "合同内容已变更，验证码已失效，请重新获取。")
    if row.used_at is not None:
        raise RuleViolation("CODE_ALREADY_USED", "该验证码已使用过，请勿重复验证。")
    if row.voided_at is not None:
        raise RuleViolation("CODE_VOIDED", "该验证码已作废，请使用最新收到的验证码。")
    if row.attempts >= MAX_ATTEMPTS:
        raise RuleViolation("CODE_TOO_MANY_ATTEMPTS", "验证码输入错误次数过多，已失效，请重新获取。")
    if row.expires_at <= now:
        raise RuleViolation("CODE_EXPIRED", "验证码已过期，请重新获取。")


# ------------------------------------------------------------------ send


def send_code(
    db: Database,
    actor: Actor,
    *,
    purpose: str,
    subject_type: str,
    subject_id: int,
    subject_version: int,
    party_key: str,
    phone: str,
    sms_text: Callable[[str], str],
    case_number: str | None = None,
) -> CodeSent:
    """Make a code for one party of one exact subject version and queue its SMS,
    in a transaction of its own (``queue_code`` inside the caller's).

    ``sms_text(code)`` builds the message; it must contain the code and should
    name the house and the price ("what you see is what you sign").
    """
    with db.write() as session:
        return queue_code(session, code_keys_of(db), actor, purpose=purpose, subject_type=subject_type,
                          subject_id=subject_id, subject_version=subject_version, party_key=party_key,
                          phone=phone, sms_text=sms_text, case_number=case_number)


def _limits_query() -> Any:
    """One read for both limits (the last code to this phone or party, today's count for the
    phone) and for the earlier codes to void; built once (every send runs it)."""
    c = OneTimeCode.__table__.c  # type: ignore[attr-defined]
    now, phone = bindparam("now", type_=c.created_at.type), bindparam("phone", type_=c.phone.type)
    same_party = (c.subject_type == bindparam("subject_type"), c.subject_id == bindparam("subject_id"),
                  c.party_key == bindparam("party_key"))
    return select(
        func.max(c.created_at).filter(c.created_at <= now),
        func.count().filter(c.phone == phone, c.created_at >= bindparam("midnight", type_=c.created_at.type),
                            c.created_at <= now),
        # whether there is an earlier code of this party to void (else the UPDATE is skipped)
        func.count().filter(*same_party, c.used_at.is_(None), c.voided_at.is_(None)),
    ).where(or_(c.phone == phone, and_(*same_party)))


_LIMITS = _limits_query()


def queue_code(
    session: Session,
    keys: tuple[bytes, ...],
    actor: Actor,
    *,
    purpose: str,
    subject_type: str,
    subject_id: int,
    subject_version: int,
    party_key: str,
    phone: str,
    sms_text: Callable[[str], str],
    case_number: str | None = None,
) -> CodeSent:
    """``send_code`` in the caller's write transaction (``keys``: ``code_keys_of(db)``), so
    that a use case checks its subject and queues the code in one transaction."""
    _require_actor(actor)
    number = parse_mobile(phone)
    _check_subject(purpose, subject_type, party_key, subject_version)
    now = session_now(session)
    code = codes.new_code()
    body = sms_text(code)
    if not isinstance(body, str) or code not in body:
        raise ValueError("sms_text(code) must return the message text containing the code")
    code_hash = codes.hash_code(keys[0], code, _binding(purpose, subject_type, subject_id, party_key,
                                                        subject_version))
    same_party = (
        OneTimeCode.subject_type == subject_type,
        OneTimeCode.subject_id == subject_id,
        OneTimeCode.party_key == party_key,
    )
    _serialise(session, f"phone:{number}", f"subject:{subject_type}:{subject_id}:{party_key}")
    midnight = datetime.combine(to_local(now).date(), time(0), tzinfo=SHANGHAI)
    last, today, unused = session.connection().execute(_LIMITS, {
        "now": now, "midnight": midnight, "phone": number, "subject_type": subject_type,
        "subject_id": subject_id, "party_key": party_key}).one()
    if last is not None and now - last < RESEND_AFTER:
        left = max(1, math.ceil((last + RESEND_AFTER - now).total_seconds()))
        raise RuleViolation("CODE_RESEND_TOO_SOON", f"验证码已发送，请{left}秒后再重新获取。")
    if today >= DAILY_LIMIT:
        raise RuleViolation(
            "CODE_DAILY_LIMIT", f"该手机号今日已获取{DAILY_LIMIT}次验证码，已达上限，请明日再试。", field="phone"
        )
    voided = _void_unused(session, now, *same_party) if unused else 0
    values = {"purpose": purpose, "subject_type": subject_type, "subject_id": subject_id,
              "subject_version": subject_version, "party_key": party_key, "phone": number,
              "code_hash": code_hash, "created_at": now, "expires_at": now + CODE_TTL, "attempts": 0}
    row = OneTimeCode(id=session.connection().execute(_INSERT_CODE, values).inserted_primary_key[0], **values)
    message = sms.notify(session, actor, number, body, purpose=purpose, case_number=case_number)
    audit.append(
        session,
        actor,
        "sign_code_sent",
        object_type=OBJECT_TYPE,
        object_id=row.id,
        case_number=case_number,
        after={
            "phone": number,  # masked by the audit log
            "purpose": purpose,
            "subject": f"{subject_type}:{subject_id}",
            "version": subject_version,
            "party": party_key,
            "expires_at": row.expires_at,
            "sms_message": message.id,
            "voided_earlier": voided,
        },
    )
    if voided:  # the earlier code, voided above, leaves its waiting message (the new one carries the live code)
        sms.redact_dead_codes(session, actor, phone=number, besides=message.id)
    return CodeSent(row.id, mask_phone(number), row.expires_at,  # type: ignore[arg-type]
                    in_outbox=message.backend == sms.OUTBOX_BACKEND)


# ------------------------------------------------------------------ verify


_CODES = OneTimeCode.__table__  # type: ignore[attr-defined]
_INSERT_CODE = _CODES.insert()
_LOCK_BY_ID = select(_CODES).where(_CODES.c.id == bindparam("code_id")).with_for_update()
_LOCK_LATEST = (select(_CODES)
                .where(_CODES.c.subject_type == bindparam("subject_type"),
                       _CODES.c.subject_id == bindparam("subject_id"), _CODES.c.party_key == bindparam("party_key"))
                .order_by(_CODES.c.id.desc()).limit(1).with_for_update())
_COUNT_TRY = (update(_CODES).where(_CODES.c.id == bindparam("code_id"))
              .values(attempts=bindparam("attempts"), used_at=bindparam("used_at")))


def _find(
    session: Session,
    code_id: int | None,
    subject_type: str | None,
    subject_id: int | None,
    party_key: str | None,
) -> Any:
    """The code named (its stored row), locked for this transaction (PostgreSQL ``FOR UPDATE``;
    SQLite's write transaction holds the database): tries on one code are counted one after
    another. Core on the session's connection: the row is read and written back by ``check_code_in``."""
    if code_id is not None:
        query, params = _LOCK_BY_ID, {"code_id": code_id}
    else:
        if subject_type is None or subject_id is None or party_key is None:
            raise ValueError("give code_id, or subject_type, subject_id and party_key")
        query, params = _LOCK_LATEST, {"subject_type": subject_type, "subject_id": subject_id,
                                       "party_key": party_key}
    row = session.connection().execute(query, params).one_or_none()
    if row is None:
        raise RuleViolation("CODE_NOT_FOUND", "没有找到验证码记录，请先获取验证码。")
    return row


def verify_code(
    db: Database,
    actor: Actor,
    *,
    code: str,
    subject_version: int,
    code_id: int | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    party_key: str | None = None,
    purpose: str | None = None,
) -> Verified:
    """Check and consume a code for ``subject_version``, in a transaction of its own
    (``check_code_in`` inside the caller's).

    Name the code by ``code_id``, or by ``subject_type``, ``subject_id`` and
    ``party_key`` (the party's latest code). ``purpose``, if given, must match.
    A wrong code is refused (CODE_WRONG) after its try was committed.
    """
    with db.write() as session:
        outcome = check_code_in(session, code_keys_of(db), actor, code=code, subject_version=subject_version,
                                code_id=code_id, subject_type=subject_type, subject_id=subject_id,
                                party_key=party_key, purpose=purpose)
    return outcome.result()


@dataclass(frozen=True)
class CodeCheck:
    """What ``check_code_in`` found: the code consumed, or the refusal of a wrong code.

    A wrong code is not raised inside the transaction: its try (and its audit row)
    must commit. The caller commits, then calls ``result()``, which raises it.
    """

    verified: Verified | None
    refusal: RuleViolation | None

    def result(self) -> Verified:
        if self.refusal is not None:
            raise self.refusal
        assert self.verified is not None
        return self.verified


def check_code_in(
    session: Session,
    keys: tuple[bytes, ...],
    actor: Actor,
    *,
    code: str,
    subject_version: int,
    code_id: int | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    party_key: str | None = None,
    purpose: str | None = None,
) -> CodeCheck:
    """Check a code in the caller's write transaction: one try counted, and the code consumed
    when it matches. A code that cannot be used any more (used, voided, expired, out of
    tries, another version or purpose) raises before a try is counted."""
    _require_actor(actor)
    entered = codes.normalize_code(code)
    now = session_now(session)
    row = _find(session, code_id, subject_type, subject_id, party_key)  # locked: tries counted one by one
    if purpose is not None and row.purpose != purpose:
        raise RuleViolation("CODE_PURPOSE_MISMATCH", "该验证码不是为本项业务发送的，请重新获取。")
    _refuse_if_dead(row, subject_version, now)
    binding = _binding(row.purpose, row.subject_type, row.subject_id, row.party_key, row.subject_version)
    attempts = row.attempts + 1  # the try counts whatever the check says
    connection = session.connection()
    if not codes.check_code(row.code_hash, entered, binding, keys):
        connection.execute(_COUNT_TRY, {"code_id": row.id, "attempts": attempts, "used_at": None})
        audit.append(session, actor, "sign_code_wrong", object_type=OBJECT_TYPE, object_id=row.id,
                     after={"phone": row.phone, "party": row.party_key, "attempts": attempts})
        if attempts >= MAX_ATTEMPTS:
            sms.redact_dead_codes(session, actor, phone=row.phone)  # out of tries: its text keeps no secret
        left = MAX_ATTEMPTS - attempts
        if left > 0:
            return CodeCheck(None, RuleViolation("CODE_WRONG", f"验证码不正确，还可再试{left}次。", field="code"))
        return CodeCheck(None, RuleViolation(
            "CODE_WRONG", "验证码不正确，错误次数已达上限，该验证码已失效，请重新获取。", field="code"))
    connection.execute(_COUNT_TRY, {"code_id": row.id, "attempts": attempts, "used_at": now})
    audit.append(
        session,
        actor,
        "sign_code_verified",
        object_type=OBJECT_TYPE,
        object_id=row.id,
        before={"used_at": None},
        after={
            "phone": row.phone,
            "purpose": row.purpose,
            "subject": f"{row.subject_type}:{row.subject_id}",
            "version": row.subject_version,
            "party": row.party_key,
            "attempts": attempts,
        },
    )
    sms.redact_dead_codes(session, actor, phone=row.phone)  # used: its text keeps no secret
    return CodeCheck(Verified(
        code_id=row.id,  # type: ignore[arg-type]
        purpose=row.purpose,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        subject_version=row.subject_version,
        party_key=row.party_key,
        masked_phone=mask_phone(row.phone),
        used_at=now,
    ), None)


# ------------------------------------------------------------------ void, query


def void_codes(
    session: Session,
    actor: Actor,
    *,
    subject_type: str,
    subject_id: int,
    case_number: str | None = None,
) -> int:
    """Void every unused code of a subject, in the caller's write transaction.

    Call it whenever the subject (the contract) changes. Returns how many codes
    were voided; used codes stay as they are (they are bound to their version).
    """
    _require_actor(actor)
    now = session_now(session)
    count = _void_unused(session, now, OneTimeCode.subject_type == subject_type, OneTimeCode.subject_id == subject_id)
    if count:
        audit.append(
            session,
            actor,
            "sign_code_voided",
            object_type=subject_type,
            object_id=subject_id,
            case_number=case_number,
            after={"voided": count},
        )
        sms.redact_dead_codes(session, actor)
    return count


def verified_parties(
    db: Database, subject_type: str, subject_id: int, subject_version: int, *, purpose: str | None = None
) -> set[str]:
    """The parties whose code for exactly this version was used (optionally of one purpose)."""
    with db.read() as session:
        return verified_parties_in(session, subject_type, subject_id, subject_version, purpose=purpose)


def verified_parties_in(
    session: Session, subject_type: str, subject_id: int, subject_version: int, *, purpose: str | None = None
) -> set[str]:
    """``verified_parties`` in the caller's transaction."""
    params = {"subject_type": subject_type, "subject_id": subject_id, "subject_version": subject_version}
    if purpose is None:
        return set(session.connection().execute(_VERIFIED, params).scalars())
    return set(session.connection().execute(_VERIFIED_FOR, {**params, "purpose": purpose}).scalars())


_VERIFIED = select(_CODES.c.party_key).where(
    _CODES.c.subject_type == bindparam("subject_type"),
    _CODES.c.subject_id == bindparam("subject_id"),
    _CODES.c.subject_version == bindparam("subject_version"),
    _CODES.c.used_at.is_not(None),
)
_VERIFIED_FOR = _VERIFIED.where(_CODES.c.purpose == bindparam("purpose"))
