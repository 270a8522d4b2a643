"""One settings object: every WANGQIAN_* variable is a typed, documented field,
read once; bad values are refused in one Chinese sentence naming the variable;
README's configuration table says the same as the class; no other module
reads the environment."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from core.errors import RuleViolation
from storage.settings import Settings, env_name, load_settings, plain_settings

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")


def _readme_rows() -> dict[str, str]:
    """README's configuration table: variable → its default cell."""
    rows: dict[str, str] = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `WANGQIAN_"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for name in re.findall(r"`(WANGQIAN_[A-Z_]+)`", cells[0]):
            rows[name] = cells[-1]
    return rows


def test_readme_table_names_every_setting_and_nothing_else() -> None:
    documented = _readme_rows()
    fields = {env_name(name): field for name, field in Settings.model_fields.items()}
    assert set(documented) == set(fields)
    for name, field in fields.items():
        assert field.description, f"{name} has no docstring"
        if isinstance(field.default, (int, float, str)) and not isinstance(field.default, bool):
            assert f"`{field.default}`" in documented[name], f"README's default for {name} is not `{field.default}`"


def test_only_the_settings_module_reads_wangqian_variables() -> None:
    readers = subprocess.run(
        ["grep", "-rlE", r"os\.environ|os\.getenv|getenv\(", "--include=*.py",
         "core", "services", "storage", "tui", "reports", "bench", "demo"],
        cwd=ROOT, capture_output=True, text=True,
    ).stdout.split()
    assert readers == [], readers


def test_defaults_and_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(env_name(name), raising=False)
    defaults = load_settings()
    assert (defaults.city, defaults.idle_lock_seconds, defaults.deposit_months, defaults.sms_url) == (
        "shenzhen", 300, 2, None)
    monkeypatch.setenv("WANGQIAN_CITY", "武汉市")
    monkeypatch.setenv("WANGQIAN_DEPOSIT_MONTHS", " 3 ")
    monkeypatch.setenv("WANGQIAN_SMS_URL", "")  # exported but empty: not configured
    monkeypatch.setenv("WANGQIAN_DATA_DIR", str(tmp_path))
    hall = load_settings()
    assert (hall.city, hall.deposit_months, hall.sms_url) == ("wuhan", 3, None)
    assert hall.database_url() == f"sqlite:///{tmp_path / 'wangqian.db'}"
    assert hall.reports_folder() == tmp_path / "reports" and hall.reports_folder().is_dir()
    monkeypatch.setenv("WANGQIAN_DB_URL", "postgresql://wq:pw@db/wangqian")
    assert load_settings().database_url() == "postgresql+psycopg://wq:pw@db/wangqian"
    # a test hall ignores what the shell exports
    assert plain_settings().city == "shenzhen"


@pytest.mark.parametrize(("variable", "raw"), [
    ("WANGQIAN_DEPOSIT_MONTHS", "0"), ("WANGQIAN_DEPOSIT_MONTHS", "13"), ("WANGQIAN_DEPOSIT_MONTHS", "two"),
    ("WANGQIAN_DEPOSIT_MONTHS", "2.5"), ("WANGQIAN_DEPOSIT_MONTHS", "-1"),
    ("WANGQIAN_IDLE_LOCK_SECONDS", "abc"), ("WANGQIAN_IDLE_LOCK_SECONDS", "5"),
    ("WANGQIAN_SIGNING_DAYS", "366"), ("WANGQIAN_SMS_TIMEOUT", "0"), ("WANGQIAN_SMS_TIMEOUT", "600"),
    ("WANGQIAN_DRAFT_SWEEP_SECONDS", "-1"), ("WANGQIAN_CITY", "guangzhou"), ("WANGQIAN_REQUIRE_PG", "maybe"),
])
def test_a_bad_value_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch, variable: str, raw: str) -> None:
    monkeypatch.setenv(variable, raw)
    with pytest.raises(RuleViolation) as refusal:
        load_settings()
    assert refusal.value.code == "SETTINGS_INVALID"
    message = refusal.value.message
    assert variable in message and CJK.search(message) and message.endswith("。") and message.count("。") == 1
