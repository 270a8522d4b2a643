"""QR matrices for the documents, made as reportlab makes them, faster.

reportlab's encoder (``reportlab.graphics.barcode.qrencoder``, used by
``QrCodeWidget``) tries all eight mask patterns and keeps the one with the
fewest "lost points"; it maps the data and scores the matrix module by module in
Python, about 4 ms of a receipt's 25. ``lost_points`` computes the very same
score (reportlab's rules as written, including its quirks: rule 3 looks at
rows only and never at a row's last window) on byte strings and integers, so
the mask chosen, and hence the code printed, is unchanged; the tests compare
both scores on every mask of many values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise, zip_longest

from reportlab.graphics.barcode import qrencoder

_RUN = re.compile(rb"\x00{5,}|\x01{5,}")  # rule 1: five or more alike in a line
_FINDER = bytes([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0])  # rule 3, one direction as reportlab
_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def lost_points(modules: Sequence[Sequence[bool]]) -> int:
    """reportlab's ``QRUtil.getLostPoint`` of a module matrix, computed fast."""
    rows = [bytes(r) for r in modules]
    n = len(rows)
    # Lines joined by a byte that is neither colour, so no run or pattern
    # crosses from one line into the next.
    lines = b"\x02".join(rows + [bytes(c) for c in zip(*modules, strict=True)])
    runs = _RUN.findall(lines)  # rule 1: a run of L >= 5 alike costs L - 2
    score = sum(map(len, runs)) - 2 * len(runs)
    bits = [int(r.translate(_TO_DIGITS), 2) for r in rows]
    pairs = (1 << (n - 1)) - 1
    for a, b in pairwise(bits):  # rule 2: each 2x2 block of one colour costs 3
        same_v = ~(a ^ b)
        score += 3 * (same_v & (same_v >> 1) & ~(a ^ (a >> 1)) & pairs).bit_count()
    score += 40 * b"\x02".join(r[:-1] for r in rows).count(_FINDER)  # rule 3
    dark = sum(map(sum, rows))  # rule 4
    score += 10 * (abs(100 * dark // (n * n) - 50) // 5)
    return score


@lru_cache(maxsize=64)
def _mask_grid(n: int, pattern: int) -> tuple[tuple[bool, ...], ...]:
    mask = qrencoder.QRUtil.getMask(pattern)
    return tuple(tuple(bool(mask(r, c)) for c in range(n)) for r in range(n))


class _QRCode(qrencoder.QRCode):
    """reportlab's QRCode with ``lost_points`` for its mask choice and the
    mask patterns looked up instead of computed module by module."""

    def mapData(self, data: bytes, maskPattern: int) -> None:
        grid = _mask_grid(self.moduleCount, maskPattern)
        modules = self.modules
        for (col, row), dark in zip_longest(self.dataPosIterator(), self.dataBitIterator(data), fillvalue=False):
            modules[row][col] = dark ^ grid[row][col]

    def getBestMaskPattern(self) -> int:
        best, pattern = 0, 0
        for i in range(8):
            self.makeImpl(True, i)
            lost = lost_points(self.modules)
            if i == 0 or best > lost:
                best, pattern = lost, i
        return pattern


def qr_matrix(value: str, *, fast: bool = True) -> list[list[bool]]:
    """The QR matrix of ``value`` at level M, as ``QrCodeWidget`` draws it;
    ``fast=False`` uses reportlab's own mask scoring (for the tests)."""
    qr = (_QRCode if fast else qrencoder.QRCode)(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    qr.make()
    return qr.modules


@lru_cache(maxsize=256)
def qr_runs(value: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR matrix of ``value``: its size and its dark modules as
    horizontal runs (row, first column, length)."""
    modules = qr_matrix(value)
    runs = []
    for r, line in enumerate(bytes(row) for row in modules):
        for run in re.finditer(rb"\x01+", line):
            runs.append((r, run.start(), run.end() - run.start()))
    return len(modules), tuple(runs)


__all__ = ["lost_points", "qr_matrix", "qr_runs"]
