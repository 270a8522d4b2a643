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

from collections.abc import Iterator
from typing import Literal

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.widgets import Static

#: neutral: a note or a step under way (muted); ok: an act was done; error: a refusal.
Tone = Literal["neutral", "ok", "error"]

# C0 controls other than the line break, DEL and C1 controls: dropped (a tab becomes a space).
_CONTROLS = {code: None for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if code != 0x0A}
_CONTROLS[0x09] = " "


def plain(text: str) -> str:
    """``text`` without terminal control characters (line breaks kept)."""
    return text.translate(_CONTROLS)


def literal(text: str) -> Text:
    """``text`` to show as it is where Textual would read a string as markup: a dropdown's or
    a list's option naming a round, a party or a family ("第五批[/x]" is a name, not a tag)."""
    return Text(plain(text))


# ---------------------------------------------------------------- wrapping Chinese

# Kinsoku: no line starts with closing punctuation, none ends with an opening one.
NO_LINE_START = set("，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}")
NO_LINE_END = set("（《「『【〔〈“‘([{")


def _tokens(line: str) -> Iterator[str]:
    """A wide character (汉字, full-width punctuation) alone; a run of narrow characters
    (a number, a code, an English word) whole; a run of spaces."""
    run = ""
    for ch in line:
        if ch == " " or cell_len(ch) > 1:
            if run:
                yield run
                run = ""
            yield ch
        else:
            run += ch
    if run:
        yield run


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` cells, the way Chinese is set: a line
    may break between any two characters, but never inside a number or a code ("152",
    "T1-0101"), never before closing punctuation (，。）) and never after opening
    punctuation (（《). Rich and Textual break only at spaces, so a Chinese sentence
    with one number in it broke there and left half a line empty. Line breaks in
    ``text`` are kept; a token longer than a line is cut into pieces."""
    if width <= 0:
        return text.split("\n")
    out: list[str] = []
    for paragraph in text.split("\n"):
        lines: list[list[str]] = [[]]
        for token in _tokens(paragraph):
            line = lines[-1]
            used = sum(cell_len(t) for t in line)
            if token == " " and not line:
                continue  # no line of a wrapped paragraph starts with a space
            if used + cell_len(token) <= width:
                line.append(token)
                continue
            if token == " ":
                lines.append([])
                continue
            carried: list[str] = []
            if token in NO_LINE_START and line:  # take the character before it along
                carried.append(line.pop())
            while line and line[-1] in NO_LINE_END:  # an opening bracket goes with what follows
                carried.insert(0, line.pop())
            while line and line[-1] == " ":
                line.pop()
            if not line and lines[:-1]:  # nothing left to break: overfull is worse than a bad break
                line.extend(carried)
                carried = []
                lines.append([])
            elif line:
                lines.append([])
            for piece in [*carried, token]:
                while cell_len(piece) > width:  # longer than a whole line: cut it
                    head = piece
                    while cell_len(head) > width:
                        head = head[:-1]
                    if lines[-1]:
                        lines.append([])
                    lines[-1].append(head)
                    lines.append([])
                    piece = piece[len(head):]
                if sum(cell_len(t) for t in lines[-1]) + cell_len(piece) > width:
                    lines.append([])
                lines[-1].append(piece)
        out.extend("".join(line).rstrip() for line in lines)
    return out


class Wrapped:
    """Plain text (never markup) as a Rich renderable that wraps with ``wrap_cells`` at
    whatever width it is given, so a height of ``auto`` grows to fit it."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text = text
        self.style = style

    def __str__(self) -> str:
        return self.text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = wrap_cells(self.text, options.max_width)
        yield Text("\n".join(lines), style=self.style, no_wrap=True, overflow="crop")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((cell_len(line) for line in self.text.split("\n")), default=0)
        narrowest = max((cell_len(t) for line in self.text.split("\n") for t in _tokens(line)), default=0)
        return Measurement(min(narrowest, longest), longest)


class MessageLine(Static):
    """A screen's message line: plain text in one of three tones (``-empty`` while it says nothing)."""

    # The tones are the widget's own; placement (padding, width, height) is the screen's.
    DEFAULT_CSS = """
    MessageLine { color: $text-muted; }
    MessageLine.-error { color: $text-error; text-style: bold; }
    MessageLine.-ok { color: $text-success; text-style: bold; }
    """

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(Wrapped(plain(text)), markup=False, id=id, classes=classes)
        self.text = plain(text)
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
        self.text = plain(text)
        self.update(Wrapped(self.text))


__all__ = ["MessageLine", "Tone", "Wrapped", "plain", "wrap_cells"]
