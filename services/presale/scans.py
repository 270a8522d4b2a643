"""Reading a scan a person uploads (a paper contract signed by both parties, a signed fund
supervision agreement, a house return's voucher): the file must exist and be a PDF; what is kept is its path and its
SHA-256, so a later change of the file shows."""

from __future__ import annotations

import hashlib
from pathlib import Path

from core.errors import RuleViolation
from core.presale.contracts import check_scan

__all__ = ["read_scan"]


def read_scan(path: object, *, label: str, missing_code: str, not_pdf_code: str,
              field: str = "scan") -> tuple[str, str]:
    """``(resolved path, sha256)`` of the PDF at ``path``. Refused: ``missing_code`` (no such
    file), ``not_pdf_code`` (not a PDF), each naming ``label``."""
    file = Path(path) if isinstance(path, str) and path.strip() else None
    if file is None or not file.is_file():
        raise RuleViolation(missing_code, f"找不到{label}文件，请确认文件路径。", field=field)
    data = file.read_bytes()
    check_scan(data[:8], label=label, code=not_pdf_code, field=field)
    return str(file.resolve())[:300], hashlib.sha256(data).hexdigest()
