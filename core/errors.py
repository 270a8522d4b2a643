"""The one error type every rule raises: a stable code and one Chinese sentence."""

from __future__ import annotations


class RuleViolation(Exception):
    """A refusal by a business rule.

    ``code`` is a stable UPPER_SNAKE identifier (for logs, tests and the CLI's
    JSON); ``message`` is one plain Chinese sentence a clerk can read out.
    ``field`` optionally names the input field the refusal belongs to.
    """

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}
