"""The printing service's own rules, without a printer: copies, printer names, the file,
lp's answer read for its job id, lp's complaints as the clerk hears them, a machine
without the CUPS client, a scheduler that does not answer, and `wangqian print` with no
printer configured. No fake `lp` is used: the real printing is tests/test_printing_cups.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.errors import RuleViolation
from services import printing
from tui.cli import main as cli

runner = CliRunner()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "合同.pdf"
    path.write_bytes(PDF)
    return path


def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as refused:
        call()
    return refused.value.code


def test_the_job_id_is_read_from_lps_answer() -> None:
    assert printing.job_id_of("request id is front-12 (1 file(s))\n") == "front-12"
    assert printing.job_id_of("request id is 窗口03-7 (1 file(s))") == "窗口03-7"
    assert printing.job_id_of("lp: Error - The printer or class does not exist.") is None
    assert printing.job_id_of("") is None


@pytest.mark.parametrize("copies", [0, -1, 100, 1000, True])
def test_copies_outside_one_to_ninety_nine_are_refused(copies: int, pdf: Path) -> None:
    assert _code(lambda: printing.send_pdf(pdf, "front", copies=copies)) == "PRINT_BAD_COPIES"


def test_one_and_ninety_nine_copies_are_fine() -> None:
    printing.check_copies(1)
    printing.check_copies(99)


@pytest.mark.parametrize("name", ["", " ", "a b", "a/b", "-o", "--", "a#b", "a'b", 'a"b', "a\\b", "\x1b[2J",
                                  "a\u202eb", "x" * 128])
def test_names_no_cups_queue_can_have_are_refused(name: str, pdf: Path) -> None:
    assert _code(lambda: printing.send_pdf(pdf, name)) == "PRINTER_BAD_NAME"


def test_a_missing_file_and_a_file_that_is_not_a_pdf_are_refused(tmp_path: Path) -> None:
    assert _code(lambda: printing.send_pdf(tmp_path / "无.pdf", "front")) == "PRINT_FILE_MISSING"
    assert _code(lambda: printing.send_pdf(tmp_path, "front")) == "PRINT_FILE_MISSING"  # a folder
    assert _code(lambda: printing.send_pdf(tmp_path / ("x" * 5000), "front")) == "PRINT_FILE_MISSING"
    text = tmp_path / "a.pdf"
    text.write_text("not a pdf")
    assert _code(lambda: printing.send_pdf(text, "front")) == "PRINT_NOT_PDF"


def test_a_machine_without_the_cups_client_says_so(pdf: Path, tmp_path: Path, monkeypatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(RuleViolation) as refused:
        printing.send_pdf(pdf, "front")
    assert refused.value.code == "PRINT_LP_MISSING" and "cups-client" in refused.value.message


@pytest.mark.skipif(shutil.which("lpstat") is None, reason="the CUPS client (lpstat) is not installed")
def test_a_scheduler_that_does_not_answer_is_said_at_once(pdf: Path) -> None:
    """The real lpstat, asked about a server on a port nothing listens on."""
    with pytest.raises(RuleViolation) as refused:
        printing.send_pdf(pdf, "front", server="127.0.0.1:1")
    assert refused.value.code == "PRINT_CUPS_DOWN"
    assert refused.value.message == "打印服务（CUPS）没有运行或无法连接，未能打印：请联系管理员启动打印服务后重打。"


@pytest.mark.parametrize(("answer", "code"), [
    ("lp: Error - The printer or class does not exist.", "PRINTER_UNKNOWN"),
    ('lp: Destination "front" is not accepting jobs.', "PRINTER_REJECTING"),
    ("lp: Error - scheduler not responding.", "PRINT_CUPS_DOWN"),
    ("lp: Unable to connect to server", "PRINT_CUPS_DOWN"),
    ("lp: Error - copies must be 1 or more.", "PRINT_FAILED"),
    ("", "PRINT_FAILED"),
])
def test_lps_complaints_become_one_sentence(answer: str, code: str) -> None:
    refusal = printing._refusal_of_lp("front", answer)
    assert refusal.code == code and ("未能打印" in refusal.message or "打印失败" in refusal.message)


def test_wangqian_print_without_a_printer_prints_nothing_and_says_how(pdf: Path, monkeypatch) -> None:
    monkeypatch.delenv("WANGQIAN_PRINTER", raising=False)
    result = runner.invoke(cli.app, ["print", str(pdf)])
    assert result.exit_code == 1
    assert "未配置打印机，未打印：请用 --printer 指定打印机，或设置 WANGQIAN_PRINTER。" in result.output
    assert "PRINTER_NOT_CONFIGURED" in result.output
    assert pdf.read_bytes() == PDF


def test_wangqian_print_refuses_bad_copies_before_anything(pdf: Path) -> None:
    result = runner.invoke(cli.app, ["print", str(pdf), "--printer", "front", "--copies", "0"])
    assert result.exit_code == 1 and "份数应为 1 到 99 之间的整数" in result.output and "PRINT_BAD_COPIES" in result.output
