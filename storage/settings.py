"""The hall's configuration: every ``WANGQIAN_*`` variable, read once.

``Settings`` is the one place the environment is read. The app factory
(``storage.context.load_settings``) builds it once per process — for the
TUI, the CLI and the tests alike — and hands it down on the database handle
(``Database.settings``); no other module reads a ``WANGQIAN_`` variable.
Each field's docstring is what README's configuration table says of it; a
test keeps the two in step.

A value that does not parse is refused at start-up with one Chinese sentence
naming the variable (``SettingsInvalid``), never silently replaced.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.allocation.lease import (
    DEFAULT_DEPOSIT_MONTHS,
    DEFAULT_PUBLICITY_DAYS,
    DEFAULT_SIGNING_DAYS,
    MAX_DEPOSIT_MONTHS,
)
from core.allocation.rounds import DEFAULT_FORMAL_MINUTES
from core.errors import RuleViolation
from core.resale.policies import PROFILES, profile_for

ENV_PREFIX = "WANGQIAN_"
DEFAULT_SSH_OPERATORS = Path("/etc/wangqian/ssh-operators")


class Settings(BaseSettings):
    """Everything a hall configures, with the defaults a new hall starts from."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", frozen=True, use_attribute_docstrings=True,
        hide_input_in_errors=True,
    )

    # ------------------------------------------------------------ where the data lives

    data_dir: Path | None = None
    """Folder of the embedded SQLite file `wangqian.db` (and `demo.db`), and of printed documents (`reports/`); default: the user's data directory, e.g. `~/.local/share/wangqian`."""

    db_url: str | None = None
    """A database URL; PostgreSQL via psycopg 3 (`postgresql://user:pw@host/db`); default: SQLite in the data folder."""

    # ------------------------------------------------------------ the terminal

    idle_lock_seconds: int = Field(300, ge=10)
    """The TUI locks itself after this many idle seconds (at least 10)."""

    draft_sweep_seconds: int = Field(300, ge=0)
    """How often each terminal deletes contract drafts older than 24 h (also at start-up; `0`: start-up only)."""

    db_reconnect_seconds: int = Field(60, ge=0, le=3600)
    """How long a terminal on PostgreSQL waits for a database server it cannot reach (a restart, a network blip) before it says so; meanwhile the screen says it is retrying and keeps what was typed (`0`: do not wait)."""

    ssh_operators: Path = DEFAULT_SSH_OPERATORS
    """Remote operators over SSH: the file mapping each Unix login to its wangqian operator (`unix_user operator [nopassword]`), read by `wangqian tui --ssh`; owned by root, writable by nobody else (docs/ssh.md)."""

    # ------------------------------------------------------------ the hall

    city: str = "shenzhen"
    """The hall's city: its resale policy profile (`shenzhen` / `zhongshan` / `wuhan`, or the Chinese name)."""

    hall_name: str | None = None
    """The hall printed on the city's receipts, notices and allocation notices; default: the city's counter (Shenzhen 住房公积金管理中心房屋交易业务网点, Zhongshan 中山市房地产交易管理事务中心, Wuhan a demo name)."""

    hall_address: str | None = None
    """The hall's address on those documents; default: Zhongshan's 民族东路1号 (seed 002), elsewhere a demo value printed with （示例）."""

    hall_phone: str | None = None
    """The hall's telephone on those documents; default: Zhongshan's 0760-88363077 (seed 002), elsewhere a demo value printed with （示例）."""

    # ------------------------------------------------------------ SMS

    sms_url: str | None = None
    """An HTTP SMS gateway (JSON POST); without it messages wait in the outbox for staff to send by hand."""

    sms_token: SecretStr | None = None
    """The gateway's bearer token (optional)."""

    sms_timeout: float = Field(5.0, gt=0, le=20)
    """Seconds to wait for the gateway's answer (at most 20)."""

    code_key: SecretStr | None = Field(None, min_length=32)
    """The secret one-time SMS codes are keyed with (at least 32 characters, e.g. `openssl rand -hex 32`); the same on every terminal; kept out of the database. Unset on SQLite: a key made in the data folder."""

    code_key_previous: SecretStr | None = Field(None, min_length=32)
    """During a key rotation: the old code key, still accepted for codes sent before the switch (they live 5 minutes)."""

    # ------------------------------------------------------------ public rental (seed 000)

    deposit_months: int = Field(DEFAULT_DEPOSIT_MONTHS, ge=1, le=MAX_DEPOSIT_MONTHS)
    """Public-rental deposit = this many months of rent (1 to 12)."""

    formal_selection_minutes: int = Field(DEFAULT_FORMAL_MINUTES, ge=1, le=60)
    """Minutes a family has, from its first act of formal selection, to settle its houses and their order (1 to 60)."""

    signing_days: int = Field(DEFAULT_SIGNING_DAYS, ge=1, le=365)
    """Days a family has to sign its lease after the round's result is published (1 to 365)."""

    publicity_days: int = Field(DEFAULT_PUBLICITY_DAYS, ge=1, le=60)
    """公示期 of a round's public result list, in days from its publication (1 to 60)."""

    # ------------------------------------------------------------ presale (seed 004)

    fund_key_standard: Decimal = Field(Decimal("1500.00"), gt=0, le=100000, decimal_places=2)
    """重点监管金额 per m² of a supervised unit's built area, in yuan (core.presale.funds.key_amount)."""

    lessor: str | None = None
    """出租人 printed on lease documents; default: 深圳市住房和建设局."""

    lessor_address: str | None = None
    """出租人地址 on lease documents; default: 深圳市福田区."""

    house_city: str | None = None
    """The place before a project's name in 房屋坐落 on lease documents; default: 深圳市."""

    property_company: str | None = None
    """物业服务企业 on the move-in notice (`{project}` is replaced by the project's name)."""

    property_address: str | None = None
    """物业服务中心地址 on the move-in notice (`{project}` is replaced)."""

    property_contact: str | None = None
    """物业联系人 on the move-in notice."""

    property_phone: str | None = None
    """物业联系电话 on the move-in notice."""

    # ------------------------------------------------------------ documents

    cjk_font: Path | None = None
    """The TrueType CJK font embedded in documents; default: WenQuanYi Micro Hei (fonts-wqy-microhei)."""

    printer: str | None = None
    """The CUPS printer (queue name, as `lpstat -p` lists it) the terminals' print actions and `wangqian print` send documents to; unset: documents are kept in the reports folder and printed from there by hand."""

    cups_server: str | None = None
    """The CUPS server to print through (`host` or `host:port`, passed to `lp -h`); default: the machine's own CUPS client configuration (`/etc/cups/client.conf`, else the local scheduler)."""

    # ------------------------------------------------------------ the test suite

    test_pg_url: str | None = None
    """Tests only: a PostgreSQL server for the PostgreSQL half of the suite (the user may create databases)."""

    require_pg: bool = False
    """Tests only: a PostgreSQL test that would be skipped fails instead (CI sets it)."""

    # ------------------------------------------------------------ validation

    @field_validator("city", mode="before")
    @classmethod
    def _known_city(cls, value: Any) -> str:
        """Accept the code or the Chinese name; keep the profile's code."""
        try:
            return profile_for(str(value or "").strip() or "shenzhen").code
        except RuleViolation:
            raise ValueError("unknown city") from None

    @field_validator("db_url", "sms_url", "hall_name", "hall_address", "hall_phone", "lessor", "lessor_address",
                     "house_city", "property_company", "property_address", "property_contact", "property_phone",
                     "printer", "cups_server", "test_pg_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        """``export WANGQIAN_SMS_URL=`` means "not configured", as it always has."""
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @field_validator("data_dir", "cjk_font", "sms_token", "code_key", "code_key_previous", mode="before")
    @classmethod
    def _blank_path_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("ssh_operators", mode="before")
    @classmethod
    def _blank_is_the_default_map(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return DEFAULT_SSH_OPERATORS
        return value

    # ------------------------------------------------------------ derived places

    def data_folder(self) -> Path:
        """The data folder, created on first use."""
        path = self.data_dir or Path(user_data_dir("wangqian", appauthor=False))
        path.mkdir(parents=True, exist_ok=True)
        return path

    def database_url(self) -> str:
        """The configured database; the plain libpq form is taken for psycopg 3's."""
        url = self.db_url
        if url:
            if url.startswith(("postgresql://", "postgres://")):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{self.data_folder() / 'wangqian.db'}"

    def demo_database_url(self) -> str:
        """The demo's own embedded file, beside the hall's."""
        return f"sqlite:///{self.data_folder() / 'demo.db'}"

    def reports_folder(self) -> Path:
        """Where the terminal writes printed documents: ``<data folder>/reports``."""
        path = self.data_folder() / "reports"
        path.mkdir(parents=True, exist_ok=True)
        return path


class _WithoutEnvironment(Settings):
    """Settings from the defaults and what the caller gives, the environment ignored."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,  # type: ignore[no-untyped-def,override]
                                   file_secret_settings):
        return (init_settings,)


def plain_settings(**values: Any) -> Settings:
    """The defaults and ``values`` only: what a test hall runs on, whatever the shell exports."""
    return _WithoutEnvironment(**values)


def env_name(field: str) -> str:
    """The variable that sets a field: ``sms_url`` → ``WANGQIAN_SMS_URL``."""
    return ENV_PREFIX + field.upper()


_PROBLEMS = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 1/0、true/false 或 yes/no",
    "path_type": "应为文件或文件夹路径",
}


def _problem(field: str, error: dict[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if field == "city":
        served = "、".join(f"{p.code}（{p.city}）" for p in PROFILES.values())
        return f"本系统服务的城市为{served}"
    if kind in _PROBLEMS:
        return _PROBLEMS[kind]
    if kind == "string_too_short":
        return f"至少需要 {ctx.get('min_length')} 个字符"
    for key, word in (("ge", "不能小于"), ("gt", "应大于"), ("le", "不能大于"), ("lt", "应小于")):
        if key in ctx:
            bound = ctx[key]
            return f"{word} {bound:g}" if isinstance(bound, float) else f"{word} {bound}"
    return "格式不正确"


class SettingsInvalid(RuleViolation):
    """A configured value does not parse: one sentence naming the variable."""


def load_settings(**overrides: Any) -> Settings:
    """Read the environment once (``overrides`` win, for tests and the demo).

    Refuses with SETTINGS_INVALID (a Chinese sentence naming the variable and
    what is wrong with it) instead of pydantic's English report; an unknown
    city keeps its own refusal (POLICY_UNKNOWN_CITY) with the served cities.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else ""
        raise SettingsInvalid(
            "SETTINGS_INVALID",
            f"配置项 {env_name(field)} 的值无效：{_problem(field, dict(first))}，请联系系统管理员改正。",
            field=field,
        ) from None
