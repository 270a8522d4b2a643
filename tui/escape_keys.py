"""Esc followed quickly by a key is Esc and that key, never one Alt key.

A terminal sends Esc as the byte ESC and Alt+2 as ESC then "2". Textual's input parser
waits ``ESCDELAY`` (100 ms) after an ESC for more, so a clerk who presses Esc and then
2 within that time (back to the desk, then 在手业务: a fast typist's 10 keys a second)
gets one key: Alt+2, which Textual reads as the macOS Option character "™" (typed into
the field that has the focus) or, for a letter, as an Alt binding this program does not
have. The counter binds no Alt key, so an ESC followed by one printable character is read
here as what the clerk did: Esc, then the key. Escape sequences (ESC [ …, ESC O …) are
untouched: arrows, function keys, the mouse and pastes are parsed as before.

``read_esc_and_key_apart`` installs this on Textual's parser (version pinned in
pyproject.toml; ``tests/test_tui_escape_keys.py`` feeds the parser the bytes a terminal
sends and fails if an upgrade changes what the patched method is called with).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual._xterm_parser import XTermParser

_ESC = "\x1b"
_SEQUENCE_STARTS = "[O" + _ESC  # CSI and SS3 sequences, and a second ESC (handled by the parser)
_original = XTermParser._sequence_to_key_events


def _esc_and_key(parser: XTermParser, sequence: str, alt: bool = False) -> Iterable[events.Key]:
    if len(sequence) == 2 and sequence[0] == _ESC and sequence[1] not in _SEQUENCE_STARTS and sequence[1].isprintable():
        # ESC and a character arrived together (an ESC-prefixed "Alt" key to the parser).
        yield events.Key("escape", _ESC)
        yield from _original(parser, sequence[1])
        return
    if alt and len(sequence) == 1 and sequence.isprintable():
        # The parser gave up waiting after an ESC and reissues the key as Alt+key.
        yield events.Key("escape", _ESC)
        yield from _original(parser, sequence)
        return
    yield from _original(parser, sequence, alt)


def read_esc_and_key_apart() -> None:
    """Make every parser of this process read ESC + a character as Esc, then the key."""
    XTermParser._sequence_to_key_events = _esc_and_key  # type: ignore[method-assign]
