"""保障房选房: the serial-dictatorship rule, its forecast, JSON validation, wish lint and the CLI."""

from __future__ import annotations

import json
import random
import re

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from core.allocation.round_file import parse_round, round_object, round_text
from core.allocation.rounds import (
    RoundStatus,
    RoundWindows,
    default_windows,
    round_phase,
)
from core.allocation.run_report import ResultLine, RoundReport
from core.allocation.selection import (
    BlockReason,
    FamilyInput,
    ResultStatus,
    RoundInput,
    forecast,
    lint_wishes,
    resolve,
    validate_round_input,
)
from core.audit import canonical_json
from core.errors import RuleViolation
from core.timeutil import SHANGHAI
from services.allocation.simulate import simulate
from tui.cli.allocation import allocate_app

CJK = re.compile(r"[\u4e00-\u9fff]")


def _one_chinese_sentence(message: str) -> bool:
    return bool(CJK.search(message)) and message.endswith("。") and message.count("。") == 1


# ------------------------------------------------------------------ examples


def _example() -> RoundInput:
    return RoundInput(
        houses=("A", "B", "C", "D"),
        families=(  # deliberately not in rank order
            FamilyInput("f4", 4, ("A", "B")),
            FamilyInput("f2", 2, ("A", "C"), confirm="A"),  # A is gone by then: falls back to C
            FamilyInput("f1", 1, ("Z", "A", "B")),  # Z is not in the pool
            FamilyInput("f3", 3, ("D",), gave_up=True),
            FamilyInput("f5", 5, ("D", "C"), confirm="D"),  # D free because f3 gave up
        ),
    )


def test_rule_on_a_hand_made_round():
    result = resolve(_example())
    assert [(r.family, r.rank, r.house, r.status) for r in result.results] == [
        ("f1", 1, "A", ResultStatus.ALLOCATED),
        ("f2", 2, "C", ResultStatus.ALLOCATED),
        ("f3", 3, None, ResultStatus.GAVE_UP),
        ("f4", 4, "B", ResultStatus.ALLOCATED),
        ("f5", 5, "D", ResultStatus.CONFIRMED),
    ]
    assert result.free_after == ()
    assert result.warnings == (
        "家庭 f1 的意向房源 Z 不在本场次房源池中，已跳过。",
        "家庭 f2 确认的房源 A 已不可选，改按意向顺序分配。",
    )
    assert all(_one_chinese_sentence(w) for w in result.warnings)


def test_confirm_beats_an_earlier_wish_and_not_allocated():
    rnd = RoundInput(("A", "B", "C"), (
        FamilyInput("x", 1, ("A", "B"), confirm="B"),  # A stays free: the family confirmed B
        FamilyInput("y", 2, ("B",)),
        FamilyInput("z", 3, ()),
    ))
    result = resolve(rnd)
    assert [(r.house, r.status) for r in result.results] == [
        ("B", ResultStatus.CONFIRMED), (None, ResultStatus.NOT_ALLOCATED), (None, ResultStatus.NOT_ALLOCATED)]
    assert result.free_after == ("A", "C")
    assert result.warnings == ()
    assert result.for_family("x").status_label == "已确认"


def test_results_in_rank_order_whatever_the_input_order():
    rnd = _example()
    reversed_round = RoundInput(rnd.houses, tuple(reversed(rnd.families)))
    assert resolve(rnd) == resolve(reversed_round)
    assert [r.rank for r in resolve(rnd).results] == [1, 2, 3, 4, 5]


