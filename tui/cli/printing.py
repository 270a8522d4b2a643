"""`wangqian print FILE.pdf [--printer NAME] [--copies N]`: a PDF to the hall's printer.

The same use case as every document screen's print key (``services.printing``):
the PDF goes to CUPS with ``lp``, to ``--printer`` or else the configured printer
(``WANGQIAN_PRINTER``). Without either, nothing is printed and the command says
so. A refusal (no such printer, the printer stopped or not accepting jobs, CUPS
not running, no ``lp``, copies outside 1..99, not a PDF) is one Chinese sentence
with its rule code, exit 1; the file is never changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.errors import RuleViolation
from services import printing
from tui.cli.helpers import out, refusals, settings, shown


@refusals
def print_pdf(
    file: Annotated[str, typer.Argument(metavar="文件.pdf", help="要打印的 PDF 文件。")],
    printer: Annotated[str | None, typer.Option("--printer", metavar="打印机",
                                                help="CUPS 打印机名称（默认：WANGQIAN_PRINTER）。")] = None,
    copies: Annotated[int, typer.Option("--copies", "-n", metavar="份数", help="份数（1 到 99）。")] = 1,
) -> None:
    """把 PDF 文件发送到打印机（CUPS lp）。"""
    printing.check_copies(copies)
    target = printer if printer is not None else settings().printer
    if target is None:
        raise RuleViolation("PRINTER_NOT_CONFIGURED",
                            "未配置打印机，未打印：请用 --printer 指定打印机，或设置 WANGQIAN_PRINTER。")
    job = printing.send_pdf(Path(file).expanduser(), target, copies=copies, server=settings().cups_server)
    out.print(f"已发送到打印机 {shown(job.printer)}（作业 {shown(job.job_id)}，{job.copies} 份）：{shown(file)}",
              highlight=False, soft_wrap=True)
