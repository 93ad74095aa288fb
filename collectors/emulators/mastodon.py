"""A local Mastodon API server on loopback (tests, demos): mention notifications and
hashtag timelines with ``min_id``/``since_id``/``limit`` paging, as Mastodon.py expects.
See https://docs.joinmastodon.org/methods/notifications/ and /methods/timelines/."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from collectors.emulators.loopback import JSONHandler, LoopbackServer


class MastodonEmulator(LoopbackServer):
    def __init__(self, statuses: list[dict], token: str = "test-token", me: str = "ien"):
        self.statuses = {s["id"]: s for s in statuses}
        self.token, self.me = token, me
        self.requests: list[str] = []
        outer = self

        class H(JSONHandler):
            def do_GET(self):
                url = urlparse(self.path)
                q = parse_qs(url.query)
                outer.requests.append(self.path)
                if self.headers.get("authorization") != f"Bearer {outer.token}":
                    return self._send(401, {"error": "The access token is invalid"})
                one = {k: v[0] for k, v in q.items()}
                limit = min(int(one.get("limit", 20)), 40)
                if url.path == "/api/v1/instance":
                    return self._send(200, {"uri": "mastodon.example", "version": "4.3.0", "title": "Mastodon"})
                if url.path == "/api/v1/notifications":
                    picked = [s for s in outer.statuses.values() if f"@{outer.me}" in s["content"].lower()]
                    return self._send(200, [{"id": s["id"], "type": "mention", "created_at": s["created_at"],
                                             "account": s["account"], "status": s}
                                            for s in outer._page(picked, one, limit)])
                m = re.fullmatch(r"/api/v1/statuses/(\d+)", url.path)
                if m:
                    st = outer.statuses.get(m.group(1))
                    return self._send(200, st) if st else self._send(404, {"error": "Record not found"})
                m = re.fullmatch(r"/api/v1/timelines/tag/(\w+)", url.path)
                if m:
                    tag = "#" + m.group(1).lower()
                    picked = [s for s in outer.statuses.values() if tag in s["content"].lower()]
                    return self._send(200, outer._page(picked, one, limit))
                self._send(404, {"error": "Record not found"})

        super().__init__(H)

    def _page(self, items, q, limit):
        items = sorted(items, key=lambda s: int(s["id"]))
        if q.get("min_id"):  # the page right after min_id, returned newest first
            items = [s for s in items if int(s["id"]) > int(q["min_id"])][:limit]
        else:
            if q.get("since_id"):
                items = [s for s in items if int(s["id"]) > int(q["since_id"])]
            items = items[-limit:]
        return list(reversed(items))
