"""What every screen of the terminal shares: the session, worker failures, refusals.

Screens run each service call in a thread worker (``@work(thread=True,
exit_on_error=False)``) and post a typed message with the result. A worker
that fails is handled here, in one place: a ``RuleViolation`` is a refusal
whose sentence the clerk reads out; anything else is logged and shown as
"系统错误：…" without bringing the terminal down.

Where a screen says things is one widget, its ``MessageLine`` (found by type):
``set_message`` / ``show_refusal`` / ``clear_message`` write there, and a screen
without one (a confirmation dialog) shows a toast instead. A refusal that names
an input field goes first to ``show_field_refusal``, which a form overrides to
show it under that field.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from textual.screen import ModalScreen, Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from core.errors import RuleViolation
from core.roles import SESSION_ENDING_CODES, Actor
from storage.engine import Database
from tui.widgets.message import MessageLine, Tone

if TYPE_CHECKING:
    from tui.app import WangqianApp

log = logging.getLogger("wangqian.tui")


def system_error_text(error: BaseException) -> str:
    detail = str(error).strip() or type(error).__name__
    return f"系统错误：{detail}"


class ServiceMixin:
    """Session access and the one handler for failed workers (mixed into screens).

    The handlers are found by name (``on_mount``, ``on_worker_state_changed``):
    Textual calls the handler of every class in the MRO, so a screen's own
    ``on_mount`` runs as well as this one.
    """

    @property
    def wq(self) -> WangqianApp:
        return cast("WangqianApp", self.app)  # type: ignore[attr-defined]

    @property
    def db(self) -> Database:
        return self.wq.db

    @property
    def actor(self) -> Actor:
        return self.wq.require_actor()

    def save_document(self, file_name: str, pdf: bytes) -> Path:
        """Write a printed document into the hall's reports folder (``Settings.reports_folder``)."""
        path = self.db.settings.reports_folder() / file_name
        path.write_bytes(pdf)
        return path

    def on_mount(self) -> None:
        # Headless runs (tests, snapshots) want a steady cursor: no blink timer.
        if self.wq.is_headless:
            for field in self.query(Input):  # type: ignore[attr-defined]
                field.cursor_blink = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.is_cancelled:
            return
        error = event.worker.error
        if isinstance(error, RuleViolation) and error.code in SESSION_ENDING_CODES:
            # The account behind this terminal changed: nothing more is done in its name.
            self.app.call_later(self.wq.end_session, error.message)  # type: ignore[attr-defined]
            return
        if isinstance(error, RuleViolation):
            if not self.show_field_refusal(error):
                self.show_refusal(error.message)
            return
        log.error("worker %s failed", event.worker.name, exc_info=error)
        self.app.log.error(f"worker {event.worker.name} failed: {error!r}")  # type: ignore[attr-defined]
        self.show_refusal(system_error_text(error or RuntimeError("未知错误")))

    # ------------------------------------------------------------ the message line

    @property
    def message_line(self) -> MessageLine | None:
        """The screen's message line, or None when it has none."""
        return next(iter(self.query(MessageLine)), None)  # type: ignore[attr-defined]

    def set_message(self, text: str, tone: Tone = "neutral") -> None:
        """Say ``text`` on the message line (a toast on a screen without one)."""
        line = self.message_line
        if line is not None:
            line.say(text, tone)
        elif text and tone == "error":
            self.app.notify(text, title="无法办理", severity="error", timeout=8)  # type: ignore[attr-defined]
        elif text:
            self.app.notify(text)  # type: ignore[attr-defined]

    def show_refusal(self, message: str) -> None:
        """Show a refusal sentence (a service's, or the screen's own)."""
        self.set_message(message, "error")

    def clear_message(self) -> None:
        self.set_message("")

    def show_field_refusal(self, error: RuleViolation) -> bool:
        """Show a refusal under the input field it names; False when this screen has no such
        field (the refusal then goes to the message line). Forms override this."""
        return False


class AppScreen(ServiceMixin, Screen[None]):
    """A full screen of the logged-in session."""


ResultT = TypeVar("ResultT")


class AppModal(ServiceMixin, ModalScreen[ResultT], Generic[ResultT]):
    """A dialog over a screen of the session."""
