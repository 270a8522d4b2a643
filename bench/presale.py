"""Presale benchmark (issue 13 items 1 and 9): in a fresh database made for the run and removed
afterwards (a SQLite file in a temporary folder, or a new database on a PostgreSQL server:
``bench.signing.temporary_database``),

- a survey file of 1,000 units imported (受理 with its C case, one transaction; target ≤ 1 s);
- a presale permit over 1,000 units approved: accepted, every unit taken into its scope,
  dispatched, received and archived with its number (five use cases; target ≤ 1 s);
- the sales board (楼盘表) of a 40-floor × 30-unit building drawn at 80×24: from the screen's
  request to the frame drawn (the use case in its worker thread, the grid built, the screen
  composed; headless driver), the median of several runs (target ≤ 100 ms); and the use case
  alone (``services.presale.board.board``). While the worker runs, the harness awaits it as
  the terminal's event loop would, idle; polling the loop instead would take the interpreter
  lock from the worker at every turn and roughly double the use case's time.

Everything goes through the real use cases with real operators (a developer's operator and a
hall supervisor, logged in), so authorisation, audit rows and case moves are all in the figures.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.form import drained
from bench.signing import temporary_database
from core.identity import make_enterprise_code
from core.presale.developers import DeveloperEntry
from core.presale.projects import CertificateEntry, ProjectEntry
from core.roles import Actor
from services import cases, data, operators
from services.presale import board, developers, permits, projects, surveys, users
from storage.settings import Settings, plain_settings
from tui.factory import create_app, open_database

BOARD_TARGET_MS = 100.0
PERMIT_TARGET_S = 1.0
IMPORT_TARGET_S = 1.0
PASSWORD = "Passw0rd-bench-presale"
HEADER = ["室号", "单元", "实际层", "名义层", "建筑面积", "套内面积", "分摊面积", "房屋结构", "房屋类型", "房屋用途",
          "房屋性质", "电梯", "户型", "装修情况", "层高", "阳台描述"]


def survey_file(floors: int, per_floor: int) -> str:
    """A complete survey file: ``floors`` × ``per_floor`` units of 100 m² ("12-03")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for floor in range(1, floors + 1):
        for p in range(1, per_floor + 1):
            writer.writerow([f"{floor}-{p:02d}", "A01", floor, floor, "100.0000", "80.0000", "20.0000",
                             "钢筋混凝土结构", "住宅", "住宅", "市场化商品房", "是", "三室两厅", "毛坯", "3.00", ""])
    return buffer.getvalue()


def _hall(db) -> tuple[int, Actor, Actor]:  # type: ignore[no-untyped-def]
    system = Actor.system("bench")
    code = make_enterprise_code(random.Random(7), "430800")
    developers.register_developer(db, system, DeveloperEntry(
        credit_code=code, name="基准测试地产开发有限公司", kind="有限责任公司", legal_rep_name="张老大",
        legal_rep_id_number="110101199003074258", legal_rep_phone="15211111111", region="张家界市"))
    project = projects.add_project(db, system, ProjectEntry(name="基准项目", location="张家界市永定区某路1号",
                                                            district="永定区", property_company="基准物业有限公司"),
                                   credit_code=code)
    for kind in (1, 2, 3, 4):
        projects.add_certificate(db, system, project.id, CertificateEntry(kind=str(kind), number=f"BENCH{kind:04d}"))
    users.add_user(db, system, username="bench_dev", name="张小明", phone="13912345678", password=PASSWORD,
                   credit_code=code)
    users.apply_admission(db, system, ["bench_dev"])
    users.decide_admission(db, system, "bench_dev", approve=True)
    operators.add_operator(db, system, username="bench_sup", name="陈国华", role="supervisor", password=PASSWORD)
    return project.id, operators.login(db, "bench_dev", PASSWORD), operators.login(db, "bench_sup", PASSWORD)


