"""One-time SMS signing codes: policy, rate limits, single use under concurrency,
version binding, the outbox text, hashing, and the audit log (both databases)."""

from __future__ import annotations

import re
import stat
import threading
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core import codes
from core.errors import RuleViolation
from core.roles import Actor, Role
from services import sign_codes, sms
from storage.engine import Database
from storage.models import AuditEntry, OneTimeCode, SmsMessage
from tests.conftest import TEST_CODE_KEY, accounts_for, at, configure

CLERK = Actor(102, "clerk_a", "测试受理员", Role.CLERK, "01")
_accounts = accounts_for(CLERK)
PHONE = "13812345678"
MASKED = "138****5678"
OTHER_PHONE = "13900001111"
# 10:00 in Shanghai: the day boundary is far away.
T0 = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)


def _text(code: str) -> str:
    return f"【网签】您正在签署浦东新区锦绣路100弄3号1201室买卖合同，成交价人民币5,800,000元，验证码{code}，5分钟内有效。"


def _send(db: Database, *, now: datetime = T0, party: str = "buyer:1", phone: str = PHONE,
          version: int = 1, subject_id: int = 7) -> tuple[sign_codes.CodeSent, str]:
    """Send a code and return it with the code read back from the outbox."""
    sent = sign_codes.send_code(
        at(db, now), CLERK, purpose="sign_confirm", subject_type="contract", subject_id=subject_id,
        subject_version=version, party_key=party, phone=phone, sms_text=_text, case_number="WQ2024000007",
    )
    with db.read() as s:
        text = s.execute(select(SmsMessage.text).order_by(SmsMessage.id.desc()).limit(1)).scalar_one()
    return sent, re.search(r"验证码(\d{6})", text).group(1)  # type: ignore[union-attr]


def _verify(db: Database, sent: sign_codes.CodeSent, code: str, *, version: int = 1, now: datetime = T0):
    return sign_codes.verify_code(at(db, now), CLERK, code_id=sent.code_id, subject_version=version, code=code)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _row(db: Database, code_id: int) -> OneTimeCode:
    with db.read() as s:
        return s.get(OneTimeCode, code_id)  # type: ignore[return-value]


# ------------------------------------------------------------------ pure


@given(st.integers(min_value=0, max_value=10**6 - 1))
def test_format_code_is_always_six_digits(n: int) -> None:
    code = codes.format_code(n)
    assert len(code) == 6 and code.isdigit() and int(code) == n


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**9))
def test_new_code_is_always_six_digits(_: int) -> None:
    code = codes.new_code()
    assert re.fullmatch(r"\d{6}", code)


def test_code_input_is_normalized_and_checked() -> None:
    assert codes.normalize_code(" １２３ ４５６ ") == "123456"
    for bad in ("12345", "1234567", "12a456", "١٢٣٤٥٦"):
        with pytest.raises(RuleViolation) as err:
            codes.normalize_code(bad)
        assert err.value.code == "CODE_BAD_FORMAT"
    with pytest.raises(RuleViolation, match="CODE_EMPTY"):
        codes.normalize_code("  ")
    with pytest.raises(ValueError):
        codes.format_code(10**6)


def test_policy_constants() -> None:
    assert codes.CODE_TTL == timedelta(minutes=5)
    assert (codes.MAX_ATTEMPTS, codes.DAILY_LIMIT) == (5, 10)
    assert codes.RESEND_AFTER == timedelta(seconds=60)


# ------------------------------------------------------------------ with a database


def test_happy_path_stores_a_hash_queues_the_text_and_audits(db: Database) -> None:
    sent, code = _send(db)
    assert sent.masked_phone == MASKED and sent.expires_at == T0 + codes.CODE_TTL
    row = _row(db, sent.code_id)
    key = TEST_CODE_KEY.encode()
    assert code not in row.code_hash and row.code_hash.startswith(f"hmac-sha256:{codes.key_id(key)}:")
    binding = "sign_confirm\x1fcontract\x1f7\x1fbuyer:1\x1f1"
    assert codes.check_code(row.code_hash, code, binding, [key])
    # the digest is bound to what the code confirms, and useless without the key
    assert not codes.check_code(row.code_hash, code, binding.replace("buyer:1", "seller:2"), [key])
    assert not codes.check_code(row.code_hash, code, binding, [b"another-key-0123456789abcdef-0123456789"])
    with db.read() as s:
        message = s.execute(select(SmsMessage)).scalar_one()
    assert "锦绣路100弄3号1201室" in message.text and "5,800,000元" in message.text and code in message.text
    assert message.status == sms.QUEUED and message.purpose == "sign_confirm"

    done = _verify(db, sent, code, now=T0 + timedelta(minutes=4))
    assert (done.party_key, done.subject_version, done.masked_phone) == ("buyer:1", 1, MASKED)
    assert sign_codes.verified_parties(db, "contract", 7, 1) == {"buyer:1"}
    assert sign_codes.verified_parties(db, "contract", 7, 1, purpose="cancel_confirm") == set()
    with pytest.raises(RuleViolation, match="CODE_ALREADY_USED"):
        _verify(db, sent, code)

    with db.read() as s:
        entries = list(s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())
    actions = [e.action for e in entries]
    assert "sign_code_sent" in actions and "sign_code_verified" in actions and "sms_queued" in actions
    for e in entries:
        blob = f"{e.before} {e.after}"
        assert PHONE not in blob and code not in blob
    assert any(MASKED in (e.after or "") for e in entries if e.action == "sign_code_sent")


