"""`wangqian contract sweep|show|list` and `wangqian report … -o FILE` on the sample database."""

from __future__ import annotations

import json
import shutil
import subprocess

from datetime import timedelta

import pytest
import time_machine
from typer.testing import CliRunner

from core.roles import Role
from tests.conftest import freeze, make_operator
from tests.contract_support import NOW, draft_contract
from tui.cli.main import app

runner = CliRunner()


@pytest.fixture
def cli_db(cli_sample_db):
    """The sample hall on each backend, opened by the commands."""
    return cli_sample_db


def test_show_masks_numbers_and_unknown_number_is_refused(cli_db):
    freeze(cli_db, NOW)
    clerk = make_operator(cli_db, "clerk_cli", Role.CLERK)
    view = draft_contract(cli_db, clerk, city="zhongshan")
    shown = runner.invoke(app, ["contract", "show", view.case_number])
    assert shown.exit_code == 0, shown.output
    assert view.number in shown.stdout and "草稿" in shown.stdout and "贰佰叁拾伍万元整" in shown.stdout
    buyer_id = view.draft.buyers[0].id_number
    assert buyer_id not in shown.stdout and view.parties[1].masked_id in shown.stdout
    listed = runner.invoke(app, ["contract", "list", "--status", "draft", "--json"])
    assert view.number in [row["number"] for row in json.loads(listed.stdout)]
    missing = runner.invoke(app, ["contract", "show", "ZHT000"])
    assert missing.exit_code == 1 and "CONTRACT_NOT_FOUND" in missing.stderr
    bad = runner.invoke(app, ["contract", "list", "--status", "bogus"])
    assert bad.exit_code == 1 and "CONTRACT_BAD_STATUS" in bad.stderr


def test_sweep_deletes_expired_drafts(cli_db):
    """The command runs on the wall clock (the factory's): the test moves the wall clock itself."""
    with time_machine.travel(NOW, tick=False) as wall:
        clerk = make_operator(cli_db, "clerk_cli", Role.CLERK)
        view = draft_contract(cli_db, clerk, city="zhongshan")
        first = runner.invoke(app, ["contract", "sweep", "--json"])
        assert first.exit_code == 0 and view.number not in json.loads(first.stdout)["deleted"]
        wall.shift(timedelta(hours=24))
        second = runner.invoke(app, ["contract", "sweep", "--json"])
    assert view.number in json.loads(second.stdout)["deleted"]
    assert runner.invoke(app, ["contract", "show", view.number]).exit_code == 1


def test_void_qualification_from_the_command_line(cli_db):
    """Seed 001 §7 case 2: the buyer voids the qualification code of a contract not yet signed."""
    from services.resale import signing

    freeze(cli_db, NOW)
    clerk = make_operator(cli_db, "clerk_vq", Role.CLERK)
    view = draft_contract(cli_db, clerk, city="shenzhen")
    assert view.qualification_required
    signing.request_qualification(cli_db, clerk, view.id)
    empty = runner.invoke(app, ["contract", "void-qualification", view.number])
    assert empty.exit_code == 1 and "QUALIFICATION_VOID_REASON" in empty.stderr
    unknown = runner.invoke(app, ["contract", "void-qualification", "SHT0", "--reason", "改签"])
    assert unknown.exit_code == 2 and "CONTRACT_NOT_FOUND" in unknown.stderr
    done = runner.invoke(app, ["contract", "void-qualification", view.case_number, "--reason", "[/x] 买受人改签其他房屋"])
    assert done.exit_code == 0, done.output
    assert "已作废" in done.stdout
    again = runner.invoke(app, ["contract", "void-qualification", view.number, "--reason", "再次"])
    assert again.exit_code == 1 and "QUALIFICATION_NOTHING_TO_VOID" in again.stderr
    shown = runner.invoke(app, ["contract", "show", view.number])
    assert "已作废" in shown.stdout


def _prints(db, contract_id: int) -> int:
    from sqlalchemy import func, select

    from storage.models import AuditEntry

    with db.read() as session:
        return session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "contract_print", AuditEntry.object_id == str(contract_id))).scalar_one()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_report_keeps_an_existing_file_unless_told_to_overwrite_it(cli_db, tmp_path):
    """Reprints are kept: `report … -o FILE` refuses an existing FILE (one Chinese sentence, its
    rule code, exit 1) before making anything, so the refused print is not recorded either;
    --force overwrites it."""
    from services.resale import contracts
    from tests.conftest import SYSTEM

    filed = next(r for r in contracts.find_contracts(cli_db, SYSTEM, status="filed"))
    target = tmp_path / "合同.pdf"
    target.write_bytes(b"the print handed out this morning")
    before = _prints(cli_db, filed.id)
    refused = runner.invoke(app, ["report", "contract", filed.number, "-o", str(target)])
    assert refused.exit_code == 1, refused.output
    said = "".join(refused.stderr.split())
    assert "REPORT_OUTPUT_EXISTS" in said and "已存在" in said and "--force" in said and "Traceback" not in said
    assert target.read_bytes() == b"the print handed out this morning"
    assert _prints(cli_db, filed.id) == before  # nothing made, nothing recorded
    for command in (["report", "receipt", filed.case_number], ["report", "round", "1"],
                    ["report", "family", "1", "1"]):
        again = runner.invoke(app, [*command, "-o", str(target)])
        assert again.exit_code == 1 and "REPORT_OUTPUT_EXISTS" in "".join(again.stderr.split()), command
    forced = runner.invoke(app, ["report", "contract", filed.number, "-o", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert filed.number in "".join(text.split())
    assert _prints(cli_db, filed.id) == before + 1
    fresh = tmp_path / "另一份.pdf"
    assert runner.invoke(app, ["report", "contract", filed.number, "-o", str(fresh)]).exit_code == 0
    assert fresh.read_bytes()[:5] == b"%PDF-"
