"""Sending a printed document to the hall's printer through CUPS (``lp``).

The hall prints with CUPS, not with a printing stack of ours: ``lp -d PRINTER -n
COPIES -t TITLE -- FILE.pdf`` hands the PDF to the scheduler, which answers with a
job id ("request id is front-12 (1 file(s))"). Before sending, the scheduler and
the printer are asked (``lpstat -r``, ``lpstat -p``, ``lpstat -a``), so that a
stopped printer or a scheduler that is down is said to the clerk at once in one
Chinese sentence with a stable rule code, instead of a job waiting unseen in a
paused queue. What this module refuses:

* ``PRINT_BAD_COPIES``: copies outside 1..99;
* ``PRINT_FILE_MISSING`` / ``PRINT_NOT_PDF``: no such file, or not a PDF;
* ``PRINTER_BAD_NAME``: a name CUPS cannot have (spaces, ``/``, quotes, a leading ``-``);
* ``PRINT_LP_MISSING``: the CUPS client (``lp``, ``lpstat``) is not installed;
* ``PRINT_CUPS_DOWN``: the scheduler does not answer;
* ``PRINTER_UNKNOWN``: the scheduler has no such printer;
* ``PRINTER_STOPPED``: the printer is stopped (``cupsdisable``: out of paper, a jam, paused);
* ``PRINTER_REJECTING``: the printer is not accepting jobs (``cupsreject``);
* ``PRINT_FAILED`` / ``PRINT_TIMEOUT``: ``lp`` failed otherwise, or did not answer.

The tools run without a shell and with an explicit, minimal environment (the C
locale, so their English answers can be read); the scheduler is the system's
(``/etc/cups/client.conf``) unless the hall names one (``Settings.cups_server``,
passed as ``-h``). No database is touched: a caller that records a print does so
in its own transaction before calling here, never holding a lock across it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from core.errors import RuleViolation
from core.text import printable

__all__ = ["MAX_COPIES", "PrintJob", "check_copies", "check_printer_name", "job_id_of", "send_pdf"]

MAX_COPIES = 99
#: How long one CUPS client call may take before the print is given up.
TOOL_TIMEOUT_S = 20
#: The tools' whole environment: English answers (parsed below), UTF-8 titles.
TOOL_ENV = {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

_JOB_ID = re.compile(r"request id is (\S+)")
_FORBIDDEN_IN_NAME = set(" \t/\\#'\"")


@dataclass(frozen=True)
class PrintJob:
    """A document the scheduler accepted."""

    printer: str
    job_id: str  # "front-12"
    copies: int


def check_copies(copies: int) -> None:
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
        raise RuleViolation("PRINT_BAD_COPIES", f"份数应为 1 到 {MAX_COPIES} 之间的整数，未打印。")


def check_printer_name(printer: str) -> None:
    """A CUPS queue name: 1 to 127 visible characters, none of space, tab, ``/``, ``\\``, ``#``,
    quotes; not starting with ``-`` (it would read as an option)."""
    if (not printer or len(printer) > 127 or printer.startswith("-") or any(ch in _FORBIDDEN_IN_NAME for ch in printer)
            or printable(printer) != printer or not printer.isprintable()):
        raise RuleViolation("PRINTER_BAD_NAME",
                            f"打印机名称“{printable(printer, limit=40)}”不合规范（不能含空格、斜杠、引号或以“-”开头），未打印。")


def job_id_of(answer: str) -> str | None:
    """The job id in ``lp``'s answer ("request id is front-12 (1 file(s))" → "front-12")."""
    found = _JOB_ID.search(answer)
    return found.group(1) if found else None


