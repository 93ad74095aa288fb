"""Signed, expiring, single-use links that act on an incident (acknowledge, resolve)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from datetime import datetime, timedelta
from urllib.parse import urlencode

ACTIONS = ("ack", "resolve")


MIN_SECRET = 32  # bytes of the key links are signed with
# Values people leave in place from examples: a link signed with one of these is forgeable.
PLACEHOLDERS = {"change-me-to-a-long-random-string", "change-me", "changeme", "secret", "your-secret-here"}


def secret_problem(secret: str) -> str:
    """Why ``secret`` cannot sign links ("" when it can)."""
    if not secret:
        return "is not set"
    if secret.strip().lower() in PLACEHOLDERS or "change-me" in secret.lower():
        return "still holds the example's placeholder"
    if len(secret.encode()) < MIN_SECRET:
        return f"must hold at least {MIN_SECRET} bytes; got {len(secret.encode())}"
    return ""


def _sig(secret: str, payload: str) -> str:
    if secret_problem(secret):  # an empty or example key would let anyone forge a link
        raise ValueError(f"links are disabled: the link secret {secret_problem(secret)}")
    mac = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _payload(incident_id, member, action, expires, nonce) -> str:
    return f"{incident_id}|{member}|{action}|{expires}|{nonce}"


def make_link(links_cfg, incident_id: int, member: str, action: str, now: datetime) -> str:
    expires = int((now + timedelta(hours=links_cfg.ttl_hours)).timestamp())
    nonce = secrets.token_urlsafe(12)
    sig = _sig(links_cfg.secret, _payload(incident_id, member, action, expires, nonce))
    q = urlencode({"i": incident_id, "m": member, "a": action, "e": expires, "n": nonce, "s": sig})
    return f"{links_cfg.base_url.rstrip('/')}/act?{q}"


def verify(links_cfg, params: dict, now: datetime) -> tuple[int, str, str, str]:
    """Check a link's signature and expiry. Returns (incident_id, member, action, nonce).

    Raises ValueError with the reason; single use is enforced by the caller's store.
    """
    try:
        incident_id, member, action = int(params["i"]), str(params["m"]), str(params["a"])
        expires, nonce, sig = int(params["e"]), str(params["n"]), str(params["s"])
    except (KeyError, ValueError, TypeError):
        raise ValueError("the link is incomplete") from None
    if action not in ACTIONS:
        raise ValueError("the link's action is unknown")
    good = _sig(links_cfg.secret, _payload(incident_id, member, action, expires, nonce))
    if not hmac.compare_digest(good, sig):
        raise ValueError("the link's signature is not valid")
    if now.timestamp() > expires:
        raise ValueError("the link has expired")
    return incident_id, member, action, nonce


class RefusalLog:
    """Refused links, folded: the first refusal of a reason in a window is written to the
    audit log with the count of those folded since the last write; the rest are counted,
    so 2,000 forged requests write a few rows, not 2,000."""

    def __init__(self, window: timedelta = timedelta(minutes=1)):
        self.window = window
        self._pending: dict[str, tuple[datetime | None, int]] = {}
        self._lock = threading.Lock()

    def count_to_write(self, reason: str, now: datetime) -> int | None:
        """How many refusals to record now (this one and those folded before it), or None."""
        with self._lock:
            first, folded = self._pending.get(reason, (None, 0))
            if first is None or now - first >= self.window:
                self._pending[reason] = (now, 0)
                return folded + 1
            self._pending[reason] = (first, folded + 1)
            return None
