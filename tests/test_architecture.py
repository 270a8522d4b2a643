"""The layering is enforced: import-linter contracts and a clean import of core."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 kept, 0 broken" in result.stdout


def test_importing_core_pulls_in_no_database_or_ui():
    code = (
        "import sys, core.identity, core.cases, core.roles, core.audit, core.lookup, core.timeutil;"
        "bad = [m for m in ('sqlalchemy', 'sqlmodel', 'textual', 'reportlab', 'storage', 'tui') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
