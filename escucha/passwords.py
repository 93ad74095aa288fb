"""Analysts' passwords, kept only as salted scrypt hashes (``escucha web hash-password``).

The format is ``scrypt$N$r$p$salt$hash`` (salt and hash in URL-safe base64), so the
cost can rise later without breaking the hashes already handed out.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1  # about 50 ms and 16 MB a check: slow for a guesser, quick for a login


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def problem(stored: str) -> str:
    """Why ``stored`` is not a hash this module made ("" when it is one)."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return "must be a hash from `escucha web hash-password` (scrypt$...), never the password itself"
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except (ValueError, TypeError):
        return "is a damaged hash: make a new one with `escucha web hash-password`"
    if not (2**10 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and len(salt) >= 16
            and len(digest) == 32):
        return "is a hash with impossible parameters: make a new one with `escucha web hash-password`"
    return ""


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (in constant time)."""
    if problem(stored):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    got = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=32,
                         maxmem=128 * 1024 * 1024)
    return hmac.compare_digest(got, _unb64(digest))
