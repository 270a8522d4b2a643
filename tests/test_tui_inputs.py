"""Every input of the terminal with a length limit cuts a long paste to fit and says so.

Textual's own ``Input`` refuses a paste that does not fit whole: 10,000 characters pasted into
取消受理's 400-character reason (``tui.screens.dialogs.ReasonDialog``) left the field empty without
a word. ``tui.widgets.form.FormInput`` cuts it and posts ``PasteCut``, which every screen and
dialog of the session says on its message line (``ServiceMixin.on_form_input_paste_cut``). This
test reads ``tui/`` for a plain ``Input`` given a ``max_length``: one mechanism, never forgotten.
"""

from __future__ import annotations

import ast
from pathlib import Path

TUI = Path(__file__).resolve().parents[1] / "tui"


def _plain_inputs_with_a_limit() -> list[str]:
    found = []
    for path in sorted(TUI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "Input" and any(k.arg == "max_length" for k in node.keywords):
                found.append(f"{path.relative_to(TUI.parent)}:{node.lineno}")
    return found


def test_no_input_with_a_length_limit_drops_a_long_paste() -> None:
    assert _plain_inputs_with_a_limit() == [], "use tui.widgets.form.FormInput (or compact_input)"


async def test_a_full_width_space_typed_into_a_field_is_kept() -> None:
    """A Chinese input method's full-width space (U+3000) was dropped by the input, so a time typed
    as "２０２６－１２－０９　１７：００" reached the form as "２０２６－１２－０９１７：００" and was refused."""
    from textual import events
    from textual.app import App, ComposeResult

    from tui.widgets.form import FormInput

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield FormInput(id="f", max_length=20)

    app = One()
    async with app.run_test() as pilot:
        field = app.query_one("#f", FormInput)
        field.focus()
        for ch in "１２－０９\u3000１７：００":
            field.post_message(events.Key(ch, ch))
            await pilot.pause()
        assert field.value == "１２－０９\u3000１７：００"
