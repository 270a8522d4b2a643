"""One-time SMS codes: the policy, making a code, and hashing it (pure rules).

Policy (NIST SP 800-63B, OWASP ASVS; Chinese SMS providers' limits):

* 6 decimal digits from the ``secrets`` CSPRNG (about 20 bits);
* valid for ``CODE_TTL``; single use; bound to the exact version of what it
  confirms (the service checks that);
* at most ``MAX_ATTEMPTS`` tries per code, then it is dead;
* a new code for the same subject and party, or for the same phone, at most
  once per ``RESEND_AFTER``; at most ``DAILY_LIMIT`` codes per phone per
  Asia/Shanghai day.

Hashing. A code is stored as a keyed HMAC-SHA256 under the hall's secret
code key (``Settings.code_key``), over the code AND what it confirms (purpose,
subject, party, version), so the digest of one row says nothing about
another. A 6-digit code has only 10^6 values: an unkeyed hash, however slow,
is a short search for whoever holds the table (argon2 at 0.5 s a guess was
also what capped the hall at two signings a second). With the key kept out of
the database, a stolen ``one_time_code`` table cannot be searched at all; the
code's protection at the counter comes from ``CODE_TTL``, ``MAX_ATTEMPTS``
and single use, which the service enforces. Each digest names the key it was
made with (the first 8 hex digits of the key's SHA-256), so a hall can rotate
its key: the previous key keeps verifying the codes still alive (at most
``CODE_TTL``) while new codes use the new one.

Note: the SMS outbox (``sms_message.text``) necessarily carries the code in
plain text until it is delivered; see ``services.sign_codes`` for that
trade-off.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Sequence
from datetime import timedelta

from core.errors import RuleViolation

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


#: Prefix of a stored digest: the scheme, so a later one can be told apart.
SCHEME = "hmac-sha256"
MIN_KEY_BYTES = 32


def key_id(key: bytes) -> str:
    """A short public name for a key (stored with each digest; reveals nothing of the key)."""
    return hashlib.sha256(key).hexdigest()[:8]


def _mac(key: bytes, code: str, binding: str) -> str:
    return hmac.new(key, f"{binding}\x1f{code}".encode(), hashlib.sha256).hexdigest()


def hash_code(key: bytes, code: str, binding: str) -> str:
    """The stored form of ``code``: ``hmac-sha256:<key id>:<hex>`` over the code and ``binding``
    (what it confirms: purpose, subject, party, version)."""
    if len(key) < MIN_KEY_BYTES:
        raise ValueError("a code key has at least 32 bytes")
    return f"{SCHEME}:{key_id(key)}:{_mac(key, code, binding)}"


def check_code(stored: str, code: str, binding: str, keys: Sequence[bytes]) -> bool:
    """Whether ``code`` (for ``binding``) matches ``stored``, under whichever of ``keys`` made it.

    A digest made with a key the hall no longer holds (or in another scheme)
    matches nothing: the code is simply wrong, and expires within ``CODE_TTL``.
    """
    scheme, _, rest = stored.partition(":")
    kid, _, digest = rest.partition(":")
    if scheme != SCHEME:
        return False
    for key in keys:
        if key_id(key) == kid:
            return hmac.compare_digest(_mac(key, code, binding), digest)
    return False


def mask_code(text: str, code: str) -> str:
    """``text`` with every occurrence of ``code`` replaced by asterisks."""
    return text.replace(code, "*" * CODE_DIGITS) if code else text
