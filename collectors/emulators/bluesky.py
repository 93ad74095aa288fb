"""A local Bluesky (AT Protocol XRPC) server on loopback for tests: sessions, post search
and mention notifications, in the shapes the atproto SDK validates.
See https://docs.bsky.app/docs/api/app-bsky-feed-search-posts."""
from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qs, urlparse

from collectors.emulators.loopback import JSONHandler, LoopbackServer


def _jwt(sub: str) -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")  # noqa: E731
    return f"{enc({'alg': 'ES256K', 'typ': 'at+jwt'})}.{enc({'sub': sub, 'exp': int(time.time()) + 7200})}.c2ln"


def post(i: int, text: str, handle: str = "ciudadana.bsky.social", at: str = "2026-11-10T12:00:00.000Z") -> dict:
    did = f"did:plc:{abs(hash(handle)) % 10**12:012d}"
    return {"uri": f"at://{did}/app.bsky.feed.post/3k{i:010d}", "cid": f"bafyreib{i:020d}",
            "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0]},
            "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": at, "langs": ["es"]},
            "replyCount": 0, "repostCount": 1, "likeCount": 3, "indexedAt": at}


class BlueskyEmulator(LoopbackServer):
    def __init__(self, posts: list[dict], password: str = "app-pass", handle: str = "ien.bsky.social"):
        self.posts, self.password, self.handle = posts, password, handle
        self.requests: list[str] = []
        outer = self

        class H(JSONHandler):
            def do_POST(self):
                body = self._json_body() or {}
                if self.path.startswith("/xrpc/com.atproto.server.createSession"):
                    if body.get("password") != outer.password:
                        return self._send(401, {"error": "AuthenticationRequired", "message": "Invalid identifier "
                                                                                             "or password"})
                    did = "did:plc:ienienienien"
                    return self._send(200, {"accessJwt": _jwt(did), "refreshJwt": _jwt(did), "handle": outer.handle,
                                            "did": did, "active": True})
                self._send(404, {"error": "MethodNotImplemented"})

            def do_GET(self):
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                outer.requests.append(self.path)
                if not (self.headers.get("authorization") or "").startswith("Bearer "):
                    return self._send(401, {"error": "AuthenticationRequired"})
                limit, start = int(q.get("limit", 25)), int(q.get("cursor", 0) or 0)
                newest = sorted(outer.posts, key=lambda p: p["indexedAt"], reverse=True)
                if url.path == "/xrpc/app.bsky.feed.searchPosts":
                    term = q.get("q", "").lower()
                    hits = [p for p in newest if term in p["record"]["text"].lower()
                            and (not q.get("since") or p["record"]["createdAt"] >= q["since"])]
                    page = hits[start : start + limit]
                    body = {"posts": page}
                    if start + limit < len(hits):
                        body["cursor"] = str(start + limit)
                    return self._send(200, body)
                if url.path == "/xrpc/app.bsky.feed.getPosts":  # deleted posts are simply absent
                    uris = set(parse_qs(url.query).get("uris", []))
                    return self._send(200, {"posts": [p for p in outer.posts if p["uri"] in uris]})
                if url.path == "/xrpc/app.bsky.notification.listNotifications":
                    hits = [p for p in newest if "@" + outer.handle in p["record"]["text"]]
                    page = hits[start : start + limit]
                    body = {"notifications": [{"uri": p["uri"], "cid": p["cid"], "author": p["author"],
                                               "reason": "mention", "record": p["record"], "isRead": False,
                                               "indexedAt": p["indexedAt"]} for p in page]}
                    if start + limit < len(hits):
                        body["cursor"] = str(start + limit)
                    return self._send(200, body)
                self._send(404, {"error": "MethodNotImplemented"})

        super().__init__(H)
