"""Who may read the analyst view.

Three ways, from the configuration's ``[web]`` table (``escucha.config.Web``):

- ``users``: names with scrypt password hashes (``escucha web hash-password``); a login
  form sets a signed, expiring session cookie (HttpOnly, SameSite=Strict, Secure over
  HTTPS). Five wrong passwords from one address in ten minutes lock that address out for
  ten minutes;
- ``trusted_header``: a reverse proxy that logs people in (an SSO) names the user in a
  header; only for a proxy that strips that header from what clients send;
- neither: this machine only (loopback clients), and ``escucha serve`` refuses to listen
  on any other address.

The acknowledge links need none of this: they are signed, single-use and expiring, so a
member paged at night acts from the e-mail without a password.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import threading
import time
from datetime import datetime, timedelta

COOKIE = "escucha_session"
MAX_FAILURES, LOCK_SECONDS = 5, 600


def loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


class Sessions:
    """Session cookies ``user|expiry|signature``, signed with a key derived from the link
    secret (a different key for a different purpose)."""

    def __init__(self, secret: str, hours: float):
        self.key = hmac.new(secret.encode("utf-8"), b"escucha web session", hashlib.sha256).digest()
        self.hours = hours

    def _sig(self, body: str) -> str:
        return hmac.new(self.key, body.encode("utf-8"), hashlib.sha256).hexdigest()

    def make(self, user: str, now: datetime) -> str:
        body = f"{user}|{int((now + timedelta(hours=self.hours)).timestamp())}"
        return f"{body}|{self._sig(body)}"

    def user(self, cookie: str, now: datetime) -> str | None:
        body, _, sig = cookie.rpartition("|")
        user, _, expiry = body.rpartition("|")
        if not (user and expiry.isdigit() and hmac.compare_digest(sig, self._sig(body))):
            return None
        return user if int(expiry) > now.timestamp() else None


class Throttle:
    """Failed logins per client address: after ``MAX_FAILURES`` within ``LOCK_SECONDS``,
    refused until the oldest of them is that old."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.failures: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    def locked(self, address: str) -> bool:
        now = self.clock()
        with self.lock:
            recent = [t for t in self.failures.get(address, []) if now - t < LOCK_SECONDS]
            self.failures[address] = recent
            return len(recent) >= MAX_FAILURES

    def failed(self, address: str) -> None:
        with self.lock:
            self.failures.setdefault(address, []).append(self.clock())
            if len(self.failures) > 10_000:  # a flood of addresses: forget the quietest
                for key in sorted(self.failures, key=lambda k: self.failures[k][-1])[:5_000]:
                    del self.failures[key]


def cookie_of(environ) -> str:
    for part in environ.get("HTTP_COOKIE", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE:
            return value
    return ""


def user_of(config, sessions: Sessions | None, environ, now: datetime) -> str | None:
    """The person reading, or None: the trusted header, else a valid session cookie; with
    no login configured, "(local)" for a loopback client."""
    web = config.web
    if web.trusted_header:
        return environ.get("HTTP_" + web.trusted_header.upper().replace("-", "_")) or None
    if web.users:
        cookie = cookie_of(environ)
        return sessions.user(cookie, now) if cookie and sessions else None
    return "(local)" if loopback(environ.get("REMOTE_ADDR", "")) else None


def set_cookie(value: str, environ, max_age: int) -> tuple[str, str]:
    https = environ.get("wsgi.url_scheme") == "https" or environ.get("HTTP_X_FORWARDED_PROTO") == "https"
    return ("Set-Cookie", f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}"
            + ("; Secure" if https else ""))


def safe_next(target: str) -> str:
    """Where to go after logging in: a path of this site only (never "//elsewhere")."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"
