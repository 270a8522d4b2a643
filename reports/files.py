"""Where a printed document is kept (no reportlab here: the TUI imports it at start-up)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["kept_file_name"]


def kept_file_name(folder: Path, name: str) -> Path:
    """A path in ``folder`` for a document named ``name`` that keeps what is
    there: "合同.pdf", then "合同-2.pdf", "合同-3.pdf" … for reprints, so an
    earlier print is never written over."""
    path = folder / name
    stem, suffix = path.stem, path.suffix
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    return path
