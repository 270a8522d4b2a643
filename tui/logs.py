"""The terminal's log: what it records never holds a readable ID or mobile number.

A failed worker is logged with its traceback, and an exception's text can carry
what was typed or stored (a database error quotes its parameters). Every record
of ``wangqian.*`` loggers passes ``MaskedNumbers`` first: the message and the
formatted traceback with ID and mobile numbers masked (``core.identity``).
"""

from __future__ import annotations

import logging
import traceback

from core.identity import mask_numbers_in_text


class MaskedNumbers(logging.Filter):
    """Masks the ID and mobile numbers in a record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_numbers_in_text(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = mask_numbers_in_text("".join(traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
        return True


def logger(name: str) -> logging.Logger:
    """The logger ``name`` with its records masked."""
    log = logging.getLogger(name)
    if not any(isinstance(f, MaskedNumbers) for f in log.filters):
        log.addFilter(MaskedNumbers())
    return log
