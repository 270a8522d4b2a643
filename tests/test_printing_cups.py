"""Printing through a real CUPS server, to the cups-pdf printer (docs/deployment.md, Printing).

Nothing of CUPS is imitated: the scheduler (``cupsd``), its client (``lp``, ``lpstat``)
and Debian's cups-pdf backend (``printer-driver-cups-pdf``) are the real ones. The test
adds a throwaway cups-pdf queue (``lpadmin -p wq-test-… -E -v cups-pdf:/``), prints a
resale contract made by the services — with `wangqian print` and with F8 on the contract
desk — waits for CUPS to complete the job (``lpstat -W completed``), finds the PDF that
came out of the printer in cups-pdf's output folder (``Out`` in /etc/cups/cups-pdf.conf,
``~/PDF`` of the job's user on Debian) and reads it with ``pdftotext``. cups-pdf makes its
PDF from PostScript (CUPS's pdftops, then Ghostscript): the glyphs of the embedded CJK font
come through, their Unicode does not, so what is read back is the Latin part — the
contract and filing numbers, each party's masked ID number (never the full one) — and the
printed file is checked to carry the WenQuanYi font. Then the queue is
stopped (``cupsdisable``): the print is refused at once in one Chinese sentence, no job is
queued, and the screen still says where the file is kept. The queue is removed afterwards,
and a scheduler the test started is stopped.

Needs root (``lpadmin``; a scheduler to start). With CI=true a missing CUPS or cups-pdf is
installed (``.ci/run`` installs both up front) and anything that keeps the test from
running fails it; elsewhere the module is skipped and says why.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from core.errors import RuleViolation
from core.roles import Actor
from services import printing
from services.resale import contracts
from services.resale import documents as docs
from storage.models import ContractParty
from tests.conftest import configure
from tests.contract_support import signed_contract
from tests.contract_tui_fixtures import demo_clerk, demo_supervisor, tui_clock  # noqa: F401 (fixtures)
from tests.test_tui_support import SIZE, login, make_app, screen_text, settle, text_of, type_into
from tui.cli import main as cli
from tui.screens.resale.desk import ContractDeskScreen

IN_CI = os.environ.get("CI") == "true"
PACKAGES = ("cups", "printer-driver-cups-pdf")
BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_CONF = Path("/etc/cups/cups-pdf.conf")
TOOLS = ("cupsd", "lp", "lpstat", "lpadmin", "cupsdisable", "cupsenable", "pdftotext")
SYSTEM = Actor.system("test")
runner = CliRunner()


def _run(*args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=timeout,
                          env={**os.environ, "LC_ALL": "C.UTF-8"})


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root: it adds a printer to CUPS (lpadmin) and may start the scheduler"
    for tool in TOOLS:
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
            return f"{tool} is not installed (apt-get install {' '.join(PACKAGES)} poppler-utils; .ci/run does)"
    if not BACKEND.exists():
        return "the cups-pdf backend is not installed (apt-get install printer-driver-cups-pdf; .ci/run does)"
    return None


def _install() -> None:
    """CI only: what .ci/run installs, in case the machine was set up without it."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", *PACKAGES, "poppler-utils"], env=env, capture_output=True,
                   timeout=900)


def _scheduler_running() -> bool:
    return "scheduler is running" in _run("lpstat", "-r", check=False).stdout