def test_lookup_by_subject_and_party_takes_the_latest_code(db: Database) -> None:
    first, old = _send(db)
    second, new = _send(db, now=T0 + timedelta(seconds=61))
    assert _row(db, first.code_id).voided_at is not None  # a resend voids the earlier code
    with pytest.raises(RuleViolation, match="CODE_VOIDED"):
        _verify(db, first, old, now=T0 + timedelta(seconds=62))
    done = sign_codes.verify_code(at(db, T0 + timedelta(seconds=62)), CLERK, subject_type="contract", subject_id=7, party_key="buyer:1",
                                  subject_version=1, code=new)
    assert done.code_id == second.code_id
    with pytest.raises(RuleViolation, match="CODE_NOT_FOUND"):
        sign_codes.verify_code(db, CLERK, subject_type="contract", subject_id=7, party_key="seller:2",
                               subject_version=1, code=new)


def test_wrong_code_five_times_then_dead(db: Database) -> None:
    sent, code = _send(db)
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(RuleViolation) as err:
            _verify(db, sent, _wrong(code))
        assert err.value.code == "CODE_WRONG"
        assert (f"还可再试{left}次" in err.value.message) if left else ("已失效" in err.value.message)
        assert _row(db, sent.code_id).attempts == 5 - left  # committed although the call raised
    with pytest.raises(RuleViolation, match="CODE_TOO_MANY_ATTEMPTS"):
        _verify(db, sent, code)  # even the right code: the code is dead
    assert _row(db, sent.code_id).used_at is None
    with db.read() as s:
        wrong = s.execute(select(AuditEntry).where(AuditEntry.action == "sign_code_wrong")).scalars().all()
    assert len(wrong) == 5 and all(PHONE not in (e.after or "") for e in wrong)


def test_malformed_input_costs_no_try(db: Database) -> None:
    sent, code = _send(db)
    with pytest.raises(RuleViolation, match="CODE_BAD_FORMAT"):
        _verify(db, sent, "12ab")
    assert _row(db, sent.code_id).attempts == 0
    assert _verify(db, sent, code).code_id == sent.code_id


def test_expired_code(db: Database) -> None:
    sent, code = _send(db)
    with pytest.raises(RuleViolation, match="CODE_EXPIRED"):
        _verify(db, sent, code, now=T0 + codes.CODE_TTL)
    assert _row(db, sent.code_id).attempts == 0
    assert _verify(db, sent, code, now=T0 + codes.CODE_TTL - timedelta(seconds=1)).code_id == sent.code_id


def test_resend_too_soon_then_after_a_minute(db: Database) -> None:
    _send(db)
    with pytest.raises(RuleViolation) as err:
        _send(db, now=T0 + timedelta(seconds=20))
    assert err.value.code == "CODE_RESEND_TOO_SOON" and "40秒" in err.value.message
    # The same phone for another party of another contract is also too soon.
    with pytest.raises(RuleViolation, match="CODE_RESEND_TOO_SOON"):
        _send(db, now=T0 + timedelta(seconds=59), party="seller:2", subject_id=8)
    # The same party on another phone is too soon as well.
    with pytest.raises(RuleViolation, match="CODE_RESEND_TOO_SOON"):
        _send(db, now=T0 + timedelta(seconds=30), phone=OTHER_PHONE)
    # Another party on another phone is not held up.
    _send(db, now=T0 + timedelta(seconds=30), party="seller:2", phone=OTHER_PHONE)
    sent, _ = _send(db, now=T0 + timedelta(seconds=60))
    assert sent.code_id
    with db.read() as s:
        assert len(s.execute(select(SmsMessage)).scalars().all()) == 3  # refusals queued nothing


def test_eleventh_code_of_the_day_is_refused(db: Database) -> None:
    for i in range(10):
        _send(db, now=T0 + timedelta(minutes=2 * i), subject_id=100 + i)
    with pytest.raises(RuleViolation, match="CODE_DAILY_LIMIT"):
        _send(db, now=T0 + timedelta(minutes=30), subject_id=200)
    # Another phone is unaffected; the next Shanghai day (from 16:00 UTC) starts afresh.
    _send(db, now=T0 + timedelta(minutes=30), subject_id=200, phone=OTHER_PHONE)
    next_day = datetime(2024, 5, 6, 16, 0, tzinfo=UTC)
    assert _send(db, now=next_day, subject_id=201)[0].code_id


