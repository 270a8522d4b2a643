"""One-time SMS codes: the policy, making a code, and hashing it (pure rules).

Policy (NIST SP 800-63B, OWASP ASVS; Chinese SMS providers' limits):

* 6 decimal digits from the ``secrets`` CSPRNG (about 20 bits);
* valid for ``CODE_TTL``; single use; bound to the exact version of what it
  confirms (the service checks that);
* at most ``MAX_ATTEMPTS`` tries per code, then it is dead;
* a new code for the same subject and party, or for the same phone, at most
  once per ``RESEND_AFTER``; at most ``DAILY_LIMIT`` codes per phone per
  Asia/Shanghai day.

Hashing. There is no server-side secret in this application (no key store,
no configured pepper), so a keyed hash (HMAC with a secret key) is not an
option, and a fast unkeyed hash of a 6-digit code is worthless: 10^6
candidates are tried in well under a second. We therefore use argon2id
through ``core.passwords`` (random per-hash salt, 64 MiB, t=3: roughly
0.1-0.3 s per guess on one core). That does not make 10^6 guesses impossible,
but it makes recovering a code from a leaked ``one_time_code`` row cost hours
of CPU (or a large memory-hard farm) against a lifetime of ``CODE_TTL``, after
which the row is useless. Online guessing is bounded by ``MAX_ATTEMPTS``, not
by the hash. The cost is one argon2 hash per code sent and per try, which is
negligible at a service counter.

Note: the SMS outbox (``sms_message.text``) necessarily carries the code in
plain text until it is delivered; see ``services.sign_codes`` for that
trade-off.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import timedelta

from core.errors import RuleViolation
from core.passwords import hash_password, verify_password

CODE_DIGITS = 6
CODE_SPACE = 10**CODE_DIGITS
CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
DAILY_LIMIT = 10


def format_code(number: int) -> str:
    """An integer in [0, 10^6) as exactly six digits, zero-padded."""
    if not 0 <= number < CODE_SPACE:
        raise ValueError("a code number must be in [0, 10**6)")
    return f"{number:0{CODE_DIGITS}d}"


def new_code() -> str:
    """A fresh six-digit code from the operating system's CSPRNG."""
    return format_code(secrets.randbelow(CODE_SPACE))


def normalize_code(raw: str) -> str:
    """What the party typed, as six ASCII digits (full-width digits and spaces allowed).

    A malformed entry is refused without counting as a try: it cannot match.
    """
    text = unicodedata.normalize("NFKC", raw if isinstance(raw, str) else "")
    text = "".join(text.split())
    if not text:
        raise RuleViolation("CODE_EMPTY", "请输入短信验证码。", field="code")
    if len(text) != CODE_DIGITS or not text.isascii() or not text.isdigit():
        raise RuleViolation("CODE_BAD_FORMAT", f"验证码应为{CODE_DIGITS}位数字，请核对后重新输入。", field="code")
    return text


def hash_code(code: str) -> str:
    """argon2id hash of a code (salted; see the module docstring for why argon2)."""
    return hash_password(code)


def check_code(stored_hash: str, code: str) -> bool:
    """Whether ``code`` matches ``stored_hash`` (constant-time inside argon2)."""
    return verify_password(stored_hash, code)


def mask_code(text: str, code: str) -> str:
    """``text`` with every occurrence of ``code`` replaced by asterisks."""
    return text.replace(code, "*" * CODE_DIGITS) if code else text