def _start_scheduler() -> subprocess.Popen[bytes] | None:
    """Start cupsd in the foreground, as a child of the test, unless one is running already."""
    if _scheduler_running():
        return None
    cupsd = shutil.which("cupsd") or "/usr/sbin/cupsd"
    process = subprocess.Popen([cupsd, "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cupsd stopped at once (exit {process.returncode})")
        if _scheduler_running():
            return process
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("cupsd did not answer within 20 s")


def _model() -> list[str]:
    """Debian's cups-pdf PPD: the file if it is where Debian puts it, else the driver lpinfo names."""
    for ppd in (Path("/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd"), Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")):
        if ppd.exists():
            return ["-P", str(ppd)]
    models = _run("lpinfo", "-m", timeout=120).stdout.splitlines()
    found = [line.split()[0] for line in models if "cups-pdf" in line.lower()]
    if not found:
        raise RuntimeError("lpinfo -m lists no CUPS-PDF model")
    return ["-m", found[0]]


def _output_folder() -> Path:
    """Where cups-pdf puts a job of the user running the test (``Out``; Debian: ``${HOME}/PDF``)."""
    user = pwd.getpwuid(os.geteuid())
    out = "/var/spool/cups-pdf/${USER}"  # cups-pdf's own default
    if CUPS_PDF_CONF.exists():
        for line in CUPS_PDF_CONF.read_text(encoding="utf-8", errors="replace").splitlines():
            found = re.match(r"\s*Out\s+(\S+)", line)
            if found:
                out = found.group(1)
    return Path(out.replace("${HOME}", user.pw_dir).replace("${USER}", user.pw_name))


@dataclass(frozen=True)
class CupsPdf:
    """A throwaway cups-pdf queue on the real scheduler, and where its output lands."""

    printer: str
    output: Path

    def pdfs(self) -> set[Path]:
        return set(self.output.glob("*.pdf")) if self.output.is_dir() else set()

    def queued(self) -> str:
        return _run("lpstat", "-o", self.printer, check=False).stdout

    def wait_for(self, job_id: str, before: set[Path], timeout: float = 90) -> Path:
        """The PDF job ``job_id`` printed, once CUPS says the job is completed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            completed = _run("lpstat", "-W", "completed", "-o", self.printer, check=False).stdout
            if any(line.split()[:1] == [job_id] for line in completed.splitlines()):
                new = sorted(self.pdfs() - before, key=lambda p: p.stat().st_mtime)
                if new:
                    return new[-1]
            time.sleep(0.2)
        log = Path("/var/log/cups/error_log")
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        raise AssertionError(f"job {job_id} did not come out of {self.printer} within {timeout} s: "
                             f"queue {self.queued()!r}, completed {completed!r}, folder {self.output}\n{tail}")


@pytest.fixture(scope="module")
def cups_pdf() -> Iterator[CupsPdf]:
    problem = _missing()
    if problem is not None and IN_CI and os.geteuid() == 0:
        _install()
        problem = _missing()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"CUPS with cups-pdf cannot be set up in CI: {problem}")
        pytest.skip(problem)
    try:
        started = _start_scheduler()
    except RuntimeError as exc:
        if IN_CI:
            pytest.fail(f"the CUPS scheduler cannot be started in CI: {exc}")
        pytest.skip(f"the CUPS scheduler cannot be started: {exc}")
    printer = f"wq-test-{uuid.uuid4().hex[:8]}"
    try:
        _run("lpadmin", "-p", printer, "-E", "-v", "cups-pdf:/", *_model())
        yield CupsPdf(printer, _output_folder())
    finally:
        _run("lpadmin", "-x", printer, check=False)
        if started is not None:
            started.terminate()
            started.wait(timeout=20)


def _text(pdf: Path) -> str:
    return _run("pdftotext", "-layout", str(pdf), "-").stdout


def _filed_contract(db) -> contracts.ContractRow:
    return next(iter(contracts.find_contracts(db, SYSTEM, status="filed")))


def _full_ids(db, contract_id: int) -> list[str]:
    with db.read() as s:
        return list(s.execute(select(ContractParty.id_number).where(ContractParty.contract_id == contract_id)).scalars())


# ---------------------------------------------------------------- printed for real


def test_a_contract_printed_with_wangqian_print_comes_out_of_the_printer(cups_pdf, sqlite_sample_db, tmp_path,
                                                                         monkeypatch):
    db = sqlite_sample_db
    monkeypatch.delenv("WANGQIAN_CUPS_SERVER", raising=False)
    row = _filed_contract(db)
    view = contracts.get_contract(db, SYSTEM, row.id)
    source = tmp_path / f"{row.case_number}-存量房买卖合同.pdf"
    source.write_bytes(docs.contract_pdf(db, SYSTEM, row.number))
    before = cups_pdf.pdfs()

    result = runner.invoke(cli.app, ["print", str(source), "--printer", cups_pdf.printer, "--copies", "1"])
    assert result.exit_code == 0, result.output
    found = re.search(rf"已发送到打印机 {cups_pdf.printer}（作业 ({re.escape(cups_pdf.printer)}-\d+)，1 份）", result.output)
    assert found, result.output

    printed = cups_pdf.wait_for(found.group(1), before)
    try:
        text = _text(printed)
        assert row.number in text and row.filing_number in text
        assert all(party.masked_id in text for party in view.parties)  # each party's masked ID number
        assert all(number not in text for number in _full_ids(db, row.id))  # never the full number, on paper too
        fonts = _run("pdffonts", str(printed)).stdout
        assert "WenQuanYiMicroHei" in fonts  # the Chinese went through as the embedded font's glyphs
    finally:
        printed.unlink(missing_ok=True)
    assert source.read_bytes().startswith(b"%PDF")  # the kept file is left as it was


async def test_f8_on_the_contract_desk_sends_the_contract_to_the_printer(cups_pdf, sqlite_sample_db, clock, clerk,
                                                                         supervisor, tmp_path):
    db = sqlite_sample_db
    configure(db, data_dir=tmp_path / "data", printer=cups_pdf.printer)
    signed = signed_contract(db, clerk, supervisor, clock, "zhongshan")
    before = cups_pdf.pdfs()
    app = make_app(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(pilot, "clerk1")
        await pilot.app.push_screen(ContractDeskScreen())
        await settle(pilot)
        await type_into(pilot, "#desk-number", signed.case_number)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f8")
        await app.workers.wait_for_complete()
        await settle(pilot)
        message = text_of(app, "#desk-message")
        kept = db.settings.reports_folder() / f"{signed.case_number}-存量房买卖合同.pdf"
        found = re.fullmatch(rf"存量房买卖合同已发送到打印机 {cups_pdf.printer}（作业 ({re.escape(cups_pdf.printer)}-\d+)），"
                             rf"文件保存在 {re.escape(str(kept))}", message)
        assert found, message
        assert app.screen.query_one("#desk-message").has_class("-ok")
        shown = "".join(screen_text(app).split())
        assert "".join(message.split()) in shown.replace("│", "")  # wrapped at 80 columns, nothing cut
    assert kept.read_bytes().startswith(b"%PDF")
    printed = cups_pdf.wait_for(found.group(1), before)
    try:
        assert signed.number in _text(printed)
    finally:
        printed.unlink(missing_ok=True)


# ---------------------------------------------------------------- a stopped printer


async def test_a_stopped_printer_is_refused_at_once_and_the_file_is_kept(cups_pdf, sqlite_sample_db, clock, clerk,
                                                                          supervisor, tmp_path):
    db = sqlite_sample_db
    configure(db, data_dir=tmp_path / "data", printer=cups_pdf.printer)
    signed = signed_contract(db, clerk, supervisor, clock, "zhongshan")
    source = tmp_path / "合同.pdf"
    source.write_bytes(docs.contract_pdf(db, SYSTEM, signed.number))
    stopped = f"打印机 {cups_pdf.printer} 已停用，未能打印：请检查打印机（缺纸、卡纸、未开机），由管理员恢复后重打。"
    _run("cupsdisable", "-r", "测试：缺纸", cups_pdf.printer)
    try:
        with pytest.raises(RuleViolation) as refused:
            printing.send_pdf(source, cups_pdf.printer)
        assert (refused.value.code, refused.value.message) == ("PRINTER_STOPPED", stopped)

        result = runner.invoke(cli.app, ["print", str(source), "--printer", cups_pdf.printer])
        assert result.exit_code == 1 and stopped in result.output and "PRINTER_STOPPED" in result.output

        app = make_app(db, clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            await login(pilot, "clerk1")
            await pilot.app.push_screen(ContractDeskScreen(signed.case_number))
            await settle(pilot)
            await pilot.press("f8")
            await app.workers.wait_for_complete()
            await settle(pilot)
            kept = db.settings.reports_folder() / f"{signed.case_number}-存量房买卖合同.pdf"
            message = text_of(app, "#desk-message")
            assert message == f"存量房买卖合同未打印：{stopped}文件保存在 {kept}"
            assert app.screen.query_one("#desk-message").has_class("-error")
            shown = "".join(screen_text(app).split())
            assert "".join(message.split()) in shown.replace("│", "")  # wrapped at 80 columns, nothing cut
        assert kept.read_bytes().startswith(b"%PDF")  # the print is kept for when the printer is back
        assert cups_pdf.printer not in cups_pdf.queued()  # nothing waits unseen in the stopped queue
    finally:
        _run("cupsenable", cups_pdf.printer, check=False)
    assert " disabled " not in _run("lpstat", "-p", cups_pdf.printer).stdout
