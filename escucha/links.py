"""Signed, expiring, single-use links that act on an incident (acknowledge, resolve).

A link is short, with its token in the path (``https://host/a/TOKEN``), so that it fits an
SMS and survives mail clients that wrap long lines; the long form (``/act?i=…&s=…``) of
older pages is still honoured.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

ACTIONS = ("ack", "resolve")
SHORT_PATH = "/a/"
_SIG_CHARS = 22  # 128 bits of the HMAC: what a short link carries


class LinkRefused(ValueError):
    """A link that cannot act: ``code`` (incomplete, action, signature, expired, used, gone)
    says why, for the page in the institution's language; ``str()`` is the log's sentence."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


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


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def make_link(links_cfg, incident_id: int, member: str, action: str, now: datetime) -> str:
    """A short signed link: ``{base_url}/a/{token}``, the token in the path."""
    expires = int((now + timedelta(hours=links_cfg.ttl_hours)).timestamp())
    nonce = secrets.token_urlsafe(6)
    sig = _sig(links_cfg.secret, _payload(incident_id, member, action, expires, nonce))[:_SIG_CHARS]
    token = _b64(f"{incident_id}|{member}|{action[0]}|{expires:x}|{nonce}") + "." + sig
    return f"{links_cfg.base_url.rstrip('/')}{SHORT_PATH}{token}"


def token_params(token: str) -> dict:
    """A short link's token as the parameters :func:`verify` reads ({} when it is no token)."""
    body, _, sig = token.partition(".")
    try:
        parts = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().split("|")
        incident_id, member, letter, expires, nonce = parts
        action = next((a for a in ACTIONS if a[0] == letter), letter)  # the token names its action by a letter
        return {"i": incident_id, "m": member, "a": action, "e": str(int(expires, 16)), "n": nonce, "s": sig}
    except (ValueError, UnicodeDecodeError):
        return {}


def links_in(text: str) -> dict[str, dict]:
    """The signed links in a page's text, by action, as parameters (what a test or the demo
    clicks); short and long forms both."""
    out = {}
    for url in re.findall(r"https?://[^\s<>\"']+", text):
        path = urlparse(url).path
        if SHORT_PATH in path:
            params = token_params(path.rsplit(SHORT_PATH, 1)[1])
        elif path.endswith("/act"):
            params = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        else:
            continue
        if params.get("a") in ACTIONS:
            out[params["a"]] = params
    return out


def verify(links_cfg, params: dict, now: datetime) -> tuple[int, str, str, str]:
    """Check a link's signature and expiry. Returns (incident_id, member, action, nonce).

    Raises :class:`LinkRefused` with the reason; single use is enforced by the caller's store.
    """
    try:
        incident_id, member, action = int(params["i"]), str(params["m"]), str(params["a"])
        expires, nonce, sig = int(params["e"]), str(params["n"]), str(params["s"])
    except (KeyError, ValueError, TypeError):
        raise LinkRefused("incomplete", "the link is incomplete") from None
    if action not in ACTIONS:
        raise LinkRefused("action", "the link's action is unknown")
    good = _sig(links_cfg.secret, _payload(incident_id, member, action, expires, nonce))
    # A short link carries the first 128 bits of the signature; fewer are never enough.
    if len(sig) < _SIG_CHARS or not hmac.compare_digest(good[:len(sig)], sig):
        raise LinkRefused("signature", "the link's signature is not valid")
    if now.timestamp() > expires:
        raise LinkRefused("expired", "the link has expired")
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
