"""Esc followed quickly by a key reaches the counter as Esc and that key: what Textual's
input parser makes of the bytes a terminal sends (the parser itself, no Pilot, which
bypasses it)."""

from __future__ import annotations

import pytest
from textual._xterm_parser import XTermParser

from tui.escape_keys import read_esc_and_key_apart


def _keys(data: str) -> list[tuple[str, str | None]]:
    parser = XTermParser()
    messages = [*parser.feed(data), *parser.feed("")]  # "": the end of input (no more waiting)
    return [(m.key, m.character) for m in messages if hasattr(m, "key")]


@pytest.fixture(autouse=True)
def _installed() -> None:
    read_esc_and_key_apart()
    read_esc_and_key_apart()  # twice does no harm


@pytest.mark.parametrize("data,keys", [
    ("\x1b2", [("escape", "\x1b"), ("2", "2")]),  # not "™" (macOS Option+2)
    ("\x1b1", [("escape", "\x1b"), ("1", "1")]),  # not "¡"
    ("\x1bq", [("escape", "\x1b"), ("q", "q")]),  # not Alt+Q
    ("\x1bf", [("escape", "\x1b"), ("f", "f")]),  # not iTerm's word right
    ("\x1b王", [("escape", "\x1b"), ("王", "王")]),
])
def test_esc_then_a_key_is_two_keys(data, keys):
    assert _keys(data) == keys


@pytest.mark.parametrize("data,keys", [
    ("\x1b[A", [("up", None)]),
    ("\x1bOP", [("f1", None)]),
    ("\x1b[21~", [("f10", None)]),
    ("\x1b", [("escape", "\x1b")]),
    ("2", [("2", "2")]),
])
def test_sequences_and_plain_keys_are_read_as_before(data, keys):
    assert _keys(data) == keys
