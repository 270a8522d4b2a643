"""The pieces the counter's forms are built of: a labelled line, and a field with its refusal.

* ``field_line(label, *widgets)`` — a label and the widget(s) it names on one
  line (``form-field`` / ``form-label``): compact inputs one row high, or
  ``tall`` for full-size inputs with their border (the dialogs, the login form).
* ``FieldRow(name, label, widget)`` — such a line and, under it, the
  ``FieldError`` where a refusal naming that field is shown. The ids follow one
  scheme, so a refusal's ``field`` finds its place: ``w-<name>`` the row,
  ``f-<name>`` the input, ``e-<name>`` its error line.

The row layout is in ``tui/app.tcss``; each form sets its own label width (and
the error line's matching indent) in its domain's stylesheet.
"""

from __future__ import annotations

from textual import events
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from tui.widgets.message import Wrapped

#: ``restrict`` of a field of digits (an SMS code): ASCII and full-width digits, as a Chinese input
#: method in full-width mode types them; the rules normalise them (``core.codes.normalize_code``).
DIGITS_AS_TYPED = r"[0-9０-９]*"


#: The full-width space a Chinese input method types in its full-width mode.
IDEOGRAPHIC_SPACE = "\u3000"


class FormInput(Input):
    """An input of a form: a key costs a repaint of the input, not a layout of the screen,
    and a paste longer than the field is cut to fit (and said so) instead of dropped.

    Every input of the terminal with a ``max_length`` is one (a test reads ``tui/`` for a plain
    ``Input`` given one): Textual's own Input refuses a paste that does not fit whole, so
    10,000 characters pasted into a 400-character reason left the field empty without a word.
    The notice (``PasteCut``) is said by ``ServiceMixin.on_form_input_paste_cut``, which every
    screen and dialog of the session inherits (``AppScreen``, ``AppModal``).

    Textual's Input sets its ``virtual_size`` on every change, and on a widget that
    reactive lays out the whole screen again: on the contract form (five parties,
    some four hundred widgets) that was 40–400 ms a key, long enough for a fast
    typist's keys to queue up. A one-row input scrolls inside itself, so its
    virtual size never changes anyone else's layout.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    class PasteCut(Message):
        """A paste did not fit: ``kept`` characters went in, ``dropped`` were left out."""

        def __init__(self, field: FormInput, kept: int, dropped: int) -> None:
            super().__init__()
            self.field = field
            self.kept = kept
            self.dropped = dropped

    async def _on_key(self, event: events.Key) -> None:
        # Python (so Textual's Input) counts the full-width space U+3000 as unprintable and
        # drops it: "２０２６－１２－０９　１７：００" typed in a Chinese input method's full-width
        # mode became "２０２６－１２－０９１７：００" and was refused as a malformed time.
        if event.character == IDEOGRAPHIC_SPACE:
            event.stop()
            event.prevent_default()
            start, end = sorted(self.selection)
            if start == end:
                self.insert_text_at_cursor(IDEOGRAPHIC_SPACE)
            else:
                self.replace(IDEOGRAPHIC_SPACE, start, end)
            return
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        lines = event.text.splitlines()
        text = lines[0] if lines else ""
        cut: FormInput.PasteCut | None = None
        if self.max_length:
            start, end = sorted(self.selection)
            room = max(0, self.max_length - (len(self.value) - (end - start)))
            if len(text) > room:
                cut = self.PasteCut(self, room, len(text) - room)
                text = text[:room]
        if text:
            start, end = sorted(self.selection)
            self.replace(text, start, end)
        if cut is not None:
            # Said after the field's ``Changed``: a screen that clears its message line when a
            # field changes (a list filter) would otherwise wipe the notice at once.
            self.post_message(cut)


def compact_input(value: object = "", placeholder: str = "", max_length: int = 0) -> Input:
    """A one-row input for a form line (``None`` shows as empty)."""
    return FormInput(value="" if value is None else str(value), placeholder=placeholder, compact=True,
                     max_length=max_length)


def field_line(label: str, *widgets: Widget, tall: bool = False) -> Horizontal:
    """One line: ``label`` and the widget(s) it names."""
    return Horizontal(Label(label, classes="form-label"), *widgets,
                      classes="form-field -tall" if tall else "form-field")


class FieldError(Static):
    """The line under a field (or a section) for its refusal; takes no room while empty."""

    # Self-contained: hidden until shown, always in the error colour. Its indent is the form's.
    DEFAULT_CSS = """
    FieldError { display: none; height: auto; color: $text-error; text-style: bold; }
    FieldError.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__("", id=id, classes=classes, markup=False)

    def show(self, text: str) -> None:
        """Show ``text`` (literally: a refusal may quote what was typed), wrapped as Chinese is
        set (``Wrapped``: no line of a refusal starts with its closing 。)."""
        self.update(Wrapped(text))
        self.add_class("-shown")

    def clear(self) -> None:
        self.update("")
        self.remove_class("-shown")


class FieldRow(Vertical):
    """A labelled input line and, under it, the line for its refusal."""

    def __init__(self, name: str, label: str, widget: Widget, *, hidden: bool = False,
                 locked: bool = False) -> None:
        """``name``: the id part (``f-<name>`` for ``widget``); ``hidden``: start hidden
        (``-hidden``); ``locked``: the widget is disabled (read-only)."""
        widget.id = f"f-{name}"
        if locked:
            widget.disabled = True
        # Children given here, not composed: the form's widgets exist as soon as the row is mounted.
        super().__init__(field_line(label, widget), FieldError(id=f"e-{name}"), id=f"w-{name}",
                         classes="form-row -hidden" if hidden else "form-row")


def clear_field_errors(root: Widget) -> None:
    """Empty every refusal line under ``root``."""
    for line in root.query(FieldError):
        line.clear()


def show_field_error(root: Widget, name: str, message: str) -> bool:
    """Show ``message`` under the field ``name`` and put the cursor in it.

    Returns False (and shows nothing) when ``root`` has no error line for that field.
    """
    line = next(iter(root.query(f"#e-{name}").results(FieldError)), None)
    if line is None:
        return False
    line.show(message)
    field = next(iter(root.query(f"#f-{name}")), None)
    if field is not None:
        field.focus()
    return True


__all__ = ["FieldError", "FieldRow", "FormInput", "clear_field_errors", "compact_input", "field_line", "show_field_error"]
