"""Acting on an incident from a signed link, the CLI or an inbound webhook."""
from __future__ import annotations

from datetime import datetime

from alerting.links import verify


def act_on_link(config, store, params: dict, now: datetime) -> tuple[bool, str]:
    """Verify a signed link and apply its action once. Returns (ok, message for the person)."""
    try:
        incident_id, member, action, nonce = verify(config.links, params, now)
    except ValueError as exc:
        store.audit("link.refused", {"reason": str(exc)}, at=now)
        return False, str(exc)
    if not store.use_link(nonce, now):
        store.audit("link.refused", {"reason": "already used", "member": member}, incident_id, at=now)
        return False, "the link was already used"
    status = "acknowledged" if action == "ack" else "resolved"
    if store.set_status(incident_id, status, member, now):
        return True, f"incident #{incident_id} {status} by {member}"
    inc = store.incident(incident_id)
    return False, f"incident #{incident_id} is already {inc.status if inc else 'gone'}"
