"""SMS: a transactional outbox plus a gateway interface.

``notify`` only writes a queued ``SmsMessage`` row inside the caller's write
transaction, so a message exists if and only if the business change that
caused it committed. No network I/O happens there; ``deliver_pending`` sends
later, outside any business transaction.

Delivery semantics (``deliver_pending`` with a real gateway):

* Claim, send, record — never a transaction open across the network call:
  a short transaction claims the oldest queued row (status ``sending``,
  ``claimed_at``; PostgreSQL ``FOR UPDATE SKIP LOCKED``), the gateway is
  called with no transaction open, and a second short transaction records
  ``sent`` or ``failed`` with its audit row. Two terminals delivering at once
  never send one message twice: a claimed row is not taken again. A slow
  gateway therefore holds no lock: on SQLite the whole database is one lock,
  and a send of several seconds would stall every other terminal.
* **At least once.** A crash (or a lost commit) after the gateway accepted a
  message but before its ``sent`` was committed leaves it ``sending``; once
  its claim is older than ``CLAIM_STALE_AFTER`` the next run sends it again. We prefer a rare duplicate to a lost message: a lost
  signing code blocks a signing at the counter, a duplicate repeats the same
  text. The message id goes with every request so a gateway that de-duplicates
  by id turns this into exactly once. Messages already marked are never
  re-sent, since each status change is committed on its own.
* A refusal, a connection error or a timeout marks the message ``failed`` with
  the reason; failed messages are not retried automatically (a timed-out
  request may still have been delivered). Staff see them in the outbox and can
  send them by hand and ``mark_sent`` them.
* Only messages queued for the gateway's own backend are sent: messages queued
  while the hall had no gateway (backend "outbox") are being sent by hand and
  would otherwise arrive twice.
* A message's one-time code leaves its stored text once it is sent or has
  failed (``redact_codes``), and once the code itself is dead — expired,
  used, superseded by a newer code, voided or out of tries
  (``redact_dead_codes``): after that the outbox keeps what was said, not the
  secret. The sweep is written to the database (not only hidden on screen);
  it runs whenever a code is sent, used or voided (``services.sign_codes``),
  whenever anyone reads the outbox or marks a message sent, before every
  delivery run, and from ``wangqian sms sweep`` (for cron).

Who sees which messages (``outbox``, ``reveal``, ``mark_sent``):

* holders of ``SMS_OUTBOX`` (supervisors, administrators, the shell) see and
  mark every message;
* a clerk (``CASE_WORK`` only) sees the messages of the cases they hold or
  have acted on (an audit row of theirs under the message's case number —
  which includes every message their own actions queued, since ``notify``
  audits under the case number): at a hall without a gateway this is their
  window's queue, e.g. the signing codes they asked for. Messages without a
  case number (none are queued by counter work today) are the supervisors'.
* list rows always mask the phone. ``reveal`` gives one message's full phone
  and text for sending by hand and writes an ``sms_phone_revealed`` audit row
  (who saw which message; never the number itself).

Configuration (``Settings``): ``sms_url`` (the gateway's HTTP(S) endpoint;
unset → the manual outbox), ``sms_token`` (a bearer token, optional) and
``sms_timeout`` (seconds to wait, default 5, at most 20).
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from core.codes import CODE_TTL, MAX_ATTEMPTS
from core.errors import RuleViolation
from core.identity import mask_phone, parse_mobile
from core.roles import Actor, Permission
from core.text import choices_said, code_or_label
from core.timeutil import SHANGHAI, show, to_local
from services import audit
from services.authority import authorise
from storage.engine import Database, session_now, session_settings
from storage.models import AuditEntry, Case, OneTimeCode, SmsMessage
from storage.settings import Settings

MAX_TEXT = 500
#: The hall's SMS signature: every message starts with it.
SIGNATURE = "【网签】"
MAX_ERROR = 300  # the width of SmsMessage.error
DEFAULT_TIMEOUT = 5.0
MAX_TIMEOUT = 20.0

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
STATUS_LABELS: dict[str, str] = {QUEUED: "待发送", SENDING: "发送中", SENT: "已发送", FAILED: "发送失败"}

#: A claim older than this was abandoned (the deliverer died mid-send): the message is
#: taken again. Well beyond the longest gateway timeout, so a slow send is never doubled.
CLAIM_STALE_AFTER = timedelta(minutes=2)

OUTBOX_BACKEND = "outbox"
HTTP_BACKEND = "http"



# ------------------------------------------------------------------ gateways


class SmsDeliveryError(Exception):
    """A gateway did not take a message; ``message`` is one Chinese sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@runtime_checkable
