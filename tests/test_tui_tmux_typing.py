"""The real terminal at 50 keys a second: `wangqian tui` in tmux at 80×24, a clerk (or an
ID-card reader) types a new buyer into a draft contract with no pause between keys,
saves, and the database holds exactly what was typed in each field.

The keys go through tmux into the program's terminal as a person's would; nothing
waits for the screen between them. What is waited for (the login form, the desk,
the saved message) is waited for the way a person looks at the screen.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from test_tui_allocation_support import empty_counter_db  # noqa: F401 - fixture
from test_tui_cases import _actor
from test_tui_presale_returns import return_db  # noqa: F401 - fixture
from test_tui_support import password

from core.clock import system_clock
from core.identity import make_resident_id
from services.resale import contracts as svc
from storage.engine import Database
from tests.conftest import TEST_CODE_KEY
from tests.contract_support import BUYER_PHONE_2, buyer, draft_contract

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")

RATE = 50  # keys a second
WANGQIAN = Path(sys.executable).with_name("wangqian")
NAME, PHONE = "阿依古丽·买买提", "13712345670"
NUMBER = make_resident_id(random.Random(23), birth_date=date(1988, 6, 12))


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


class Terminal:
    """One tmux session running the counter terminal."""

    def __init__(self, command: str, env: dict[str, str], log: Path) -> None:
        self.name = "wq-" + uuid.uuid4().hex[:8]
        self.log = log
        settings = " ".join(f"{key}={value}" for key, value in env.items())
        _tmux("new-session", "-d", "-s", self.name, "-x", "80", "-y", "24",
              f"env LANG=C.UTF-8 TERM=xterm-256color {settings} {command}; echo 程序已退出，退出码 $? >{log}; sleep 300")

    def screen(self) -> str:
        return _tmux("capture-pane", "-t", self.name, "-p")

    def expect(self, text: str, *, within: float = 120) -> None:
        """Wait until ``text`` is on the screen (as a person waits for the screen to show it)."""
        deadline = time.monotonic() + within
        while text not in self.screen():
            if time.monotonic() > deadline:
                ended = self.log.read_text() if self.log.exists() else "程序仍在运行"
                raise AssertionError(f"never saw {text!r} on:\n{self.screen()}\n{ended}")
            time.sleep(0.1)

    def key(self, *names: str) -> None:
        for name in names:
            _tmux("send-keys", "-t", self.name, name)

    def log_in(self, username: str, secret: str | None = None) -> None:
        """The login form filled at ``RATE`` (the demo's password unless ``secret``), then the desk."""
        self.expect("用户名")
        self.type([*username, "Tab", *(password(username) if secret is None else secret), "Enter"])
        self.expect("工作台")

    def type(self, keys: list[str]) -> None:
        """Each key at ``RATE`` a second, without looking at the screen in between."""
        for key in keys:
            if len(key) == 1:
                _tmux("send-keys", "-t", self.name, "-l", key)
            else:
                _tmux("send-keys", "-t", self.name, key)
            time.sleep(1 / RATE)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def counter_terminal(db: Database, tmp_path: Path) -> Terminal:
    """`wangqian tui` on ``db`` in a new tmux session at 80×24 (no idle lock within a test)."""
    assert WANGQIAN.exists(), WANGQIAN
    env = {"WANGQIAN_DB_URL": str(db.url), "WANGQIAN_DATA_DIR": str(tmp_path),
           "WANGQIAN_CODE_KEY": TEST_CODE_KEY, "WANGQIAN_IDLE_LOCK_SECONDS": "3600"}
    return Terminal(f"{WANGQIAN} tui", env, tmp_path / "terminal.log")


def test_a_buyer_typed_at_fifty_keys_a_second_through_tmux_lands_field_by_field(sqlite_sample_db: Database,
                                                                                 tmp_path: Path) -> None:
    db = sqlite_sample_db
    db.clock = system_clock  # the terminal runs on the real clock: the draft is made today
    clerk = _actor(db, "clerk1")
    # two buyers owning jointly already, so that a third may join them
    draft = draft_contract(db, clerk, co_ownership="joint",
                           buyers=(buyer(), buyer("王二买", BUYER_PHONE_2, seed=11)))
    term = counter_terminal(db, tmp_path)
    try:
        term.log_in("clerk1")
        term.key("c")
        term.expect("草稿有效至")  # the draft's details are shown: F6 修改合同 is offered
        term.key("F6")
        term.expect("买受人1")
        term.key("F3")
        term.expect("已添加买受人3")
        term.type([*NAME, "Tab", "Tab", "Tab", *NUMBER, "Tab", *PHONE, "C-s"])
        term.expect("已保存")
    finally:
        shown = term.screen()
        term.close()
    saved = svc.get_contract(db, clerk, draft.id).draft.buyers
    assert len(saved) == 3, shown
    assert (saved[2].name, saved[2].id_number, saved[2].phone) == (NAME, NUMBER, PHONE), shown


def test_a_round_set_up_at_fifty_keys_a_second_through_tmux(empty_counter_db: Database, tmp_path: Path) -> None:
    """场次设置 typed as one burst (name, six Tabs past the offered windows, both file paths), then
    F2 保存, F3 / F4 导入, F5 发布 — the stored round holds exactly what was typed."""
    from sqlalchemy import func, select

    from storage.models import AllocationRound, PublicHouse, RoundFamily
    from tests.test_round_setup import FAMILIES, HOUSES

    db = empty_counter_db
    db.clock = system_clock  # the offered windows are tomorrow's, by the real clock
    families, houses = tmp_path / "families.csv", tmp_path / "houses.csv"
    families.write_text(FAMILIES, encoding="utf-8")
    houses.write_text(HOUSES, encoding="utf-8")
    term = counter_terminal(db, tmp_path)
    try:
        term.log_in("super1")
        term.key("6")
        term.expect("选房场次")
        term.key("F2")
        term.expect("新场次：填写后按 F2 保存")
        term.type([*"第五批公租房选房", *["Tab"] * 6, *str(families), "Tab", *str(houses)])
        term.key("F2")
        term.expect("已新建第1场")
        term.key("F3")
        term.expect("已导入选房家庭 3 户")
        term.key("F4")
        term.expect("已导入房源 3 套")
        term.key("F5")
        term.expect("场次已发布")
    finally:
        shown = term.screen()
        term.close()
    with db.read() as session:
        rnd = session.execute(select(AllocationRound)).scalar_one()
        assert (rnd.number, rnd.name, rnd.status) == (1, "第五批公租房选房", "open"), shown
        assert session.execute(select(func.count()).select_from(RoundFamily)).scalar_one() == 3
        assert session.execute(select(func.count()).select_from(PublicHouse)).scalar_one() == 3


def test_a_home_registered_at_fifty_keys_a_second_through_tmux(empty_counter_db: Database, tmp_path: Path) -> None:
    """房屋登记 on an empty hall's register: the whole record typed as one burst (Tab between the
    boxes, full-width digits as an input method sends them), F9, then F5 and a search typed at once
    — the stored home holds exactly what was typed, and the search finds it."""
    from sqlalchemy import select

    from services import parties
    from storage.models import Home, HomeOwner
    from tests.conftest import SYSTEM

    db = empty_counter_db
    sample = Path(__file__).resolve().parent.parent / "sample_data"
    parties.import_register(db, SYSTEM, (sample / "parties_example.csv").read_bytes())
    record = ["福田", "粤（２０２４）深圳市不动产权第０９１７１１１号", "", "440304999011gb00111f00010001",
              "深圳市福田区莲花街道景田路18号莲花雅苑5栋1502[/x]", "5栋", "１５", "28", "1502", "96.80", "80.10", "",
              "框架剪力墙", "住宅", "", "2006", "按份共有", "440308196804129616", "70", "440308197509032867", "30"]
    keys = ["Tab"]  # past the city, which holds the hall's
    for i, text in enumerate(record):
        keys += (["Tab"] if i else []) + list(text)
    term = counter_terminal(db, tmp_path)
    try:
        term.log_in("super1")
        term.key("d")
        term.expect("按产权证书逐项录入")
        term.type(keys)
        term.key("F9")
        term.expect("已登记房屋")
        term.type(["F5", *"莲花雅苑", "Enter"])
        term.expect("找到 1 套房屋")
        term.expect("440308********9616")  # the found home's record below the list, its owner masked
        shown = term.screen()
    finally:
        last = term.screen()
        term.close()
    assert "440308********9616" in shown and "440308196804129616" not in shown, last
    with db.read() as session:
        home = session.execute(select(Home)).scalar_one()
        shares = session.execute(select(HomeOwner.share).order_by(HomeOwner.id)).scalars().all()
    assert (home.certificate_number, home.unit_number, home.floor, home.room, home.location) == (
        "粤(2024)深圳市不动产权第0917111号", "440304999011GB00111F00010001", 15, "1502",
        "深圳市福田区莲花街道景田路18号莲花雅苑5栋1502[/x]"), last
    assert [str(s) for s in shares] == ["70.00", "30.00"]


def test_a_house_return_typed_at_fifty_keys_a_second_through_tmux(return_db: Database, tmp_path: Path) -> None:
    """退房 (seed 004 §5.5.2) by a developer's operator: building and unit typed as one burst, F2 受理,
    the applicant chosen from the dropdown, the reason typed at once and F3 — the stored return holds
    the applicant and exactly the reason typed."""
    from sqlalchemy import select

    from storage.models import PresaleReturn
    from tests.presale_support import PASSWORD

    db = return_db
    db.clock = system_clock
    reason = "买受人因工作调动申请退房[/x]"
    term = counter_terminal(db, tmp_path)
    try:
        term.log_in("dev_a", PASSWORD)
        term.key("t")
        term.expect("栋号室号")
        term.type(["Tab", *"D004", "Tab", *"2-01", "F2"])
        term.expect("已受理，业务号 T")
        term.key("Enter")  # the applicant's dropdown (the focus moved there)
        time.sleep(0.5)
        term.type(["Down", "Enter", "Tab", *reason, "F3"])
        term.expect("退房原因已保存")
    finally:
        shown = term.screen()
        term.close()
    with db.read() as session:
        # the demo holds a return of its own (1栋 6-01): this one is the newest
        row = session.execute(select(PresaleReturn).order_by(PresaleReturn.id.desc()).limit(1)).scalar_one()
    assert (row.applicant_position, row.reason) == (0, reason), shown


def test_esc_and_the_next_key_typed_at_once_through_tmux_are_two_keys(empty_counter_db: Database,
                                                                      tmp_path: Path) -> None:
    """Esc and 3 reach the terminal in one write (a fast clerk: back to the desk, then 已办业务):
    read as Esc, then 3 — not as Alt+3 ("£" to Textual's parser), which did nothing."""
    term = counter_terminal(empty_counter_db, tmp_path)
    try:
        term.log_in("clerk1")
        term.key("2")
        term.expect("接收时间")  # 在手业务's list (the desk's menu names both lists)
        _tmux("send-keys", "-t", term.name, "Escape", "3")  # one write: ESC then "3"
        term.expect("完成时间", within=20)  # 已办业务's list
    finally:
        term.close()
