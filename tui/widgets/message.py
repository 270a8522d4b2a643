"""The one line where a screen says what just happened: a refusal, a done act, or a note.

Every screen with room for it has one ``MessageLine`` (where it sits and how
wide it is are the screen's stylesheet's business); ``ServiceMixin`` finds it
by type, so a screen only calls ``set_message`` / ``show_refusal`` /
``clear_message``. The text is a service's sentence, often carrying what a
person typed or the database holds, so it is always shown literally: never
read as markup, and stripped of control characters that would reach the
terminal.
"""

from __future__ import annotations

from typing import Literal

from textual.widgets import Static

#: neutral: a note or a step under way (muted); ok: an act was done; error: a refusal.
Tone = Literal["neutral", "ok", "error"]

# C0 controls other than the line break, DEL and C1 controls: dropped (a tab becomes a space).
_CONTROLS = {code: None for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if code != 0x0A}
_CONTROLS[0x09] = " "


def plain(text: str) -> str:
    """``text`` without terminal control characters (line breaks kept)."""
    return text.translate(_CONTROLS)


class MessageLine(Static):
    """A screen's message line: plain text in one of three tones (``-empty`` while it says nothing)."""

    # The tones are the widget's own; placement (padding, width, height) is the screen's.
    DEFAULT_CSS = """
    MessageLine { color: $text-muted; }
    MessageLine.-error { color: $text-error; text-style: bold; }
    MessageLine.-ok { color: $text-success; text-style: bold; }
    """

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(plain(text), markup=False, id=id, classes=classes)
        self.set_class(not text, "-empty")

    @property
    def tone(self) -> Tone:
        if self.has_class("-error"):
            return "error"
        return "ok" if self.has_class("-ok") else "neutral"

    def say(self, text: str, tone: Tone = "neutral") -> None:
        """Show ``text`` (literally) in ``tone``; an empty text clears the line."""
        self.set_class(tone == "error", "-error")
        self.set_class(tone == "ok", "-ok")
        self.set_class(not text, "-empty")
        self.update(plain(text))


__all__ = ["MessageLine", "Tone", "plain"]
