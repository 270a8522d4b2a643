"""Password hashing: argon2id with argon2-cffi's defaults (above OWASP's minimum)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import RuleViolation

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4
MIN_LENGTH = 8


@cache
def dummy_hash() -> str:
    """Verified against when the user does not exist, so that an unknown user name costs
    the same time as a wrong password. Made at first use, not at import: hashing costs a
    tenth of a second that no command but a login needs (and every start paid it)."""
    return _hasher.hash("wangqian-dummy-password")


def check_password_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise RuleViolation("PASSWORD_TOO_SHORT", f"密码至少需要 {MIN_LENGTH} 位。", field="password")
    if password.isdigit() or password.isalpha():
        raise RuleViolation("PASSWORD_TOO_SIMPLE", "密码须同时包含字母和数字。", field="password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