def test_bad_phone_and_bad_text_are_refused(db: Database) -> None:
    with pytest.raises(RuleViolation, match="PHONE_BAD_FORMAT"):
        _send(db, phone="1234")
    with pytest.raises(ValueError):
        sign_codes.send_code(at(db, T0), CLERK, purpose="sign_confirm", subject_type="contract", subject_id=7,
                             subject_version=1, party_key="buyer:1", phone=PHONE,
                             sms_text=lambda code: "没有验证码的短信")
    with db.read() as s:
        assert s.execute(select(OneTimeCode)).first() is None


def test_contract_change_voids_codes_and_binds_the_version(db: Database) -> None:
    buyer, buyer_code = _send(db)
    seller, seller_code = _send(db, party="seller:2", phone=OTHER_PHONE)
    assert _verify(db, seller, seller_code).party_key == "seller:2"
    # The contract changes (version 1 -> 2) in the caller's transaction.
    with at(db, T0).write() as session:
        assert sign_codes.void_codes(session, CLERK, subject_type="contract", subject_id=7) == 1
    with pytest.raises(RuleViolation) as err:
        _verify(db, buyer, buyer_code, version=2)
    assert err.value.code == "CODE_VERSION_CHANGED" and err.value.message == "合同内容已变更，验证码已失效，请重新获取。"
    with pytest.raises(RuleViolation, match="CODE_VOIDED"):
        _verify(db, buyer, buyer_code, version=1)
    assert sign_codes.verified_parties(db, "contract", 7, 1) == {"seller:2"}
    assert sign_codes.verified_parties(db, "contract", 7, 2) == set()
    # Fresh codes for version 2: both parties must confirm again.
    fresh, code = _send(db, now=T0 + timedelta(minutes=2), version=2)
    assert _verify(db, fresh, code, version=2, now=T0 + timedelta(minutes=2)).subject_version == 2
    assert sign_codes.verified_parties(db, "contract", 7, 2) == {"buyer:1"}
    with db.read() as s:
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "sign_code_voided")).scalar_one()


def test_void_rolls_back_with_the_callers_transaction(db: Database) -> None:
    sent, code = _send(db)
    with pytest.raises(RuntimeError), db.write() as session:
        sign_codes.void_codes(session, CLERK, subject_type="contract", subject_id=7)
        raise RuntimeError("the contract change failed")
    assert _verify(db, sent, code).code_id == sent.code_id


def test_two_terminals_verifying_at_once_exactly_one_succeeds(db: Database) -> None:
    now = datetime.now(UTC)
    sent, code = _send(db, now=now)
    barrier = threading.Barrier(2)
    results: list[object] = []
    lock = threading.Lock()

    def terminal() -> None:
        own = db.reopen()
        try:
            barrier.wait()
            try:
                outcome: object = sign_codes.verify_code(own, CLERK, code_id=sent.code_id, subject_version=1, code=code)
            except RuleViolation as exc:
                outcome = exc.code
            with lock:
                results.append(outcome)
        finally:
            own.dispose()

    threads = [threading.Thread(target=terminal) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 2
    wins = [r for r in results if isinstance(r, sign_codes.Verified)]
    assert len(wins) == 1 and [r for r in results if not isinstance(r, sign_codes.Verified)] == ["CODE_ALREADY_USED"]
    with db.read() as s:
        verified = s.execute(select(AuditEntry).where(AuditEntry.action == "sign_code_verified")).scalars().all()
    assert len(verified) == 1


# ------------------------------------------------------------------ the code key


OTHER_KEY = "wangqian-rotated-code-key-fedcba9876543210"


def test_a_rotated_key_keeps_checking_live_codes_until_dropped(db: Database) -> None:
    sent, code = _send(db)
    second, code2 = _send(db, party="seller:2", phone=OTHER_PHONE)
    configure(db, code_key=OTHER_KEY, code_key_previous=TEST_CODE_KEY)  # the switch
    assert _verify(db, sent, code).party_key == "buyer:1"  # made under the old key: still good
    configure(db, code_key=OTHER_KEY, code_key_previous=None)  # the old key dropped
    with pytest.raises(RuleViolation, match="CODE_WRONG"):
        _verify(db, second, code2)
    fresh, code3 = _send(db, party="seller:3", phone="13700002222")  # new codes use the new key
    assert _row(db, fresh.code_id).code_hash.startswith(f"hmac-sha256:{codes.key_id(OTHER_KEY.encode())}:")
    assert _verify(db, fresh, code3).party_key == "seller:3"


def test_without_a_configured_key(db: Database) -> None:
    """SQLite (one terminal): a key of its own in the data folder, owner-only; a shared
    database: refused until the hall configures one, and nothing is written."""
    configure(db, code_key=None)
    if db.is_sqlite:
        sent, code = _send(db)
        key_file = db.settings.data_folder() / "code.key"
        assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert _verify(db.reopen(), sent, code).party_key == "buyer:1"  # another handle reads the same key
        return
    with pytest.raises(RuleViolation) as refused:
        _send(db)
    assert refused.value.code == "CODE_KEY_MISSING" and "WANGQIAN_CODE_KEY" in refused.value.message
    with db.read() as s:
        assert s.execute(select(OneTimeCode)).first() is None and s.execute(select(SmsMessage)).first() is None