def _check_pdf(path: Path) -> Path:
    shown = printable(str(path), limit=200)
    try:
        if not path.is_file():
            raise RuleViolation("PRINT_FILE_MISSING", f"找不到文件 {shown}，未打印。")
        with path.open("rb") as handle:
            head = handle.read(5)
    except (OSError, ValueError):  # unreadable, a name too long, a NUL in it
        raise RuleViolation("PRINT_FILE_MISSING", f"无法读取文件 {shown}，未打印。") from None
    if head != b"%PDF-":
        raise RuleViolation("PRINT_NOT_PDF", f"文件 {shown} 不是 PDF 文件，未打印。")
    return path.resolve()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuleViolation("PRINT_LP_MISSING",
                            f"本机没有安装打印命令 {name}（CUPS 客户端，Debian：cups-client），未打印：请联系管理员安装。")
    return found


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(args, env=TOOL_ENV, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S,
                              check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise RuleViolation("PRINT_TIMEOUT",
                            f"打印服务（CUPS）{TOOL_TIMEOUT_S} 秒内没有应答，未能确认打印：请稍后重试或联系管理员。") from None


def _cups_down() -> RuleViolation:
    return RuleViolation("PRINT_CUPS_DOWN", "打印服务（CUPS）没有运行或无法连接，未能打印：请联系管理员启动打印服务后重打。")


def _unknown(printer: str) -> RuleViolation:
    return RuleViolation("PRINTER_UNKNOWN",
                         f"没有名为 {printer} 的打印机，未能打印：请核对打印机名称（WANGQIAN_PRINTER 或 --printer）。")


def _stopped(printer: str) -> RuleViolation:
    return RuleViolation("PRINTER_STOPPED",
                         f"打印机 {printer} 已停用，未能打印：请检查打印机（缺纸、卡纸、未开机），由管理员恢复后重打。")


def _rejecting(printer: str) -> RuleViolation:
    return RuleViolation("PRINTER_REJECTING",
                         f"打印机 {printer} 暂不接收打印任务，未能打印：请管理员恢复接收（cupsaccept）后重打。")


def _check_printer(lpstat: str, server: list[str], printer: str) -> None:
    """Refuse at once what the scheduler already knows: it is down, the printer does not exist,
    is stopped or is not accepting jobs."""
    running = _run([lpstat, *server, "-r"])
    if "scheduler is running" not in running.stdout:
        raise _cups_down()
    state = _run([lpstat, *server, "-p", printer])
    first = state.stdout.splitlines()[0] if state.stdout.strip() else ""
    if state.returncode != 0 or not first.lower().startswith(f"printer {printer.lower()} "):
        raise _unknown(printer)
    if " disabled since " in first:
        raise _stopped(printer)
    accepting = _run([lpstat, *server, "-a", printer])
    if "not accepting" in accepting.stdout or accepting.returncode != 0:
        raise _rejecting(printer)


def _refusal_of_lp(printer: str, answer: str) -> RuleViolation:
    """``lp``'s complaint as the clerk hears it."""
    text = answer.lower()
    if "does not exist" in text or "not found" in text:
        return _unknown(printer)
    if "not accepting" in text:
        return _rejecting(printer)
    if "scheduler" in text or "connect" in text or "server" in text:
        return _cups_down()
    first = next((line.strip() for line in answer.splitlines() if line.strip()), "没有说明原因")
    return RuleViolation("PRINT_FAILED", f"打印失败（lp：{printable(first, limit=160)}），请联系管理员。")


def send_pdf(path: Path, printer: str, *, copies: int = 1, title: str | None = None,
             server: str | None = None) -> PrintJob:
    """Send the PDF at ``path`` to the CUPS queue ``printer`` (``copies`` of it, the job named
    ``title``, by default the file's name) and return the accepted job; refuse in one
    sentence what cannot be printed (the module docstring lists the rule codes)."""
    check_copies(copies)
    check_printer_name(printer)
    source = _check_pdf(path)
    lp, lpstat = _tool("lp"), _tool("lpstat")
    host = ["-h", server] if server else []
    _check_printer(lpstat, host, printer)
    name = printable(title if title is not None else source.stem, limit=120) or "document"
    done = _run([lp, *host, "-d", printer, "-n", str(copies), "-t", name, "--", str(source)])
    job = job_id_of(done.stdout)
    if done.returncode != 0 or job is None:
        raise _refusal_of_lp(printer, done.stderr or done.stdout)
    return PrintJob(printer=printer, job_id=job, copies=copies)
