"""The demo: the committed sample loaded into a hall's empty database, and
synthetic persons for benchmarks.

``load_demo`` loads the sample in ONE transaction: the register, families and
house pool (``demo.sample``), then the sample's selection rounds played through
the round services as the counter would — each round created with its
families and its case (业务号 dated the day the sample says the round was
created, so the sample never takes the numbers of the demo's own day), their
wish lists (inserted as the families left them), their give-ups (主动放弃) and confirms (确认正选), the
runs of the rounds that are over (publishing their results with hash-chained
journals), and the supplementary applications (补选申请) of families left
without a house; then a round of the demo's own day, set up through the
setup use cases (``_play_today_round``: its formal selection closed just before
the demo was made, so it is ready to be run); then a developer's new-house presale through the
presale services (``demo.presale``: its people, project, two buildings, rooms, fund agreement,
permits and presale contracts in every state, on days counted back from the load); then the
resale contracts of the three cities, from the
house check to filing and change, through the contract services
(``demo.contracts``, made at load time, so the demo draft lives 24 hours).

Each step runs at the moment the sample gives it (``rounds.json`` and
friends) on the loader's own clock; the contracts at the handle's "now". A
failure at any step rolls all of it back and is raised as DATA_SAMPLE_FAILED:
the database is left empty, never half a demo.

Nothing in ``services`` imports this package: the demo is made through the
use cases, never the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlmodel import Session

from core.clock import ManualClock
from core.errors import RuleViolation
from core.roles import Actor, Permission, require
from services import audit, data
from storage.engine import Database, OneTransaction
from storage.models import AllocationRound, Family, Person


# The steps ``load_demo`` reports to its ``progress`` (each as it begins).
DEMO_STEPS = ("数据库结构", "申请人、家庭与房源登记", "选房场次", "补选申请", "今日待运行的场次", "新建商品房预售",
              "二手房网签合同")

Progress = Callable[[int, int, str], None]
"""Told (step number from 1, number of steps, what the step does) as each step begins."""


def load_demo(db: Database, actor: Actor, *, directory: Path | None = None,
              progress: Progress | None = None) -> dict[str, int]:
    """Migrate, then load the sample into the empty database; returns the counts per table.
    ``progress`` is told each of ``DEMO_STEPS`` as it begins (the first start shows them)."""
    say = _step_teller(progress)
    say(0)
    data.upgrade(db, actor)
    with db.write() as session:
        if session.execute(select(func.count()).select_from(Person)).scalar_one():
            raise RuleViolation("DATA_NOT_EMPTY", "数据库中已有申请人数据，不能重复导入示例数据。")
        try:
            counts = _load_sample(db, session, actor, directory, say)
        except Exception as exc:
            # The `with` block rolls everything back on the way out.
            detail = exc.message if isinstance(exc, RuleViolation) else f"{type(exc).__name__}: {exc}"
            raise RuleViolation(
                "DATA_SAMPLE_FAILED", f"导入示例数据失败，已全部撤销，数据库仍为空：{detail}"
            ) from exc
        audit.append(session, actor, "sample_data_loaded", object_type="database", after=counts)
    return counts


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


#: The round the demo holds for its own day: its families (ranks after the sample's) and houses.
TODAY_FAMILIES = "today_round_families.csv"
TODAY_HOUSES = "today_round_houses.csv"


@dataclass(frozen=True)
class TodayRound:
    round_id: int
    families: int
    created: int  # families (and their applicants) new to the register
    houses: int
    wishes: int


def _play_today_round(steps: Database, session: Session, actor: Actor, clock: ManualClock, loaded_at: datetime,
                      directory: Path | None) -> TodayRound:
    """A round set up as a supervisor sets one up, whose formal selection closed half an hour
    before the demo was made: on the demo's day it stands 待运行, ready for F5 (运行场次).

    Through the setup use cases, on the loader's clock: created (a draft) the day before,
    its families and houses imported from the sample's two CSV files, published; in the
    pre-selection eight families list houses of their layouts, in the formal selection six
    sync their lists (each within its 3 minutes) and the first confirms a house; the last
    four never take part. Its times follow the day the demo is made, never the sample's.
    """
    from core.allocation.round_setup import parse_families_csv
    from demo.sample_files import sample_directory
    from services.allocation import rounds, setup

    folder = sample_directory(directory)
    families_text = (folder / TODAY_FAMILIES).read_text(encoding="utf-8")
    houses_text = (folder / TODAY_HOUSES).read_text(encoding="utf-8")
    t = loaded_at.replace(second=0, microsecond=0)
    windows = {"pre_open": t - timedelta(days=1), "pre_close": t - timedelta(hours=4),
               "formal_open": t - timedelta(hours=3), "formal_close": t - timedelta(minutes=30)}
    clock.set(windows["pre_open"] - timedelta(hours=1))
    number = (session.execute(select(func.max(AllocationRound.number))).scalar_one() or 0) + 1
    round_id = rounds.create_round(steps, actor, number=number, name="今日选房（演示）", **windows)
    imported = setup.import_families(steps, actor, round_id, families_text)
    houses = setup.import_houses(steps, actor, round_id, houses_text)
    setup.publish_round(steps, actor, round_id)

    lines, _ = parse_families_csv(families_text, today=loaded_at.date())
    family_of = dict(session.execute(select(Family.rank, Family.id)
                                     .where(Family.rank.in_([line.rank for line in lines]))).all())
    pool = rounds.search_houses(steps, actor, round_id, building="5")
    wishes = 0
    for i, line in enumerate(lines[:8]):
        fits = [h.id for h in pool if h.layout in line.layouts]
        listed = (fits[i % len(fits):] + fits[:i % len(fits)])[:3]
        for k, house_id in enumerate(listed):
            clock.set(windows["pre_open"] + timedelta(minutes=10 * i + k))
            rounds.add_wish(steps, actor, round_id, family_of[line.rank], house_id, "pre")
        wishes += len(listed)
    for i, line in enumerate(lines[:6]):
        clock.set(windows["formal_open"] + timedelta(minutes=15 * i))
        wishes += rounds.sync_formal(steps, actor, round_id, family_of[line.rank])
    first = rounds.wish_list(steps, actor, round_id, family_of[lines[0].rank], "formal").lines[0]
    clock.set(windows["formal_open"] + timedelta(minutes=1))
    rounds.confirm_house(steps, actor, round_id, family_of[lines[0].rank], first.house_id)
    return TodayRound(round_id, imported.rows, imported.created, houses.rows, wishes)


def _step_teller(progress: Progress | None) -> Callable[[int, str], None]:
    """``say(i, detail)``: step ``i`` of ``DEMO_STEPS`` begins (``detail`` after its name)."""

    def say(index: int, detail: str = "") -> None:
        if progress is not None:
            progress(index + 1, len(DEMO_STEPS), DEMO_STEPS[index] + detail)

    return say


def _load_sample(db: Database, session: Session, actor: Actor, directory: Path | None,
                 say: Callable[..., None]) -> dict[str, int]:
    """The register (demo.sample), then the rounds through services.allocation.rounds and the
    resale contracts through the contract services (demo.contracts), in ``session``."""
    from demo import contracts, presale
    from demo.sample import insert_wish_lists, load_register
    from services.allocation import rounds

    loaded_at = db.now()
    say(1)
    loaded = load_register(session, directory)
    counts = dict(loaded.counts)
    session.expunge_all()  # thousands of loaded rows: keep them out of the steps' expire_all
    clock = ManualClock(loaded_at)
    steps: Database = OneTransaction(db, session, clock)  # type: ignore[assignment]
    families = loaded.families
    ranks = {f["key"]: f["rank"] for f in loaded.data["families"]}
    round_ids: dict[str, int] = {}
    wishes = 0
    for n, r in enumerate(loaded.data["rounds"], start=1):
        say(2, f"（{n}/{len(loaded.data['rounds'])}）")
        members = sorted((rf for rf in loaded.data["round_families"] if rf["round"] == r["key"]),
                         key=lambda rf: ranks[rf["family"]])
        # Created as a supervisor creates a round (with its case and 业务号), on the day the sample says.
        clock.set(_moment(r["created_at"]))
        round_id = rounds.create_round(steps, actor, number=r["number"], name=r["name"], kind=r["kind"],
                                       pre_open=_moment(r["pre_open"]), pre_close=_moment(r["pre_close"]),
                                       formal_open=_moment(r["formal_open"]), formal_close=_moment(r["formal_close"]),
                                       family_ids=[families[rf["family"]] for rf in members])
        round_ids[r["key"]] = round_id
        wishes += insert_wish_lists(session, loaded, r["key"], round_id)
        if not db.is_sqlite:
            # Fresh tables have no statistics yet: without them PostgreSQL plans the
            # steps' reads (a round's lists, the pool) badly, ten times slower.
            session.execute(text("ANALYZE public_house, round_family, wish"))
        for rf in members:  # give-ups first: they happened in the pre-selection, before any confirm
            if rf["gave_up_at"]:
                clock.set(_moment(rf["gave_up_at"]))
                rounds.give_up(steps, actor, round_id, families[rf["family"]], rf["gave_up_reason"])
        for rf in members:  # confirms in rank order: each is checked against the families before it
            if rf["confirm"]:
                clock.set(_moment(rf["confirmed_at"]))
                rounds.confirm_house(steps, actor, round_id, families[rf["family"]], loaded.houses[rf["confirm"]])
        if r["run_at"]:
            clock.set(_moment(r["run_at"]))
            rounds.run_round(steps, actor, round_id)
    say(3)
    for a in loaded.data["supplementary_applications"]:
        clock.set(_moment(a["applied_at"]))
        rounds.apply_supplementary(steps, actor, families[a["family"]], round_ids[a["from_round"]])
    say(4)
    today = _play_today_round(steps, session, actor, clock, loaded_at, directory)
    counts["person"] += today.created
    counts["family"] += today.created
    counts["family_member"] += today.created
    counts["public_house"] += today.houses
    say(5)
    sold = presale.play_presale(steps, session, actor, clock, loaded_at, directory)
    counts["operator"] += len(presale.demo_accounts(directory))
    counts["presale_building"] = sold.buildings
    counts["presale_unit"] = sold.units
    counts |= {f"presale_contract_{state}": n for state, n in sold.contracts.items()}
    clock.set(loaded_at)  # the contracts are made at load time (a house check is valid on its day only)
    say(6)
    left = contracts.play_contracts(steps, session, actor)
    session.flush()
    counts["contract"] = sum(left.values())
    from demo.due_cases import play_due_cases

    counts["case_due"] = play_due_cases(steps, session, clock)
    counts |= {f"contract_{state}": n for state, n in left.items()}
    counts["allocation_round"] = len(round_ids) + 1
    counts["round_family"] = len(loaded.data["round_families"]) + today.families
    counts["wish"] = wishes + today.wishes
    counts["supplementary_application"] = len(loaded.data["supplementary_applications"])
    return counts


def generate_persons(db: Database, actor: Actor, persons: int, *, seed: int = 1, progress: Callable[[int, int], None] | None = None) -> int:
    """Bulk synthetic persons for benchmarks (audited as one act)."""
    from demo.sample import generate_synthetic

    require(actor, Permission.DATA_ADMIN)
    if persons <= 0:
        raise RuleViolation("DATA_BAD_COUNT", "生成人数必须是正整数。", field="persons")
    inserted = generate_synthetic(db, persons, seed=seed, progress=progress)
    with db.write() as session:
        audit.append(session, actor, "synthetic_data_generated", object_type="database", after={"persons": inserted, "seed": seed})
    return inserted


