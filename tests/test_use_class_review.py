"""限购/限售核定 (seed 001 §5.2.1.3 第3条): a house check in 待核定 is decided by a supervisor,
the person at the window is told by SMS, and the next check follows the decision."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from core.errors import RuleViolation
from core.roles import Role
from core.timeutil import SHANGHAI
from services import audit
from services.resale import house_check as hc
from services.resale import use_class_review as review
from storage.models import AuditEntry, Home, HomeOwner, Person, SmsMessage, UseClassReview
from tests.conftest import SYSTEM, at, make_operator

DAY = date(2026, 11, 21)


def _on(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def _unnormalised_home(db):
    """A Shenzhen home with one owner, free to trade but for its use class, now not normalised:
    (home id, owner's person id, owner's phone)."""
    with db.write() as s:
        for home in s.execute(select(Home).where(
                Home.city == "shenzhen", Home.valid.is_(True), Home.restricted.is_(False), Home.seized.is_(False),
                Home.mortgaged.is_(False), Home.in_transaction.is_(False), Home.co_ownership == "sole",
                Home.use_class_normalised.is_(True)).order_by(Home.id)).scalars():
            owners = s.execute(select(HomeOwner).where(HomeOwner.home_id == home.id)).scalars().all()
            if len(owners) != 1 or owners[0].person_id is None:
                continue
            person = s.get(Person, owners[0].person_id)
            if person.blacklisted or person.real_name_level < 4 or not person.phone:
                continue
            same_certificate = s.execute(select(Home.id).where(Home.certificate_number == home.certificate_number)).all()
            if len(same_certificate) != 1:
                continue
            home.use_class_normalised = False
            return home.id, person.id, person.phone
    pytest.skip("the sample data holds no such home")


@pytest.fixture
def hall(sample_db):
    """The home above; a clerk and two supervisors."""
    clerk = make_operator(sample_db, "ucr_clerk", Role.CLERK, window="07")
    boss = make_operator(sample_db, "ucr_super", Role.SUPERVISOR)
    other = make_operator(sample_db, "ucr_super2", Role.SUPERVISOR)
    return (sample_db, clerk, boss, other, *_unnormalised_home(sample_db))


def _check(db, who, home_id, person_id, day=DAY, hour=10):
    return hc.run_house_check(at(db, _on(day, hour)), who, city="shenzhen", home_id=home_id,
                              party=hc.Counterparty(person_id, identity_verified=True))


def test_check_waits_for_review_and_is_queued_once_per_home(hall):
    db, clerk, boss, _other, home_id, person_id, _phone = hall
    first = _check(db, clerk, home_id, person_id, hour=10)
    second = _check(db, clerk, home_id, person_id, hour=11)
    assert first.verdict == second.verdict == "review" and first.house_code is None
    queue = review.pending_reviews(db, boss)
    assert [(item.home_id, item.house_check_id) for item in queue] == [(home_id, second.id)]
    assert queue[0].checked_by == clerk.name


def test_a_residence_decision_lets_the_next_check_pass_and_texts_the_owner(hall):
    db, clerk, boss, _other, home_id, person_id, phone = hall
    check = _check(db, clerk, home_id, person_id)
    decided = review.decide_use_class(at(db, _on(DAY, 15)), boss, check.id, "residential")
    assert decided.sms_sent_to is not None and "按住宅办理" in decided.message
    with db.read() as s:
        home = s.get(Home, home_id)
        assert (home.use_class, home.use_class_normalised, home.restricted) == ("residential", True, False)
        texts = s.execute(select(SmsMessage.text).where(SmsMessage.phone == phone,
                                                        SmsMessage.purpose == "use_class_review")).scalars().all()
        actions = s.execute(select(AuditEntry.action)).scalars().all()
    assert len(texts) == 1 and texts[0].startswith("【网签】") and "重新进行房源核验" in texts[0]
    assert "use_class_review" in actions and audit.verify(db, SYSTEM).intact
    assert review.pending_reviews(db, boss) == []
    again = _check(db, clerk, home_id, person_id, day=date(2026, 11, 23))  # the next working day
    assert again.passed and again.house_code


def test_a_restriction_refuses_the_next_check_and_needs_a_reason(hall):
    db, clerk, boss, _other, home_id, person_id, _phone = hall
    check = _check(db, clerk, home_id, person_id)
    with pytest.raises(RuleViolation) as err:
        review.decide_use_class(db, boss, check.id, "restricted", reason="  ")
    assert err.value.code == "USE_CLASS_REASON_REQUIRED"
    review.decide_use_class(db, boss, check.id, "restricted", reason="[/x] 属于限售房屋")
    with pytest.raises(RuleViolation) as err:
        review.decide_use_class(db, boss, check.id, "residential")
    assert err.value.code == "USE_CLASS_ALREADY_DECIDED"
    again = _check(db, clerk, home_id, person_id, day=date(2026, 11, 23))
    assert again.verdict == "refused" and "HOUSE_NOT_RESTRICTED" in [ln.code for ln in again.failures]
    with db.read() as s:
        row = s.execute(select(UseClassReview)).scalar_one()
    assert (row.decision, row.reason) == ("restricted", "[/x] 属于限售房屋")


def test_refusals_write_nothing(hall):
    db, clerk, boss, other, home_id, person_id, _phone = hall
    check = _check(db, clerk, home_id, person_id)
    own = _check(db, boss, home_id, person_id, hour=11)  # a supervisor ran this check at the counter
    cases = [
        (clerk, check.id, "residential", "ROLE_FORBIDDEN"),
        (boss, own.id, "office", "USE_CLASS_OWN_CHECK"),
        (boss, check.id, "住宅😀", "USE_CLASS_BAD_DECISION"),
        (boss, 10**9, "office", "USE_CLASS_CHECK_NOT_FOUND"),
        (boss, check.id, "office", None),  # allowed, below: the reason is too long
    ]
    with db.read() as s:
        audit_before = len(s.execute(select(AuditEntry.seq)).all())
    for who, check_id, decision, code in cases[:-1]:
        with pytest.raises(RuleViolation) as err:
            review.decide_use_class(db, who, check_id, decision)
        assert err.value.code == code
    with pytest.raises(RuleViolation) as err:
        review.decide_use_class(db, other, check.id, "office", reason="字" * 201)
    assert err.value.code == "USE_CLASS_REASON_TOO_LONG"
    with db.read() as s:
        assert s.execute(select(UseClassReview)).all() == []
        assert len(s.execute(select(AuditEntry.seq)).all()) == audit_before
        assert s.get(Home, home_id).use_class_normalised is False


def test_a_passed_check_is_not_reviewed(hall):
    db, clerk, boss, _other, home_id, person_id, _phone = hall
    with db.write() as s:
        s.get(Home, home_id).use_class_normalised = True
    check = _check(db, clerk, home_id, person_id)
    with pytest.raises(RuleViolation) as err:
        review.decide_use_class(db, boss, check.id, "residential")
    assert err.value.code == "USE_CLASS_NOT_PENDING"


def test_a_disabled_supervisor_cannot_decide(hall):
    from services import operators

    db, clerk, boss, _other, home_id, person_id, _phone = hall
    check = _check(db, clerk, home_id, person_id)
    admin = make_operator(db, "ucr_admin", Role.ADMIN)
    operators.set_active(db, admin, boss.username, False)
    with pytest.raises(RuleViolation) as err:
        review.decide_use_class(db, boss, check.id, "residential")
    assert err.value.code == "ACCOUNT_DISABLED"


def test_from_the_command_line(cli_sample_db):
    """`wangqian contract use-class-queue` and `decide-use-class`, as an operator at the server's shell."""
    import json

    from typer.testing import CliRunner

    from tui.cli.main import app

    runner = CliRunner()
    db = cli_sample_db
    clerk = make_operator(db, "ucr_cli", Role.CLERK, window="08")
    home_id, person_id, _phone = _unnormalised_home(db)
    check = hc.run_house_check(db, clerk, city="shenzhen", home_id=home_id,
                               party=hc.Counterparty(person_id, identity_verified=True))
    assert check.verdict == "review"
    queued = runner.invoke(app, ["contract", "use-class-queue", "--json"])
    assert queued.exit_code == 0 and [r["check"] for r in json.loads(queued.stdout)] == [check.id]
    bad = runner.invoke(app, ["contract", "decide-use-class", str(check.id), "--decision", "maybe"])
    assert bad.exit_code == 2 and "USE_CLASS_BAD_DECISION" in bad.stderr and "核定结论" in bad.stderr
    missing = runner.invoke(app, ["contract", "decide-use-class", str(check.id), "--decision", "restricted"])
    assert missing.exit_code == 1 and "须填写原因" in missing.stderr
    done = runner.invoke(app, ["contract", "decide-use-class", str(check.id), "--decision", "office"])
    assert done.exit_code == 0, done.output
    assert "按办公用房办理" in done.stdout
    assert "没有待限购" in runner.invoke(app, ["contract", "use-class-queue"]).stdout
    with db.read() as s:
        assert s.get(Home, home_id).use_class == "office"