def test_forecast_explains_who_took_each_better_wish():
    rnd = _example()
    f4 = forecast(rnd, "f4")
    assert (f4.family, f4.rank, f4.house, f4.status) == ("f4", 4, "B", ResultStatus.ALLOCATED)
    assert f4.blocked == (("A", "f1", 1, BlockReason.TAKEN),)
    assert f4.blocked[0].taken_by_family == "f1" and f4.blocked[0].reason == BlockReason.TAKEN
    f2 = forecast(rnd, "f2")
    assert (f2.house, f2.status, f2.blocked) == ("C", ResultStatus.ALLOCATED, (("A", "f1", 1, BlockReason.TAKEN),))
    assert f2.warnings == ("家庭 f2 确认的房源 A 已不可选，改按意向顺序分配。",)
    gave_up = forecast(rnd, "f3")
    assert (gave_up.house, gave_up.status, gave_up.blocked) == (None, ResultStatus.GAVE_UP, ())
    assert gave_up.explain() == ("家庭 f3 已放弃选房，不分配房源。",)
    f5 = forecast(rnd, "f5")
    assert (f5.house, f5.status, f5.blocked) == ("D", ResultStatus.CONFIRMED, ())


def test_forecast_blocked_houses_and_missing_houses():
    rnd = RoundInput(("A", "B", "C"), (
        FamilyInput("p", 1, ("A",)),
        FamilyInput("q", 2, ("B", "A")),
        FamilyInput("r", 3, ("Z", "A", "B", "A", "C")),
    ))
    fc = forecast(rnd, "r")
    assert (fc.house, fc.status) == ("C", ResultStatus.ALLOCATED)
    assert fc.blocked == (("Z", None, None, BlockReason.NOT_IN_POOL), ("A", "p", 1, BlockReason.TAKEN),
                          ("B", "q", 2, BlockReason.TAKEN))
    assert fc.explain() == (
        "按当前意向，家庭 r 将选中房源 C。",
        "房源 Z 不在本场次房源池中。",
        "房源 A 已被排位第 1 位的家庭 p 选定。",
        "房源 B 已被排位第 2 位的家庭 q 选定。",
    )
    nothing = forecast(RoundInput(("A",), (FamilyInput("p", 1, ("A",)), FamilyInput("s", 2, ("A",)))), "s")
    assert (nothing.house, nothing.status, nothing.blocked) == (
        None, ResultStatus.NOT_ALLOCATED, (("A", "p", 1, BlockReason.TAKEN),))
    with pytest.raises(RuleViolation) as exc:
        forecast(rnd, "nobody")
    assert exc.value.code == "ALLOC_UNKNOWN_FAMILY" and _one_chinese_sentence(exc.value.message)


# ------------------------------------------------------------------ properties

HOUSE_NAMES = [f"H{i}" for i in range(12)]


@st.composite
def rounds(draw) -> RoundInput:
    pool = tuple(draw(st.permutations(HOUSE_NAMES))[: draw(st.integers(0, 10))])
    n = draw(st.integers(0, 8))
    ranks = draw(st.lists(st.integers(1, 50), min_size=n, max_size=n, unique=True))
    families = []
    for i, rank in enumerate(ranks):
        wishes = tuple(draw(st.lists(st.sampled_from(HOUSE_NAMES), max_size=6)))
        confirm = draw(st.one_of(st.none(), st.sampled_from(wishes))) if wishes else None
        families.append(FamilyInput(f"F{i}", rank, wishes, confirm, draw(st.booleans())))
    return RoundInput(pool, tuple(families))


