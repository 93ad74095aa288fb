"""The channel seam. Delivery goes through Apprise (90+ services); a contact is one URL.

A send returns an outcome instead of raising, so one dead channel cannot
silence the rest of the chain.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from escucha.config import mask


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str = ""


WEBHOOK_SCHEMES = {"json", "jsons", "xml", "xmls", "form", "forms"}


class AppriseChannel:
    """Sends one notification to one Apprise URL (mailto://, tgram://, json://, slack://...)."""

    name = "apprise"

    def __init__(self, url: str):
        self.url = url

    @property
    def masked(self) -> str:
        try:
            import apprise

            plugin = apprise.Apprise.instantiate(self.url)
            if plugin is not None:
                shown = plugin.url(privacy=True)
                # A webhook's path and query are its secret ("json://hooks.example.org/T0K3N"):
                # Apprise keeps them in its private form, so only scheme, host and port stay.
                scheme, _, rest = shown.partition("://")
                if scheme in WEBHOOK_SCHEMES:
                    # A fingerprint (not reversible) keeps two webhooks on one host apart:
                    # deliveries are keyed by this string.
                    tag = hashlib.sha256(self.url.encode()).hexdigest()[:8]
                    return f"{scheme}://{rest.split('/', 1)[0].split('?', 1)[0]}/***{tag}"
                return shown
        except Exception:  # a broken URL is still printed masked
            pass
        return mask(self.url)

    def send(self, title: str, body: str, body_format: str = "text", attach=None) -> Outcome:
        import apprise

        # Apprise logs through the standard logger; keep its lines (which can hold
        # URLs) out of our output, and capture what it says for the audit log.
        logger = logging.getLogger("apprise")
        records: list[str] = []

        class _Keep(logging.Handler):
            def emit(self, record):
                records.append(record.getMessage())

        handler = _Keep(logging.WARNING)
        logger.addHandler(handler)
        old = logger.propagate
        logger.propagate = False
        url = self.url
        if body_format == "html" and attach and "cid:" in body and url.split("://", 1)[0] in ("mailto", "mailtos"):
            # Images the HTML names as cid: go inside the message (multipart/related), not as files.
            url += ("&" if "?" in url else "?") + "inline=yes"
        try:
            ap = apprise.Apprise()
            if not ap.add(url):
                return Outcome(False, "not a valid notification URL")
            fmt = apprise.NotifyFormat.HTML if body_format == "html" else apprise.NotifyFormat.TEXT
            ok = ap.notify(body=body, title=title, body_format=fmt, attach=[str(a) for a in attach or []] or None)
        except Exception as exc:  # a plugin bug must not stop the chain
            return Outcome(False, f"{type(exc).__name__}")
        finally:
            logger.removeHandler(handler)
            logger.propagate = old
        detail = "; ".join(r for r in records if self.url not in r)[:300]
        return Outcome(bool(ok), "accepted" if ok else (detail or "delivery failed"))
