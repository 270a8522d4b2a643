"""The key line at the bottom of a screen, never showing half a key.

Textual's ``Footer`` lays its keys out in one row and cuts the row at the
terminal's edge, so at 80 columns a screen with many keys ends in "F9 受理回执  F".
``KeyFooter`` shows the keys in the screen's order (``AppScreen.active_bindings``:
the current step's keys first, then F1 帮助) and leaves out, from the first one
that does not fit whole, the rest: F1 帮助 lists them all.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Footer


class KeyFooter(Footer):
    """A footer that drops the keys it cannot show whole."""

    def compose(self) -> ComposeResult:
        width = self.size.width or self.app.size.width
        used = 0
        for widget in super().compose():
            if type(widget).__name__ == "FooterKey" and not widget.has_class("-command-palette"):
                # " F5 运行场次 ": the key and the description with their padding (compact: one less).
                need = cell_len(widget.key_display) + cell_len(widget.description) + (2 if self.compact else 3)  # type: ignore[attr-defined]
                if used + need > width:
                    break
                used += need
            yield widget

    def on_resize(self) -> None:
        self.refresh(recompose=True)