@settings(max_examples=300, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_resolve_properties(rnd, rng):
    result = resolve(rnd)
    by_id = {f.id: f for f in rnd.families}
    assigned = [r.house for r in result.results if r.house is not None]

    # Every family once, in rank order.
    assert sorted(r.family for r in result.results) == sorted(by_id)
    assert [r.rank for r in result.results] == sorted(f.rank for f in rnd.families)
    # No house twice; every house from the pool and from the family's own list.
    assert len(assigned) == len(set(assigned))
    for r in result.results:
        assert (r.house is None) == (r.status in (ResultStatus.NOT_ALLOCATED, ResultStatus.GAVE_UP))
        if r.house is not None:
            assert r.house in rnd.houses and r.house in by_id[r.family].wishes
    # free_after is the pool minus the assigned houses, in pool order.
    assert result.free_after == tuple(h for h in rnd.houses if h not in assigned)

    # Determinism, and independence of the input order.
    assert resolve(rnd) == result
    shuffled = list(rnd.families)
    rng.shuffle(shuffled)
    assert resolve(RoundInput(rnd.houses, tuple(shuffled))) == result

    # Serial dictatorship, checked family by family against what the better-ranked took.
    taken_before: set[str] = set()
    for r in result.results:
        family = by_id[r.family]
        available = [w for w in family.wishes if w in rnd.houses and w not in taken_before]
        if family.gave_up:
            assert r.status == ResultStatus.GAVE_UP
        elif family.confirm is not None and family.confirm in available:
            assert (r.house, r.status) == (family.confirm, ResultStatus.CONFIRMED)
        elif available:
            assert (r.house, r.status) == (available[0], ResultStatus.ALLOCATED)
        else:
            assert r.status == ResultStatus.NOT_ALLOCATED
        if r.house is not None:
            taken_before.add(r.house)


@settings(max_examples=200, deadline=None)
@given(rounds())
def test_forecast_agrees_with_resolve(rnd):
    result = resolve(rnd)
    by_id = {r.family: r for r in result.results}
    for family in rnd.families:
        fc = forecast(rnd, family.id)
        mine = by_id[family.id]
        assert (fc.house, fc.status, fc.rank) == (mine.house, mine.status, mine.rank)
        listed = list(dict.fromkeys(family.wishes))
        above = listed[: listed.index(fc.house)] if fc.house is not None else listed
        for house, taker, taker_rank, reason in fc.blocked:
            assert house in above
            if reason == BlockReason.NOT_IN_POOL:
                assert house not in rnd.houses and taker is None
            else:
                assert reason == BlockReason.TAKEN
                assert by_id[taker].house == house and taker_rank == by_id[taker].rank < family.rank
        if fc.status in (ResultStatus.ALLOCATED, ResultStatus.NOT_ALLOCATED):
            # Nothing better was available: every house above it is explained.
            assert [b.house for b in fc.blocked] == above


@settings(max_examples=100, deadline=None)
@given(rounds(), st.data())
def test_json_round_trip_keeps_id_types(rnd, data):
    # Write some ids as JSON integers: H3 -> 3, F1 -> 1001; the output gives them back as integers.
    as_int = data.draw(st.booleans())

    def house(h):
        return int(h[1:]) if as_int else h

    obj = {"houses": [house(h) for h in rnd.houses], "families": [
        {"id": int(f.id[1:]) + 1000 if as_int else f.id, "rank": f.rank, "wishes": [house(w) for w in f.wishes],
         **({"confirm": house(f.confirm)} if f.confirm and not f.gave_up else {}),
         "gave_up": f.gave_up}
        for f in rnd.families
    ]}
    report = simulate(json.dumps(obj))
    direct = resolve(validate_round_input(obj))
    assert [line.rank for line in report.results] == [r.rank for r in direct.results]
    for line, r in zip(report.results, direct.results, strict=True):
        assert str(line.family) == r.family and line.status == r.status
        assert line.house is None or type(line.house) is (int if as_int else str)
        assert type(line.family) is (int if as_int else str)
    assert all(type(h) is (int if as_int else str) for h in report.free_after)
    # The JSON form carries the same ids in the same types.
    assert report.to_json()["results"] == [line.as_json() for line in report.results]
    assert report.to_json()["free_after"] == list(report.free_after)


# ------------------------------------------------------------------ validation


def _round(**family_fields):
    family = {"id": "F1", "rank": 1, "wishes": ["A"]}
    family.update(family_fields)
    return {"houses": ["A", "B"], "families": [family]}


REFUSALS = [
    ([], "ALLOC_BAD_JSON_SHAPE", "JSON 对象"),
    ({"houses": [], "families": [], "round": 1}, "ALLOC_UNKNOWN_FIELD", "round"),
    ({"houses": []}, "ALLOC_MISSING_FIELD", "families"),
    ({"houses": "A", "families": []}, "ALLOC_BAD_JSON_SHAPE", "houses"),
    ({"houses": [], "families": {}}, "ALLOC_BAD_JSON_SHAPE", "families"),
    ({"houses": ["A", 1.5], "families": []}, "ALLOC_BAD_TYPE", "第 2 套房源"),
    ({"houses": [True], "families": []}, "ALLOC_BAD_TYPE", "第 1 套房源"),
    ({"houses": [" "], "families": []}, "ALLOC_BAD_ID", "第 1 套房源"),
    ({"houses": ["101", 101], "families": []}, "ALLOC_DUPLICATE_HOUSE", "101"),
    ({"houses": [], "families": ["F1"]}, "ALLOC_BAD_JSON_SHAPE", "第 1 个家庭"),
    (_round(note="x"), "ALLOC_UNKNOWN_FIELD", "家庭 F1"),
    ({"houses": [], "families": [{"rank": 1, "wishes": []}]}, "ALLOC_MISSING_FIELD", "第 1 个家庭缺少 id"),
    ({"houses": [], "families": [{"id": "F1", "wishes": []}]}, "ALLOC_MISSING_FIELD", "家庭 F1缺少 rank"),
    (_round(rank=True), "ALLOC_BAD_RANK", "家庭 F1的排位"),
    (_round(rank=0), "ALLOC_BAD_RANK", "正整数"),
    (_round(rank=-3), "ALLOC_BAD_RANK", "正整数"),
    (_round(rank=1.0), "ALLOC_BAD_RANK", "正整数"),
    (_round(rank="1"), "ALLOC_BAD_RANK", "正整数"),
    (_round(wishes="A"), "ALLOC_BAD_JSON_SHAPE", "wishes"),
    (_round(wishes=["A", None]), "ALLOC_BAD_TYPE", "第 2 个意向房源"),
    (_round(id={"x": 1}), "ALLOC_BAD_TYPE", "第 1 个家庭"),
    (_round(gave_up="yes"), "ALLOC_BAD_TYPE", "gave_up"),
    (_round(confirm="B"), "ALLOC_CONFIRM_NOT_IN_WISHES", "家庭 F1确认的房源 B"),
    (_round(confirm="A", gave_up=True), "ALLOC_CONFIRM_GAVE_UP", "家庭 F1已放弃"),
    ({"houses": [], "families": [{"id": 7, "rank": 1, "wishes": []}, {"id": "7", "rank": 2, "wishes": []}]},
     "ALLOC_DUPLICATE_FAMILY", "7"),
    ({"houses": [], "families": [{"id": "F1", "rank": 3, "wishes": []}, {"id": "F2", "rank": 3, "wishes": []}]},
     "ALLOC_DUPLICATE_RANK", "家庭 F2与家庭 F1 的排位同为第 3 位"),
]


@pytest.mark.parametrize(("obj", "code", "fragment"), REFUSALS, ids=[f"{i}-{r[1]}" for i, r in enumerate(REFUSALS)])
def test_validation_refusals(obj, code, fragment):
    with pytest.raises(RuleViolation) as exc:
        validate_round_input(obj)
    assert exc.value.code == code
    assert fragment in exc.value.message
    assert _one_chinese_sentence(exc.value.message)
    assert exc.value.to_dict()["code"] == code


def test_validation_accepts_mixed_id_types_and_optional_fields():
    rnd = validate_round_input({"houses": [101, "B"], "families": [
        {"id": 1, "rank": 2, "wishes": ["101", "Z"], "confirm": None},
        {"id": "F2", "rank": 1, "wishes": ["B"], "confirm": "B", "gave_up": False},
    ]})
    assert rnd.houses == ("101", "B")
    assert rnd.families[0] == FamilyInput("1", 2, ("101", "Z"))
    assert rnd.json_house("101") == 101 and rnd.json_family("1") == 1 and rnd.json_family("F2") == "F2"


def test_simulate_output_and_json_errors():
    report = simulate(json.dumps({"houses": [101, "B"], "families": [
        {"id": 1, "rank": 1, "wishes": ["101"]}, {"id": "F2", "rank": 2, "wishes": [101, "B"]}]}))
    assert report == RoundReport((ResultLine(1, 1, 101, ResultStatus.ALLOCATED),
                                  ResultLine("F2", 2, "B", ResultStatus.ALLOCATED)), (), ())
    assert report.to_json() == {
        "results": [{"family": 1, "rank": 1, "house": 101, "status": "allocated"},
                    {"family": "F2", "rank": 2, "house": "B", "status": "allocated"}],
        "free_after": [],
        "warnings": [],
    }
    for text, code in [('{"houses": [1,\n  }', "ALLOC_BAD_JSON"), ('{"houses": [NaN], "families": []}', "ALLOC_BAD_JSON"),
                       ('{"houses": [], "houses": [], "families": []}', "ALLOC_DUPLICATE_KEY"), ("", "ALLOC_BAD_JSON")]:
        with pytest.raises(RuleViolation) as exc:
            simulate(text)
        assert exc.value.code == code and _one_chinese_sentence(exc.value.message)
    with pytest.raises(RuleViolation) as exc:
        simulate('{"houses": [1,\n  }')
    assert "第 2 行第 3 列" in exc.value.message


# ------------------------------------------------------------------ wish lint


LAYOUTS = {"A": "一房", "B": "一房", "C": "两房", "D": "两房", "E": "三房"}


def _lint(wishes, *, eligible=frozenset({"一房", "两房"}), taken=frozenset(), position=1, free=5):
    return lint_wishes(wishes, eligible_layouts=set(eligible) if eligible is not None else None,
                       layout_of=LAYOUTS, taken=set(taken), position_in_round=position, free_count=free)


def test_lint_flags_each_problem_once():
    found = _lint(["A", "A", "A", "E", "B", "Q"], taken={"B"}, position=3)
    assert [w.code for w in found] == ["WISH_DUPLICATE", "WISH_NOT_ELIGIBLE", "WISH_TAKEN", "WISH_NOT_IN_POOL",
                                       "WISH_LIST_TOO_SHORT"]
    assert all(_one_chinese_sentence(w.message) for w in found)
    assert "第 3 位" in found[-1].message and "只有 1 套" in found[-1].message and "至少需要 3 套" in found[-1].message


def test_lint_length_rule():
    # Position k needs min(k, free) distinct valid wishes.
    assert _lint(["A", "B", "C"], position=3) == []
    assert [w.code for w in _lint(["A", "B"], position=3)] == ["WISH_LIST_TOO_SHORT"]
    assert _lint(["A", "B"], position=9, free=2) == []  # every free house listed: the best possible
    assert _lint([], position=1, free=0) == []
    assert _lint(["E"], eligible=None) == []  # no layout restriction
    with pytest.raises(ValueError):
        _lint(["A"], position=0)


# ------------------------------------------------------------------ CLI

runner = CliRunner()


def _write(tmp_path, text, name="round.json"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_json_output(tmp_path):
    path = _write(tmp_path, json.dumps({"houses": [101, 102, "C3"], "families": [
        {"id": "F2", "rank": 2, "wishes": [101, 102], "confirm": 101},
        {"id": 7, "rank": 1, "wishes": [101, "X9"]},
        {"id": "F3", "rank": 3, "wishes": ["C3"], "gave_up": True},
    ]}))
    result = runner.invoke(allocate_app, ["simulate", path, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["results"] == [
        {"family": 7, "rank": 1, "house": 101, "status": "allocated"},
        {"family": "F2", "rank": 2, "house": 102, "status": "allocated"},
        {"family": "F3", "rank": 3, "house": None, "status": "gave_up"},
    ]
    assert body["free_after"] == ["C3"]
    assert len(body["warnings"]) == 2 and "家庭 F2 确认的房源 101" in result.stdout  # ensure_ascii=False

    table = runner.invoke(allocate_app, ["simulate", path])
    assert table.exit_code == 0
    for label in ("排位", "家庭", "房源", "结果", "已分配", "已放弃", "剩余房源 1 套", "提示："):
        assert label in table.stdout


def test_cli_registered_as_a_sub_app(tmp_path):
    app = typer.Typer()
    app.add_typer(allocate_app, name="allocate")
    path = _write(tmp_path, '{"houses": ["A"], "families": [{"id": "F1", "rank": 1, "wishes": ["A"]}]}')
    result = runner.invoke(app, ["allocate", "simulate", path, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"][0]["house"] == "A"


@pytest.mark.parametrize(("text", "code"), [
    ('{"houses": [1, 2', "ALLOC_BAD_JSON"),
    ('{"houses": [], "families": [{"id": "F1", "rank": true, "wishes": []}]}', "ALLOC_BAD_RANK"),
    ('{"houses": [], "families": [], "extra": 1}', "ALLOC_UNKNOWN_FIELD"),
    ("[1, 2]", "ALLOC_BAD_JSON_SHAPE"),
])
def test_cli_bad_input_exits_2(tmp_path, text, code):
    path = _write(tmp_path, text)
    for args in (["simulate", path], ["simulate", path, "--json"]):
        result = runner.invoke(allocate_app, args)
        assert result.exit_code == 2
        assert code in result.stderr and CJK.search(result.stderr)
        assert result.stdout == ""


def test_cli_missing_and_unreadable_file(tmp_path):
    missing = runner.invoke(allocate_app, ["simulate", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "ALLOC_FILE_NOT_FOUND" in missing.stderr and "找不到文件" in missing.stderr
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    unreadable = runner.invoke(allocate_app, ["simulate", str(binary)])
    assert unreadable.exit_code == 2 and "ALLOC_FILE_UNREADABLE" in unreadable.stderr
    directory = runner.invoke(allocate_app, ["simulate", str(tmp_path)])
    assert directory.exit_code == 2 and "ALLOC_FILE_UNREADABLE" in directory.stderr


def test_cli_reads_stdin():
    result = runner.invoke(allocate_app, ["simulate", "-", "--json"],
                           input='{"houses": ["A"], "families": [{"id": "F1", "rank": 1, "wishes": ["A"]}]}')
    assert result.exit_code == 0 and json.loads(result.stdout)["results"][0]["status"] == "allocated"


def test_shuffled_json_families_same_result():
    families = [{"id": f"F{i}", "rank": i + 1, "wishes": ["A", "B", "C"][i % 3:]} for i in range(6)]
    base = simulate(json.dumps({"houses": ["A", "B", "C"], "families": families}))
    random.Random(3).shuffle(families)
    assert simulate(json.dumps({"houses": ["A", "B", "C"], "families": families})) == base


def test_round_phase_follows_status_and_clock():
    from datetime import UTC, datetime

    pre, fo, fc = (datetime(2026, m, 1, tzinfo=UTC) for m in (3, 4, 5))
    at = lambda m, d=1: datetime(2026, m, d, tzinfo=UTC)  # noqa: E731
    assert round_phase("open", fo, fc, at(2), pre_open=pre) == "未开始"
    assert round_phase("open", fo, fc, at(3, 15), pre_open=pre) == "预选中"
    assert round_phase("open", fo, fc, at(4, 15)) == "正选中"
    assert round_phase("open", fo, fc, fc) == "正选中"  # the close itself is still inside
    assert round_phase("open", fo, fc, at(6)) == "待运行"
    assert round_phase("published", fo, fc, at(4, 15)) == "已公示"
    assert round_phase("reopened", fo, fc, at(6)) == "已重开"
    # The stored strings and the typed statuses are the same values.
    assert round_phase(RoundStatus.PUBLISHED, fo, fc, at(4, 15)) == "已公示"
    assert round_phase(RoundStatus.OPEN, fo, fc, at(6)) == "待运行"


def test_default_windows_tomorrow_and_the_day_after_in_shanghai():
    from datetime import UTC, datetime

    # 2026-11-20 17:30 UTC is already 2026-11-21 01:30 in Shanghai: "tomorrow" is the 22nd.
    windows = default_windows(datetime(2026, 11, 20, 17, 30, tzinfo=UTC))
    assert windows == RoundWindows(
        datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI), datetime(2026, 11, 22, 17, 0, tzinfo=SHANGHAI),
        datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), datetime(2026, 11, 23, 11, 0, tzinfo=SHANGHAI))
    assert all(t.tzinfo is SHANGHAI for t in windows)
    # Late in a Shanghai day (but the same UTC day) the proposal moves with Shanghai's date.
    same_day = default_windows(datetime(2026, 11, 20, 15, 59, tzinfo=UTC))  # 23:59 on the 20th
    assert same_day.pre_open == datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)
    assert same_day.formal_close == datetime(2026, 11, 22, 11, 0, tzinfo=SHANGHAI)
    # Ordered as the round services require (pre_open < pre_close <= formal_open < formal_close).
    assert windows.pre_open < windows.pre_close <= windows.formal_open < windows.formal_close


# ------------------------------------------------------------------ the typed report


def test_report_counts_in_a_fixed_order_and_its_json_form():
    report = RoundReport(
        (ResultLine(7, 1, "H01", ResultStatus.ALLOCATED), ResultLine(3, 2, None, ResultStatus.GAVE_UP),
         ResultLine(9, 3, "H02", ResultStatus.ALLOCATED), ResultLine("F4", 4, 12, ResultStatus.CONFIRMED)),
        ("H03",), ("提示一。",))
    counts = report.counts()
    assert counts == {ResultStatus.CONFIRMED: 1, ResultStatus.ALLOCATED: 2, ResultStatus.NOT_ALLOCATED: 0,
                      ResultStatus.GAVE_UP: 1}
    assert list(counts) == ["confirmed", "allocated", "not_allocated", "gave_up"]  # every status, this order
    assert (report.families, report.housed) == (4, 3)
    body = report.to_json()
    assert body == {
        "results": [{"family": 7, "rank": 1, "house": "H01", "status": "allocated"},
                    {"family": 3, "rank": 2, "house": None, "status": "gave_up"},
                    {"family": 9, "rank": 3, "house": "H02", "status": "allocated"},
                    {"family": "F4", "rank": 4, "house": 12, "status": "confirmed"}],
        "free_after": ["H03"],
        "warnings": ["提示一。"],
    }
    assert [list(line) for line in body["results"]] == [["family", "rank", "house", "status"]] * 4  # key order
    assert all(type(line["status"]) is str for line in body["results"])  # plain strings, not the enum
    empty = RoundReport((), (), ())
    assert empty.counts() == dict.fromkeys(ResultStatus, 0) and empty.to_json() == {
        "results": [], "free_after": [], "warnings": []}


def test_report_of_gives_ids_back_in_their_input_types():
    rnd = parse_round('{"houses": [101, "B", 7], "families": ['
                      '{"id": 1, "rank": 1, "wishes": ["Z", 101]}, {"id": "F2", "rank": 2, "wishes": [101, "B"]}]}')
    report = RoundReport.of(rnd, resolve(rnd))
    assert report.results == (ResultLine(1, 1, 101, ResultStatus.ALLOCATED),
                              ResultLine("F2", 2, "B", ResultStatus.ALLOCATED))
    assert report.free_after == (7,) and report.warnings == ("家庭 1 的意向房源 Z 不在本场次房源池中，已跳过。",)
    # A round built in code (as the run loads one) keeps its house codes; family ids map to their originals.
    loaded = RoundInput(("H1", "H2"), (FamilyInput("5", 1, ("H2",)),), family_json_ids={"5": 5})
    assert RoundReport.of(loaded, resolve(loaded)) == RoundReport(
        (ResultLine(5, 1, "H2", ResultStatus.ALLOCATED),), ("H1",), ())


def test_round_file_is_parsed_in_core():
    rnd = parse_round('\n{"houses": ["A"], "families": [{"id": "F1", "rank": 1, "wishes": ["A"]}]}\n')
    assert rnd.houses == ("A",) and rnd.families == (FamilyInput("F1", 1, ("A",)),)
    for text, code in [('{"houses": [], "families": [], "families": []}', "ALLOC_DUPLICATE_KEY"),
                       ('{"houses": [Infinity], "families": []}', "ALLOC_BAD_JSON"),
                       ("[" * 100_000, "ALLOC_BAD_JSON"),
                       ('{"houses": "A", "families": []}', "ALLOC_BAD_JSON_SHAPE")]:
        with pytest.raises(RuleViolation) as exc:
            parse_round(text)
        assert exc.value.code == code and _one_chinese_sentence(exc.value.message)


# House names that need escaping in JSON, or are not ASCII, beside plain ones.
ODD_NAMES = ["H0", "H1", 'H"2', "H\\3", "H\n4", "房5", "H\x1f6", "H7\u2028"]


@st.composite
def written_rounds(draw) -> RoundInput:
    """Rounds as a run loads them (codes, integer family ids) or as a file gives them (string ids)."""
    names = draw(st.sampled_from([HOUSE_NAMES, ODD_NAMES]))
    pool = tuple(draw(st.permutations(names))[: draw(st.integers(0, len(names)))])
    n = draw(st.integers(0, 6))
    ranks = draw(st.lists(st.integers(1, 10**6), min_size=n, max_size=n, unique=True))
    numbered = draw(st.booleans())
    families = []
    for i, rank in enumerate(ranks):
        wishes = tuple(draw(st.lists(st.sampled_from(names), max_size=5)))
        gave_up = draw(st.booleans())
        confirm = draw(st.one_of(st.none(), st.sampled_from(wishes))) if wishes and not gave_up else None
        families.append(FamilyInput(str(1000 + i) if numbered else f"F{i}\"", rank, wishes, confirm, gave_up))
    ids = {f.id: int(f.id) for f in families} if numbered else {}
    return RoundInput(pool, tuple(families), family_json_ids=ids)


@settings(max_examples=300, deadline=None)
@given(written_rounds())
def test_round_text_is_the_canonical_json_of_the_round(rnd):
    text = round_text(rnd)
    assert text == canonical_json(round_object(rnd))
    assert parse_round(text) == rnd  # and it reads back to the same round


def test_round_text_of_a_round_from_a_file_keeps_id_types():
    rnd = parse_round('{"houses": [101, "B"], "families": [{"id": 1, "rank": 2, "wishes": ["B", 101], '
                      '"confirm": 101}, {"id": "F2", "rank": 1, "wishes": [], "gave_up": true}]}')
    assert round_text(rnd) == (
        '{"families":[{"confirm":101,"gave_up":false,"id":1,"rank":2,"wishes":["B",101]},'
        '{"confirm":null,"gave_up":true,"id":"F2","rank":1,"wishes":[]}],"houses":[101,"B"]}')
    assert round_text(RoundInput((), ())) == '{"families":[],"houses":[]}'


def test_forecast_of_an_empty_formal_list_says_why_it_gets_nothing():
    """A family with a pre-selection but no formal list was told only "将分配不到房源" in the
    pre-selection window, with nothing saying the forecast reads the formal list."""
    rnd = RoundInput(("A", "B"), (FamilyInput("p", 1, ("A",)), FamilyInput("s", 2, ())))
    fc = forecast(rnd, "s")
    assert (fc.house, fc.status, fc.list_empty) == (None, ResultStatus.NOT_ALLOCATED, True)
    assert "正选意向为空" in fc.explain()[0] and "同步" in fc.explain()[0]
    assert forecast(rnd, "p").list_empty is False
