"""F11 打印合同 on the 商品房预售签约 screen (80×24): once the contract is entered, whoever may
read it prints the 商品房买卖合同 (kept in the hall's reports folder, sent to CUPS when a
printer is set); a draft prints watermarked, the buyers' numbers masked; before the entry the
key is not offered. The footer's snapshots are those of tests/test_tui_presale_contracts.py."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading

import pytest
from test_tui_support import SIZE, burst, login, make_app, settle

from services.presale import contracts
from tests.presale_support import PASSWORD
from tests.test_presale_contracts import BUYER
from tests.test_tui_presale_contracts import _entered, _open, flat, keys, pc_db, said, typed  # noqa: F401 (pc_db)

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def _printed(db) -> list:  # type: ignore[no-untyped-def]
    return sorted(db.settings.reports_folder().glob("商品房买卖合同_*.pdf"))


@needs_pdftotext
async def test_f11_typed_straight_after_the_enter_that_loads_the_contract_prints_it(pc_db, monkeypatch) -> None:
    """Number, Enter and F11 in one burst (a barcode reader, a fast clerk) while the load is slow
    (a busy database): F11 waits for the contract to be shown and prints it, instead of being
    refused for want of a contract (or doing nothing) because it came before the load."""
    number = _entered(pc_db)
    loading = threading.Event()
    show = contracts.show_contract

    def slow_show(*args, **kwargs):  # type: ignore[no-untyped-def]
        loading.wait(10)
        return show(*args, **kwargs)

    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot)
        monkeypatch.setattr(contracts, "show_contract", slow_show)
        burst(app, [*typed(number), "enter", "f11"])
        for _ in range(20):  # every key handed on; F11 is still waiting for the contract
            await pilot.pause()
        assert not _printed(pc_db) and "请先输入业务号" not in said(app)
        loading.set()
        await settle(pilot)
        assert flat("商品房买卖合同未打印：未配置打印机，文件保存在") in said(app)
    [path] = _printed(pc_db)
    assert path.name == f"商品房买卖合同_{number}.pdf"


@needs_pdftotext
async def test_f11_prints_the_entered_contract_as_a_draft(pc_db) -> None:
    number = _entered(pc_db)
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot)
        await keys(pilot, *typed(number), "enter")  # the contract shown (its load is a worker) …
        await keys(pilot, "f11")  # … before F11, which needs it: a key typed ahead of a load is another test's
        assert flat("商品房买卖合同未打印：未配置打印机，文件保存在") in said(app)
    [path] = _printed(pc_db)
    assert path.name == f"商品房买卖合同_{number}.pdf"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = re.sub(r"\s+", "", text)
    assert "商品房买卖合同（预售）" in squeezed and number in squeezed and {"草", "稿"} <= set(text)
    assert "110101********4258" in squeezed and BUYER.id_number not in squeezed


async def test_f11_is_not_offered_before_the_entry(pc_db) -> None:
    hall = pc_db.hall
    number = contracts.start_contract(pc_db, hall.dev, permit_number=pc_db.permit, unit_no="3-01").case_number
    app = make_app(pc_db)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "dev_a", PASSWORD)
        await _open(pilot)
        await keys(pilot, *typed(number), "enter")
        assert app.screen.view is not None and app.screen.check_action("print_contract", ()) is False
        await keys(pilot, "f11")
        assert flat("商品房买卖合同未打印") not in said(app)
    assert _printed(pc_db) == []
