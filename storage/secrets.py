"""The hall's secret keys, kept out of the database.

The one-time-code key (``Settings.code_key``) makes a stolen ``one_time_code``
table useless (``core.codes``). It must therefore live somewhere else than the
database, and every terminal that sends or checks codes must hold the same one:

* configured (``WANGQIAN_CODE_KEY``, and during a rotation the old one in
  ``WANGQIAN_CODE_KEY_PREVIOUS``): used as given, on every terminal alike;
* not configured, on the embedded SQLite file: one terminal, one data folder,
  so a random key is made on first use in ``<data folder>/code.key`` (readable
  by the owner only) and kept there;
* not configured, on PostgreSQL: terminals on several hosts would each make
  their own and refuse each other's codes, so sending and checking codes is
  refused until the hall configures the key.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from core.errors import RuleViolation
from storage.settings import Settings

KEY_FILE = "code.key"


def code_keys(settings: Settings, *, embedded: bool) -> tuple[bytes, ...]:
    """The keys codes are made with (the first) and still checked with (all)."""
    if settings.code_key is not None:
        keys = [settings.code_key.get_secret_value().encode()]
        if settings.code_key_previous is not None:
            keys.append(settings.code_key_previous.get_secret_value().encode())
        return tuple(keys)
    if not embedded:
        raise RuleViolation(
            "CODE_KEY_MISSING",
            "多终端数据库须在每台终端配置相同的验证码密钥 WANGQIAN_CODE_KEY，未配置前不能发送或核验短信验证码，请联系系统管理员。",
        )
    return (_key_file(settings.data_folder() / KEY_FILE),)


def _key_file(path: Path) -> bytes:
    """The data folder's own key, made once (owner-only) and then read."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip().encode()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip().encode()