def _survey(db, dev: Actor, sup: Actor, project_id: int, building: str, text: str, floors: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    case = surveys.start_survey(db, dev, type_code="survey_predicted", project_id=project_id, building=building,
                                survey_number=f"BENCH{building}", text=text).case_number
    elapsed = time.perf_counter() - started
    surveys.set_building_info(db, dev, case, structure="钢筋混凝土结构", floors_above=str(floors))
    surveys.submit_survey(db, dev, case)
    cases.receive_case(db, sup, case)
    surveys.archive_survey(db, sup, case)
    return elapsed


def _permit(db, dev: Actor, sup: Actor, project_id: int, building: str) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    case = permits.start_permit(db, dev, type_code="permit_presale", project_id=project_id,
                                building=building).case_number
    permits.set_scope(db, dev, case, all_units=True)
    permits.submit_permit(db, dev, case)
    cases.receive_case(db, sup, case)
    archive = time.perf_counter()
    done = permits.archive_permit(db, sup, case)
    end = time.perf_counter()
    return end - started, end - archive, done.units


async def _board_draws(db, project_id: int, building: str, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    from textual.widgets import Input

    from tui.screens.presale.board import SalesBoardScreen
    from tui.screens.presale.board_grid import BoardGrid

    app = create_app(db, idle_seconds=0, draft_sweep_seconds=-1)
    times: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.query_one("#username", Input).value = "bench_dev"
        password = app.screen.query_one("#password", Input)
        password.value = PASSWORD
        password.focus()
        await pilot.press("enter")
        await _until(pilot, lambda: app.screen.__class__.__name__ != "LoginScreen")
        screen = SalesBoardScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.project, screen.building = str(project_id), building
        for _ in range(runs + 1):  # the first run warms the imports up
            screen.view = None
            started = time.perf_counter()
            screen.action_reload()
            await app.workers.wait_for_complete([w for w in app.workers if w.group == "board"])
            while screen.view is None:  # the worker's result, posted to the screen
                await asyncio.sleep(0)
            await drained(app)
            assert screen.query_one("#board-grid", BoardGrid).board is screen.view.board
            times.append((time.perf_counter() - started) * 1000)
    return times[1:]


async def _until(pilot, condition: Callable[[], bool]) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3000):
        if condition():
            return
        await pilot.pause(0.01)
    raise RuntimeError("the terminal did not log in")


def presale_benchmark(settings: Settings | None = None, *, runs: int = 7, db_url: str | None = None,
                      progress: Callable[[str], None] | None = None) -> dict:
    """The three measurements (see the module docstring) as a report. The database is a new one
    on the PostgreSQL server of ``db_url`` (default: ``settings.db_url``'s), else a SQLite file."""
    tell = progress or (lambda what: None)
    load_before = os.getloadavg()
    with (tempfile.TemporaryDirectory(prefix="wangqian-bench-presale-") as folder,
          temporary_database(settings or plain_settings(), db_url, folder, "presale") as url):
        db = open_database(plain_settings(data_dir=Path(folder)), url=url)
        try:
            data.upgrade(db, Actor.system("bench"))
            tell("准备开发企业、项目和操作员")
            project_id, dev, sup = _hall(db)
            tell("导入 1,000 户测绘成果")
            import_s = _survey(db, dev, sup, project_id, "K1000", survey_file(50, 20), 50)
            tell("预售许可 1,000 户")
            permit_s, archive_s, permit_units = _permit(db, dev, sup, project_id, "K1000")
            tell("楼盘表 40 层 × 30 户")
            _survey(db, dev, sup, project_id, "B40", survey_file(40, 30), 40)
            _permit(db, dev, sup, project_id, "B40")
            if not db.is_sqlite:  # fresh statistics, as a hall's database has them
                with db.engine.connect() as conn:
                    conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
            database = "sqlite" if db.is_sqlite else "postgresql"
            service_ms = []
            for _ in range(runs):
                started = time.perf_counter()
                view = board.board(db, dev, project_id, "B40")
                service_ms.append((time.perf_counter() - started) * 1000)
            draws = asyncio.run(_board_draws(db, project_id, "B40", runs))
        finally:
            db.dispose()
    draw_ms = statistics.median(draws)
    return {
        "benchmark": "presale",
        "database": database,
        "survey_import_units": 1000,
        "survey_import_s": round(import_s, 3),
        "survey_import_target_s": IMPORT_TARGET_S,
        "survey_import_ok": import_s <= IMPORT_TARGET_S,
        "permit_units": permit_units,
        "permit_s": round(permit_s, 3),
        "permit_archive_s": round(archive_s, 3),
        "permit_target_s": PERMIT_TARGET_S,
        "permit_ok": permit_s <= PERMIT_TARGET_S,
        "board_floors": 40,
        "board_units_per_floor": 30,
        "board_units": view.board.units,
        "board_size": "80x24",
        "board_runs": runs,
        "board_draw_ms": round(draw_ms, 1),
        "board_draw_max_ms": round(max(draws), 1),
        "board_service_ms": round(statistics.median(service_ms), 1),
        "board_target_ms": BOARD_TARGET_MS,
        "board_ok": draw_ms <= BOARD_TARGET_MS,
        "load_average": [round(x, 2) for x in load_before],
    }
