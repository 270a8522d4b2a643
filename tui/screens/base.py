"""What every screen of the terminal shares: the session, worker failures, refusals.

Screens run each service call in a thread worker (``@work(thread=True,
exit_on_error=False)``) and post a typed message with the result. A worker
that fails is handled here, in one place: a ``RuleViolation`` is a refusal
whose sentence the clerk reads out; anything else is logged and shown as
"系统错误：…" without bringing the terminal down.

What a screen's keys are for is said twice: its footer shows the keys of the
task's current step first (``step_actions``), then F1 帮助, then the rest; F1
opens ``tui.screens.help.HelpScreen``, which lists every key of the screen with
its Chinese description and the screen's ``HELP_STEPS``.

Where a screen says things is one widget, its ``MessageLine`` (found by type):
``set_message`` / ``show_refusal`` / ``clear_message`` write there, and a screen
without one (a confirmation dialog) shows a toast instead. A refusal that names
an input field goes first to ``show_field_refusal``, which a form overrides to
show it under that field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

from textual import work
from textual.binding import ActiveBinding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input
from textual.worker import Worker, WorkerState

from core.errors import RuleViolation
from core.identity import mask_numbers_in_text
from core.roles import SESSION_ENDING_CODES, Actor
from reports.files import kept_file_name
from services import printing
from storage.engine import Database, database_trouble
from tui.logs import logger
from tui.widgets.footer import KeyFooter
from tui.widgets.form import FormInput
from tui.widgets.message import MessageLine, Tone

if TYPE_CHECKING:
    from tui.app import WangqianApp

log = logger("wangqian.tui")


def system_error_text(error: BaseException) -> str:
    detail = str(error).strip() or type(error).__name__
    return f"系统错误：{detail}"


@dataclass(frozen=True)
class PrintOutcome:
    """What became of a printed document: the sentence for the message line, its tone,
    and where the PDF is kept."""

    message: str
    tone: Tone
    path: Path


_FINISHED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


class ServiceMixin:
    """Session access and the one handler for failed workers (mixed into screens).

    The handlers are found by name (``on_mount``, ``on_worker_state_changed``):
    Textual calls the handler of every class in the MRO, so a screen's own
    ``on_mount`` runs as well as this one.
    """

    #: Workers whose outcome the next keys act on: the case or contract that a number's Enter
    #: loads, a step's result shown again. Keys typed while one runs wait in the app
    #: (``WangqianApp.on_event``) until its outcome is on the screen: F11 typed straight after
    #: the Enter that loads a contract prints that contract instead of being refused for want
    #: of one; Enter on a list still filling would open another row. By worker name (``@work``
    #: names a worker after its method). Not a detail pane that follows the cursor
    #: (``_load_detail``): the arrows moving through a list do not wait for each row's detail.
    KEYS_WAIT_FOR: ClassVar[frozenset[str]] = frozenset({"_load", "_load_view", "_run_step"})

    @property
    def wq(self) -> WangqianApp:
        return cast("WangqianApp", self.app)  # type: ignore[attr-defined]

    @property
    def _outcomes_awaited(self) -> set[Worker]:
        return self.__dict__.setdefault("_wangqian_outcomes_awaited", set())

    def run_worker(self, work: Any, *args: Any, **kwargs: Any) -> Worker:
        worker = super().run_worker(work, *args, **kwargs)  # type: ignore[misc]
        if worker.name in self.KEYS_WAIT_FOR:
            # Registered now, not when its first state message is handled: a key may come first.
            self._outcomes_awaited.add(worker)
        return worker

    @property
    def awaiting_outcome(self) -> bool:
        """Whether a worker the next keys wait for (``KEYS_WAIT_FOR``) has yet to show its outcome.
        A cancelled one has none to show (a newer load replaced it): it may even never say it
        ended, when it was cancelled before it began."""
        awaited = self._outcomes_awaited
        awaited.difference_update([worker for worker in awaited if worker.is_cancelled])
        return bool(awaited)

    def stop_awaiting_outcomes(self) -> None:
        """The keys stop waiting for the workers now running (one that never ends must not
        swallow the keyboard: ``WangqianApp._release_keys_anyway``)."""
        self._outcomes_awaited.clear()

    @property
    def db(self) -> Database:
        return self.wq.db

    @property
    def actor(self) -> Actor:
        return self.wq.require_actor()

    def save_document(self, file_name: str, pdf: bytes) -> Path:
        """Write a printed document into the hall's reports folder (``Settings.reports_folder``);
        a reprint is kept beside the earlier prints ("…-2.pdf", "…-3.pdf"), never written over
        them, even by another terminal writing the same name at the same moment."""
        folder = self.db.settings.reports_folder()
        while True:
            path = kept_file_name(folder, file_name)
            try:
                with path.open("xb") as handle:
                    handle.write(pdf)
                return path
            except FileExistsError:
                continue  # taken meanwhile: the next free name

    def print_document(self, file_name: str, pdf: bytes, what: str) -> PrintOutcome:
        """Keep a printed document (``save_document``) and send it to the hall's printer
        (``Settings.printer``, through CUPS). Called in a screen's worker thread, after the
        service that made ``pdf`` has committed: no database lock is held while CUPS answers.
        What the clerk reads is the returned sentence: sent (with the job), kept only (no
        printer configured), or refused (the printer stopped …) — always with where the file is."""
        path = self.save_document(file_name, pdf)
        settings = self.db.settings
        if settings.printer is None:
            return PrintOutcome(f"{what}未打印：未配置打印机，文件保存在 {path}", "ok", path)
        try:
            job = printing.send_pdf(path, settings.printer, title=path.stem, server=settings.cups_server)
        except RuleViolation as refusal:
            log.warning("print of %s refused: %s", path.name, refusal.code)
            return PrintOutcome(f"{what}未打印：{refusal.message}文件保存在 {path}", "error", path)
        log.info("printed %s on %s as %s", path.name, job.printer, job.job_id)
        return PrintOutcome(f"{what}已发送到打印机 {job.printer}（作业 {job.job_id}），文件保存在 {path}", "ok", path)

    #: False from the moment the screen is made until it is mounted and its own on_mount has
    #: put the focus where typing starts: the keys typed meanwhile wait in the app
    #: (WangqianApp.on_event) instead of being dropped on a screen with nothing focused.
    takes_keys = False

    def on_mount(self) -> None:
        # Headless runs (tests, snapshots) want a steady cursor: no blink timer.
        if self.wq.is_headless:
            for field in self.query(Input):  # type: ignore[attr-defined]
                field.cursor_blink = False
        self.call_after_refresh(self._ready_for_keys)  # type: ignore[attr-defined]

    async def _ready_for_keys(self) -> None:
        self.takes_keys = True
        # Handed on in the app's own task, never in this screen's: a held key may end this
        # screen (退出登录), which waits for this screen's task — a deadlock if it were this one.
        self.wq.call_later(self.wq.release_held_keys)

    def on_screen_resume(self) -> None:
        """Back on top (a dialog over it dismissed): the keys typed while the dialog went, held
        in the app, come here now, in their order. A key that closed the dialog may still be
        "settling" along widgets that are gone: that wait ends here too."""
        if self.wq.settling_keys:
            self.call_later(self.wq.settled)
        if self.takes_keys:
            self.call_after_refresh(self._ready_for_keys)  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in _FINISHED and event.worker in self._outcomes_awaited:
            # This message comes after every message the worker posted (its result, handled
            # and shown by now) and after a refusal's handler below: the held keys act on that.
            self._outcomes_awaited.discard(event.worker)
            if not self.awaiting_outcome:
                self.wq.call_later(self.wq.release_held_keys)
        if event.state is not WorkerState.ERROR or event.worker.is_cancelled:
            return
        error = event.worker.error
        if isinstance(error, RuleViolation) and error.code in SESSION_ENDING_CODES:
            # The account behind this terminal changed: nothing more is done in its name.
            self.app.call_later(self.wq.end_session, error.message)  # type: ignore[attr-defined]
            return
        trouble = database_trouble(error) if error is not None else None
        if trouble is not None:  # the database down, busy or lost mid-way: a sentence, not a system error
            log.warning("worker %s: %s", event.worker.name, trouble.code)
            error = trouble
        if isinstance(error, RuleViolation):
            if not self.show_field_refusal(error):
                self.show_refusal(error.message)
            return
        log.error("worker %s failed", event.worker.name, exc_info=error)
        self.app.log.error(mask_numbers_in_text(f"worker {event.worker.name} failed: {error!r}"))  # type: ignore[attr-defined]
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

    def on_form_input_paste_cut(self, event: FormInput.PasteCut) -> None:
        self.set_message(f"粘贴的内容超出本栏长度，只保留了前 {event.kept} 个字（本栏最多 "
                         f"{event.field.max_length} 个字）。", "error")

    def clear_message(self) -> None:
        self.set_message("")

    def show_field_refusal(self, error: RuleViolation) -> bool:
        """Show a refusal under the input field it names; False when this screen has no such
        field (the refusal then goes to the message line). Forms override this."""
        return False


class RunsItsUseCase:
    """Mixed into a form dialog that runs its use case itself: ``run`` (given the values as
    typed) in a worker, then the dialog closes with what it returned. A refusal is said on the
    dialog's message line (``ServiceMixin``'s worker handler) and the cursor goes to the field
    it names (``#{FIELD_PREFIX}{field}``): what was typed stays, so one wrong figure is
    mended, not the whole form typed again."""

    FIELD_PREFIX: ClassVar[str] = ""
    run: Callable[[dict[str, str]], object] | None

    class Finished(Message):
        def __init__(self, result: object) -> None:
            super().__init__()
            self.result = result

    def run_use_case(self, values: dict[str, str]) -> None:
        self.set_message("正在办理……")  # type: ignore[attr-defined]
        self._run_use_case(values)

    @work(thread=True, exclusive=True, group="form-run", exit_on_error=False)
    def _run_use_case(self, values: dict[str, str]) -> None:
        assert self.run is not None
        self.post_message(self.Finished(self.run(values)))  # type: ignore[attr-defined]

    def on_runs_its_use_case_finished(self, message: Finished) -> None:
        self.dismiss(message.result)  # type: ignore[attr-defined]

    def show_field_refusal(self, error: RuleViolation) -> bool:
        """The cursor to the field a refusal names; the sentence goes to the message line."""
        found = (list(self.query(f"#{self.FIELD_PREFIX}{error.field}"))  # type: ignore[attr-defined]
                 if error.field and error.field.isidentifier() else [])
        if found:
            found[0].focus()
        return False


def bare_action(action: str) -> str:
    """``app.lock`` → ``lock``; ``open('lookup')`` stays as it is."""
    for prefix in ("app.", "screen."):
        if action.startswith(prefix):
            return action[len(prefix):]
    return action


#: The keys of Textual's own widgets that a footer shows, by action: (key, description) in Chinese.
TEXTUAL_KEYS: dict[str, tuple[str, str]] = {
    "dismiss": ("Esc", "收起列表"),  # a Select's open list (SelectOverlay)
}


class AppScreen(ServiceMixin, Screen[None]):
    """A full screen of the logged-in session."""

    #: The steps of the screen's task, in the guides' words (F1 帮助 lists them).
    HELP_STEPS: ClassVar[Sequence[str]] = ()

    def step_actions(self) -> Sequence[str]:
        """The actions of the task's current step, most relevant first: the footer shows
        their keys before any other (a screen whose step changes calls ``refresh_bindings``)."""
        return ()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The screen's keys in footer order: the current step's, then F1 帮助 (with a
        ``KeyFooter``), then the rest (each group in BINDINGS order; the screen's before the app's).
        None once the session has ended: a screen of it may be drawn once more while it is taken
        down, and its keys' checks need the operator."""
        if self.wq.actor is None:
            return {}
        bindings = super().active_bindings
        # Textual's own widgets' keys speak English ("esc Dismiss menu" while a list is open):
        # said in Chinese when known (TEXTUAL_KEYS), else not shown.
        for key, active in bindings.items():
            if active.binding.show and type(active.node).__module__.startswith("textual."):
                said = TEXTUAL_KEYS.get(active.binding.action)
                shown = (replace(active.binding, description=said[1], key_display=said[0]) if said
                         else replace(active.binding, show=False))
                bindings[key] = active._replace(binding=shown)
        # A key the screen shows (Enter 家庭选房) stays shown when the focused widget binds the
        # same key without showing it (a table's Enter, which posts RowSelected to the screen).
        for key, binding in self._bindings:
            active = bindings.get(key)
            if binding.show and active is not None and not active.binding.show and isinstance(active.node, DataTable):
                state = self.app._check_action_state(binding.action, self)
                if state is not False:
                    bindings[key] = ActiveBinding(self, binding, bool(state), binding.tooltip)
        # F1 帮助 (not shown by default) right after them where the footer drops what does not
        # fit (KeyFooter); a plain Footer, which cuts its last key, does not show it.
        steps = list(self.step_actions())
        if self.query(KeyFooter):
            steps.append("help")
            for key, active in bindings.items():
                if active.binding.action == "help" and active.node is self.app:
                    bindings[key] = active._replace(binding=replace(active.binding, show=True))
        first = {action: i for i, action in enumerate(steps)}

        def rank(item: tuple[str, ActiveBinding]) -> int:
            action = bare_action(item[1].binding.action)  # "review(True)" ranks as "review(True)" or "review"
            return first.get(action, first.get(action.split("(")[0], len(first)))

        return dict(sorted(bindings.items(), key=rank))


ResultT = TypeVar("ResultT")


class AppModal(ServiceMixin, ModalScreen[ResultT], Generic[ResultT]):
    """A dialog over a screen of the session."""

    def dismiss(self, result: ResultT | None = None):  # type: ignore[no-untyped-def,override]
        """Close with ``result``. From now until the screen under it is back on top (its
        ``on_screen_resume``), the keys typed wait in the app: none lands in the closing form."""
        self.takes_keys = False
        return super().dismiss(result)