class SmsGateway(Protocol):
    """Something that hands one SMS to the telephone network.

    ``send`` returns when the gateway has accepted the message and raises
    ``SmsDeliveryError`` otherwise. ``message_id`` (the outbox row's id) is
    passed on so a gateway can de-duplicate a message sent twice.
    """

    name: str

    def send(self, phone: str, text: str, *, message_id: int | None = None) -> None: ...


class OutboxGateway:
    """For halls without a gateway: nothing leaves the building.

    Messages stay queued in the outbox, where staff read them, send them by
    hand and mark them sent (``mark_sent``).
    """

    name = OUTBOX_BACKEND

    def send(self, phone: str, text: str, *, message_id: int | None = None) -> None:
        return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: urllib would re-send a
    redirected POST as a GET without its body."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


class HttpGateway:
    """POSTs ``{"phone", "text", "id"}`` as JSON to the hall's SMS gateway.

    Any 2xx answer means sent; any other status, a timeout or a connection
    error raises ``SmsDeliveryError`` naming the status code or the reason.
    """

    name = HTTP_BACKEND

    def __init__(self, url: str, token: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not url.lower().startswith(("http://", "https://")):
            raise RuleViolation("SMS_BAD_URL", "短信网关地址应以 http:// 或 https:// 开头，请检查配置。", field="url")
        if not 0 < timeout <= MAX_TIMEOUT:
            raise RuleViolation(
                "SMS_BAD_TIMEOUT", f"短信网关超时时间应在 0 到 {MAX_TIMEOUT:g} 秒之间，请检查配置。", field="timeout"
            )
        self.url = url
        self.token = token or None
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, phone: str, text: str, *, message_id: int | None = None) -> None:
        body = json.dumps({"phone": phone, "text": text, "id": message_id}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
                reason = response.reason
        except urllib.error.HTTPError as exc:
            exc.close()
            raise SmsDeliveryError(f"短信网关返回状态码 {exc.code}（{exc.reason}），短信未发送。") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise self._timed_out() from None
            raise SmsDeliveryError(f"无法连接短信网关（{exc.reason}），短信未发送。") from None
        except TimeoutError:
            raise self._timed_out() from None
        except (OSError, http.client.HTTPException) as exc:
            detail = str(exc) or type(exc).__name__
            raise SmsDeliveryError(f"与短信网关的通信中断（{detail}），短信可能未发送。") from None
        if not 200 <= status < 300:  # 1xx never reaches here; kept for clarity
            raise SmsDeliveryError(f"短信网关返回状态码 {status}（{reason}），短信未发送。")

    def _timed_out(self) -> SmsDeliveryError:
        return SmsDeliveryError(f"短信网关在 {self.timeout:g} 秒内没有答复，短信可能未发送。")


def configured_backend(settings: Settings) -> str:
    """The backend new messages are queued for: "http" when a gateway URL is set."""
    return HTTP_BACKEND if settings.sms_url else OUTBOX_BACKEND


def configured_gateway(settings: Settings) -> SmsGateway:
    """The hall's gateway (see the module docstring): HTTP when configured, else the outbox."""
    if not settings.sms_url:
        return OutboxGateway()
    token = settings.sms_token.get_secret_value() if settings.sms_token else None
    return HttpGateway(settings.sms_url, token or None, settings.sms_timeout)


# ------------------------------------------------------------------ queueing


def _check_text(text: str) -> str:
    body = text.strip() if isinstance(text, str) else ""
    if not body:
        raise RuleViolation("SMS_TEXT_EMPTY", "短信内容不能为空。", field="text")
    if not body.startswith(SIGNATURE):
        body = SIGNATURE + body  # every message names its sender, as the providers require
    if len(body) > MAX_TEXT:
        raise RuleViolation("SMS_TEXT_TOO_LONG", f"短信内容不能超过{MAX_TEXT}个字，请删减后重试。", field="text")
    return body


def notify(
    session: Session,
    actor: Actor,
    phone: str,
    text: str,
    *,
    purpose: str,
    case_number: str | None = None,
) -> SmsMessage:
    """Queue one SMS inside the caller's write transaction, and audit it.

    The message is sent later by ``deliver_pending`` (or by hand from the
    outbox); if the caller's transaction rolls back, no message exists.
    The audit row masks the phone and records the text's length, not the
    text: a text may carry a one-time code.
    """
    return notify_all(session, actor, [phone], text, purpose=purpose, case_number=case_number)[0]


def notify_all(
    session: Session,
    actor: Actor,
    phones: list[str],
    text: str,
    *,
    purpose: str,
    case_number: str | None = None,
) -> list[SmsMessage]:
    """``notify`` of one text to each of ``phones``, the messages stored in one statement."""
    numbers = [parse_mobile(phone) for phone in phones]
    body = _check_text(text)
    if not purpose or len(purpose) > 30:
        raise ValueError("purpose must be 1-30 characters")
    if case_number is not None and len(case_number) > 20:
        raise ValueError("case_number must be at most 20 characters")
    if not numbers:
        return []
    common = {"text": body, "purpose": purpose, "case_number": case_number,
              "backend": configured_backend(session_settings(session)), "status": QUEUED,
              "created_at": session_now(session)}
    rows = [{"phone": number, **common} for number in numbers]
    # Core, on the session's connection: a signing queues several, and the ORM's flush of one
    # new row costs more than the row (the message is never changed in this transaction).
    connection = session.connection()
    if len(rows) == 1:
        ids = [connection.execute(_INSERT_MESSAGE, rows[0]).inserted_primary_key[0]]
    else:
        ids = list(connection.execute(_INSERT_MESSAGES, rows).scalars())
    messages = [SmsMessage(id=message_id, **row) for message_id, row in zip(ids, rows, strict=True)]
    for message in messages:  # what was stored; not attached to the session
        audit.append(
            session,
            actor,
            "sms_queued",
            object_type="sms_message",
            object_id=message.id,
            case_number=case_number,
            after={"phone": message.phone, "purpose": purpose, "backend": message.backend, "length": len(body)},
        )
    return messages


_INSERT_MESSAGE = insert(SmsMessage.__table__)  # type: ignore[attr-defined]
_INSERT_MESSAGES = _INSERT_MESSAGE.returning(SmsMessage.__table__.c.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]


def count_since(session: Session, phone: str, since: datetime, until: datetime | None = None) -> int:
    """How many messages (in any status) were queued for ``phone`` from ``since``
    up to ``until`` (both inclusive; no upper bound when ``until`` is None)."""
    number = parse_mobile(phone)
    query = select(func.count()).select_from(SmsMessage).where(SmsMessage.phone == number, SmsMessage.created_at >= since)
    if until is not None:
        query = query.where(SmsMessage.created_at <= until)
    return session.execute(query).scalar_one()


def sent_today(session: Session, phone: str, now: datetime) -> int:
    """Messages queued for ``phone`` from local midnight (Asia/Shanghai) up to ``now``.

    For per-day rate limits (Chinese SMS providers allow about 10 per phone
    and day); every message counts, whatever its status.
    """
    midnight = datetime.combine(to_local(now).date(), time(0), tzinfo=SHANGHAI)
    return count_since(session, phone, midnight, now)


# ------------------------------------------------------------------ delivery


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    failed: int


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= 10_000:
        raise RuleViolation("SMS_BAD_LIMIT", "条数应在 1 到 10000 之间。", field="limit")


#: How every confirmation code appears in the texts the code services queue ("验证码123456").
_CODE_IN_TEXT = re.compile(r"验证码(\d{6})")


def redact_codes(text: str) -> str:
    """The text with its one-time code replaced by asterisks. A code is needed in the
    stored text only until the message has gone out (by the gateway or by hand); after
    that the outbox keeps what was said, not the secret."""
    return _CODE_IN_TEXT.sub("验证码******", text)


#: Stored texts that may still hold a code: "验证码" in them, but not yet "验证码******".
_MAY_HOLD_CODE = "%验证码%"
_REDACTED = "%验证码******%"


def _waiting_with_codes() -> Any:
    """The waiting messages that may still hold a code, each with the state of its code: the
    latest one made for its phone and purpose at or before the message (``services.sign_codes``
    makes the code and queues its message in one transaction, and a phone gets at most one code
    a minute). One statement, built once: the signing steps that kill a code run it."""
    m = SmsMessage.__table__.c  # type: ignore[attr-defined]
    c = OneTimeCode.__table__.c  # type: ignore[attr-defined]
    k = OneTimeCode.__table__.alias("latest_code").c  # type: ignore[attr-defined]
    latest = (select(k.id).where(k.phone == m.phone, k.purpose == m.purpose, k.created_at <= m.created_at)
              .order_by(k.created_at.desc(), k.id.desc()).limit(1).correlate(SmsMessage.__table__)
              .scalar_subquery())
    return (select(m.id, m.text, m.created_at, c.id.label("code_id"), c.used_at, c.voided_at, c.attempts,
                   c.expires_at)
            .select_from(SmsMessage.__table__.outerjoin(OneTimeCode.__table__, c.id == latest))
            .where(m.status.in_((QUEUED, SENDING)), m.text.like(_MAY_HOLD_CODE), m.text.not_like(_REDACTED))
            .order_by(m.id))


_WAITING = _waiting_with_codes()
_WAITING_OF_PHONE = _WAITING.where(SmsMessage.__table__.c.phone == bindparam("phone"))
_SET_TEXT = (update(SmsMessage.__table__).where(SmsMessage.__table__.c.id == bindparam("message_id"))
             .values(text=bindparam("redacted")))


def _code_is_dead(row: Any, now: datetime) -> bool:
    """Whether the code a waiting message carries (``row``: a row of ``_WAITING``) can no longer
    be used: used, voided (a newer code, a changed contract), out of tries or expired. A message
    with a code but no code row dies with its age."""
    if row.code_id is None:
        return row.created_at + CODE_TTL <= now
    return (row.used_at is not None or row.voided_at is not None or row.attempts >= MAX_ATTEMPTS
            or row.expires_at <= now)


def redact_dead_codes(session: Session, actor: Actor, *, phone: str | None = None,
                      besides: int | None = None) -> list[int]:
    """In the caller's write transaction: take every dead one-time code out of the texts
    still waiting in the outbox; returns the messages redacted (one audit row for all).

    Sent and failed messages lost their codes already; this covers the ones
    waiting to be sent by hand whose code expired, was used or was replaced.
    ``phone`` limits the sweep to one phone's messages: a signing that kills a code
    touches only that phone's rows, so thirty-two clerks signing at once do not queue
    on each other's messages (the outbox read, delivery and ``sms sweep`` take all).
    ``besides``: a message left as it is (the one just queued with a live code).
    """
    now = session_now(session)
    session.flush()  # the caller's changes (a message marked sent, a code used) first
    connection = session.connection()
    waiting = connection.execute(_WAITING if phone is None else _WAITING_OF_PHONE,
                                 {} if phone is None else {"phone": phone}).all()
    changes = [{"message_id": row.id, "redacted": redact_codes(row.text)} for row in waiting
               if row.id != besides and _CODE_IN_TEXT.search(row.text) and _code_is_dead(row, now)]
    redacted: list[int] = [change["message_id"] for change in changes]
    if changes:
        connection.execute(_SET_TEXT, changes)
        for message_id in redacted:  # a message this transaction holds reads its new text
            held = session.identity_map.get(identity_key(SmsMessage, message_id))
            if held is not None:
                session.expire(held, ["text"])
        audit.append(session, actor, "sms_codes_redacted", object_type="sms_message",
                     object_id=redacted[0] if len(redacted) == 1 else None, after={"messages": redacted})
    return redacted


def sweep_codes(db: Database, actor: Actor) -> int:
    """Redact the dead codes of waiting messages now (``wangqian sms sweep``, e.g. from cron)."""
    authorise(db, actor, Permission.SMS_OUTBOX)
    with db.write() as session:
        return len(redact_dead_codes(session, actor))


def _claim(db: Database, gateway: SmsGateway) -> tuple[int, str, str] | None:
    """Take the oldest message waiting for this gateway (or one whose delivery was
    abandoned by a crash), in a short transaction of its own: (id, phone, text)."""
    now = db.now()
    stale = now - CLAIM_STALE_AFTER
    with db.write() as session:
        message = session.execute(
            select(SmsMessage)
            .where(SmsMessage.backend == gateway.name,
                   or_(SmsMessage.status == QUEUED,
                       and_(SmsMessage.status == SENDING, SmsMessage.claimed_at < stale)))
            .order_by(SmsMessage.created_at, SmsMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL: two deliverers take different rows
        ).scalar_one_or_none()
        if message is None:
            return None
        message.status = SENDING
        message.claimed_at = now
        return message.id, message.phone, message.text  # type: ignore[return-value]


def _record(db: Database, actor: Actor, message_id: int, error: str | None) -> str:
    """The gateway's answer, in a short transaction of its own."""
    with db.write() as session:
        message = session.get(SmsMessage, message_id, with_for_update=True)
        assert message is not None
        if message.status != SENDING:  # marked sent by hand meanwhile: nothing to record
            return message.status
        if error is None:
            message.status = SENT
            message.sent_at = db.now()
            message.error = None
            message.text = redact_codes(message.text)
        else:
            message.status = FAILED
            message.error = error[:MAX_ERROR]
            message.text = redact_codes(message.text)  # a failed code is dead for the party: no secret kept
        message.claimed_at = None
        after: dict[str, object] = {"status": message.status}
        if message.error:
            after["error"] = message.error
        audit.append(
            session,
            actor,
            "sms_sent" if message.status == SENT else "sms_failed",
            object_type="sms_message",
            object_id=message.id,
            case_number=message.case_number,
            before={"status": QUEUED},
            after=after,
        )
        return message.status


def _deliver_one(db: Database, actor: Actor, gateway: SmsGateway) -> str | None:
    """Send the oldest queued message; returns its new status, or None if none is left.

    Claim, send, record: no transaction (and on SQLite no write lock) is open
    while the gateway is being called, however long it takes to answer.
    """
    claimed = _claim(db, gateway)
    if claimed is None:
        return None
    message_id, phone, text = claimed
    try:
        gateway.send(phone, text, message_id=message_id)
    except SmsDeliveryError as exc:
        return _record(db, actor, message_id, exc.message)
    return _record(db, actor, message_id, None)


def deliver_pending(db: Database, actor: Actor, gateway: SmsGateway, *, limit: int = 100) -> DeliveryReport:
    """Send up to ``limit`` queued messages through ``gateway``, oldest first.

    One transaction per message (see the module docstring for the
    at-least-once semantics). With the ``OutboxGateway`` nothing is sent:
    staff send those messages by hand.
    """
    authorise(db, actor, Permission.SMS_OUTBOX)
    _check_limit(limit)
    if gateway.name == OUTBOX_BACKEND:
        return DeliveryReport(0, 0)
    with db.write() as session:  # a dead code is not worth sending
        redact_dead_codes(session, actor)
    sent = failed = 0
    for _ in range(limit):
        status = _deliver_one(db, actor, gateway)
        if status is None:
            break
        if status == SENT:
            sent += 1
        else:
            failed += 1
    return DeliveryReport(sent, failed)


def mark_sent(db: Database, actor: Actor, message_ids: Iterable[int]) -> int:
    """Staff record messages sent by hand (queued or failed → sent).

    Supervisors mark any message, a clerk the messages of their own cases
    (see the module docstring). All or nothing: an unknown id, a message
    already sent or one outside the clerk's cases refuses the whole batch.
    The rows are locked first, so a delivery in flight and a second member of
    staff cannot both mark one message.
    """
    everything = _authorise_outbox(db, actor)
    ids = sorted(set(message_ids))
    if not ids:
        raise RuleViolation("SMS_NONE_SELECTED", "请先选择要标记为已发送的短信。")
    with db.write() as session:
        rows = {
            m.id: m
            for m in session.execute(
                select(SmsMessage).where(SmsMessage.id.in_(ids)).order_by(SmsMessage.id).with_for_update()
            ).scalars()
        }
        missing = [i for i in ids if i not in rows]
        if missing:
            raise RuleViolation("SMS_NOT_FOUND", f"没有找到编号为 {missing[0]} 的短信。")
        if not everything:
            _refuse_others(session, actor, ids)
        done = [i for i in ids if rows[i].status == SENT]
        if done:
            raise RuleViolation("SMS_ALREADY_SENT", f"编号为 {done[0]} 的短信已标记为已发送。")
        now = db.now()
        for i in ids:
            message = rows[i]
            before = message.status
            message.status = SENT
            message.sent_at = now
            message.text = redact_codes(message.text)
            audit.append(
                session,
                actor,
                "sms_marked_sent",
                object_type="sms_message",
                object_id=message.id,
                case_number=message.case_number,
                before={"status": before},
                after={"status": SENT},
            )
        redact_dead_codes(session, actor)
    return len(ids)


# ------------------------------------------------------------------ the outbox


@dataclass(frozen=True)
class OutboxRow:
    id: int
    created: str  # Asia/Shanghai
    phone: str  # masked
    purpose: str
    purpose_label: str  # what the message was for, in Chinese
    case_number: str | None
    status: str  # label: 待发送 / 已发送 / 发送失败
    text: str
    status_code: str  # queued / sent / failed
    error: str | None


# What each message was for (SmsMessage.purpose); confirmation codes use their code purposes.
PURPOSE_LABELS: dict[str, str] = {
    "lease_approved": "签约审核通过",
    "lease_rejected": "签约审核退回",
    "supplementary_round": "补充选房通知",
    "sign_confirm": "签约确认验证码",
    "cancel_confirm": "注销确认验证码",
    "revocation": "撤销验证码",
    "qualification": "购房资格审查结果",
    "contract_notice": "网签业务通知",
}


def sees_every_message(actor: Actor | None) -> bool:
    """Whether ``actor``'s outbox is the whole hall's (supervisors) or their own cases' (clerks)."""
    return actor is not None and actor.can(Permission.SMS_OUTBOX)


def _authorise_outbox(db: Database | Session, actor: Actor | None) -> bool:
    """Refuse unless ``actor`` may use an outbox now; True when they see every message."""
    if sees_every_message(actor):
        authorise(db, actor, Permission.SMS_OUTBOX)
        return True
    authorise(db, actor, Permission.CASE_WORK)
    return False


def _own_cases(actor: Actor):  # type: ignore[no-untyped-def]
    """The clerk's scope as a condition on ``SmsMessage``: its case is one they hold or
    have acted on (any audit row of theirs under that case number; indexed)."""
    acted = select(AuditEntry.seq).where(AuditEntry.case_number == SmsMessage.case_number,
                                         AuditEntry.operator == actor.username).exists()
    held = select(Case.id).where(Case.number == SmsMessage.case_number,
                                 Case.holder_id == actor.operator_id).exists()
    return and_(SmsMessage.case_number.is_not(None), or_(acted, held))


def _refuse_others(session: Session, actor: Actor, ids: list[int]) -> None:
    """A clerk acts only on the messages of their own cases."""
    mine = set(session.execute(select(SmsMessage.id).where(SmsMessage.id.in_(ids), _own_cases(actor))).scalars())
    others = [i for i in ids if i not in mine]
    if others:
        raise RuleViolation("SMS_NOT_YOURS", f"编号为 {others[0]} 的短信不属于您经办的业务，请由审核主管处理。")


def outbox(db: Database, actor: Actor, *, status: str | None = None, limit: int = 200) -> list[OutboxRow]:
    """The messages, newest first, phones masked: every message for supervisors, the
    messages of their own cases for a clerk (see the module docstring).

    Reading the outbox first takes dead codes out of the waiting texts, in the
    database (``redact_dead_codes``).
    """
    everything = _authorise_outbox(db, actor)
    if status is not None:
        status = code_or_label(status, STATUS_LABELS)
        if status is None:
            raise RuleViolation("SMS_BAD_STATUS", f"短信状态只能是以下之一：{choices_said(STATUS_LABELS)}。",
                                field="status")
    _check_limit(limit)
    query = select(SmsMessage).order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc()).limit(limit)
    if status is not None:
        query = query.where(SmsMessage.status == status)
    if not everything:
        query = query.where(_own_cases(actor))
    with db.write() as session:
        redact_dead_codes(session, actor)
        return [_row(m) for m in session.execute(query).scalars()]


def _row(m: SmsMessage) -> OutboxRow:
    return OutboxRow(
        id=m.id,  # type: ignore[arg-type]
        created=show(m.created_at),
        phone=mask_phone(m.phone),
        purpose=m.purpose,
        purpose_label=PURPOSE_LABELS.get(m.purpose, m.purpose),
        case_number=m.case_number,
        status=STATUS_LABELS.get(m.status, m.status),
        text=m.text,
        status_code=m.status,
        error=m.error,
    )


@dataclass(frozen=True)
class RevealedMessage:
    """One message as it is sent by hand: the full phone number and the text."""

    row: OutboxRow  # as listed (phone masked)
    phone: str  # the full number


def reveal(db: Database, actor: Actor, message_id: int) -> RevealedMessage:
    """The full phone number (and current text) of one message, for sending it by hand.

    Audited (``sms_phone_revealed``: who saw which message's number; the
    audit row never holds the number). A clerk may reveal only the messages
    of their own cases.
    """
    everything = _authorise_outbox(db, actor)
    with db.write() as session:
        redact_dead_codes(session, actor)
        message = session.get(SmsMessage, message_id)
        if message is None:
            raise RuleViolation("SMS_NOT_FOUND", f"没有找到编号为 {message_id} 的短信。")
        if not everything:
            _refuse_others(session, actor, [message_id])
        audit.append(session, actor, "sms_phone_revealed", object_type="sms_message", object_id=message.id,
                     case_number=message.case_number, after={"purpose": message.purpose, "status": message.status})
        return RevealedMessage(_row(message), message.phone)
