"""How long the terminal takes to show its login screen.

``run_to_login`` is what ``wangqian demo --check`` does after preparing the
demo database: the real app, headless, up to its first drawn frame (the login
form), then out. ``start_times`` runs that command in fresh interpreters — so
interpreter start and every import are counted, as a clerk waits for them —
and times each from launch to the line announcing the drawn login screen.
The first run prepares the demo database if needed and is reported apart
(``prepare_s``); the others are second starts.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import RuleViolation

if TYPE_CHECKING:
    from tui.app import WangqianApp

#: What ``wangqian demo --check`` prints once the login screen is drawn (the runs wait for it).
DRAWN = "登录界面已显示"
#: A second start should reach the login screen within this (on the hall's 2-core machine).
TARGET_SECONDS = 1.0
DEMO_CHECK = ("-m", "tui.cli.main", "demo", "--check")


def process_age() -> float | None:
    """Seconds since this process was started (Linux: /proc), or None where that is not known."""
    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(after_name[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time, in ticks after boot
        return float(Path("/proc/uptime").read_text().split()[0]) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def run_to_login(app: WangqianApp, drawn: Callable[[float], None]) -> None:
    """Run ``app`` headless until its first frame (the login form) is drawn; then tell
    ``drawn`` the seconds since the process started (or since this call, off Linux) and exit."""
    from tui.screens.login import LoginScreen

    began = time.perf_counter()
    age = process_age()

    async def until_drawn(pilot: Any) -> None:
        while not app.first_frame.is_set():
            await asyncio.sleep(0.002)
        if not isinstance(app.screen, LoginScreen):
            raise RuntimeError(f"the first screen is {type(app.screen).__name__}, not the login form")
        drawn(time.perf_counter() - began + (age or 0.0))
        app.exit()

    app.run(headless=True, auto_pilot=until_drawn)


def _one_start(command: Sequence[str], timeout: float) -> tuple[float, float]:
    """(seconds to the DRAWN line, seconds to exit) of one run of ``command``; killed after ``timeout``."""
    began = time.perf_counter()
    to_login: float | None = None
    with tempfile.TemporaryFile() as errors, subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8", errors="replace",
    ) as child:
        watchdog = threading.Timer(timeout, child.kill)
        watchdog.start()
        try:
            assert child.stdout is not None
            for line in child.stdout:
                if to_login is None and DRAWN in line:
                    to_login = time.perf_counter() - began
            child.wait()
        finally:
            watchdog.cancel()
        ended = time.perf_counter() - began
        errors.seek(0)
        said = errors.read().decode("utf-8", "replace")
    if child.returncode != 0 or to_login is None:
        tail = " ".join(said.strip().splitlines()[-3:])
        raise RuleViolation("BENCH_START_FAILED", f"启动测量失败（退出码 {child.returncode}）：{tail}")
    return to_login, ended


def start_times(runs: int = 5, *, command: Sequence[str] | None = None, timeout: float = 300.0,
                progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
    """``runs`` second starts of ``command`` (default: this interpreter running ``wangqian
    demo --check``), after one run that prepares the demo database; figures in seconds."""
    command = list(command or (sys.executable, *DEMO_CHECK))
    tell = progress or (lambda done, total, what: None)
    tell(0, runs + 1, "准备演示数据库（第一次启动）")
    prepare_s, _ = _one_start(command, timeout)
    to_login: list[float] = []
    to_exit: list[float] = []
    for n in range(runs):
        tell(n + 1, runs + 1, f"第 {n + 1}/{runs} 次启动")
        drawn, ended = _one_start(command, timeout)
        to_login.append(round(drawn, 3))
        to_exit.append(round(ended, 3))
    tell(runs + 1, runs + 1, "完成")
    median = round(statistics.median(to_login), 3)
    return {
        "command": " ".join(command),
        "runs": runs,
        "prepare_s": round(prepare_s, 3),
        "to_login_s": to_login,
        "to_exit_s": to_exit,
        "median_s": median,
        "min_s": min(to_login),
        "max_s": max(to_login),
        "target_s": TARGET_SECONDS,
        "within_target": median <= TARGET_SECONDS,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
    }
