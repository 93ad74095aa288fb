"""A local X API v2 server on loopback, for tests and the demo.

It speaks the wire format tweepy expects (https://docs.x.com/x-api): string ids,
``data``/``includes``/``meta``, ``next_token`` paging, ``since_id``, expansions
of authors and referenced posts, ``x-rate-limit-*`` headers. Faults are injected
through ``POST /_control/faults`` (a list of ``{"status": 429, "reset": 1.5}``,
``{"status": 503}``, ``{"status": 200, "body": {...}}`` for an answer of any shape,
``{"stall": 45}`` to hold an answer; ``match`` and ``skip`` aim one at, say, the third
page of mentions) and posts deleted or accounts suspended at run time.
"""
from __future__ import annotations

import bisect
import re
import threading
import time
from urllib.parse import parse_qs, urlparse

from collectors.emulators.loopback import JSONHandler, LoopbackServer


class XState:
    def __init__(self, users: list[dict], tweets: list[dict], token: str = "test-token"):
        self.users = {u["id"]: u for u in users}
        self.tweets = {t["id"]: t for t in tweets}
        self.token = token
        self.faults: list[dict] = []
        self.latency = 0.0  # seconds each answer is held: X itself answers in about 0.1-0.5 s
        self.suspended: set[str] = set()
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self._visible_until: str | None = None
        self._version = 0
        self._selections: dict = {}

    @property
    def visible_until(self) -> str | None:
        """ISO time: replay a week by moving this clock."""
        return self._visible_until

    @visible_until.setter
    def visible_until(self, value: str | None):
        self._visible_until = value
        self._version += 1

    def visible(self):
        cut = self.visible_until
        return [t for t in self.tweets.values() if cut is None or t["created_at"] <= cut]

    def selection(self, key, pick) -> tuple[list, list]:
        """Posts chosen by ``pick``, newest first, with their negated ids for bisecting;
        recomputed only when the posts or the clock change (paging a big timeline
        must not re-sort it for every page)."""
        with self.lock:
            hit = self._selections.get(key)
            if hit and hit[0] == self._version:
                return hit[1], hit[2]
        posts = sorted(pick(self.visible()), key=lambda t: int(t["id"]), reverse=True)
        keys = [-int(t["id"]) for t in posts]
        with self.lock:
            self._selections[key] = (self._version, posts, keys)
        return posts, keys

    def take_fault(self, path: str) -> dict | None:
        """The next fault for a request to ``path`` (under the lock): a fault with ``match``
        applies only to paths holding it, and lets ``skip`` of them through first."""
        for i, f in enumerate(self.faults):
            if f.get("match", "") not in path:
                continue
            if f.get("skip", 0) > 0:
                f["skip"] -= 1
                return None
            return self.faults.pop(i)
        return None

    def add_tweets(self, tweets):
        with self.lock:
            for t in tweets:
                self.tweets[t["id"]] = t
            self._version += 1

    def by_username(self, name: str):
        name = name.lower().lstrip("@")
        return next((u for u in self.users.values() if u["username"].lower() == name), None)


def _public_tweet(t: dict) -> dict:
    return {k: v for k, v in t.items() if not k.startswith("_")}


class _Handler(JSONHandler):
    state: XState

    def do_POST(self):
        body = self._json_body()
        if self.path == "/_control/faults":
            with self.state.lock:
                self.state.faults.extend(body)
            return self._send(200, {"ok": True})
        if self.path == "/_control/tweets":
            self.state.add_tweets(body)
            return self._send(200, {"ok": True})
        if self.path == "/_control/delete":
            with self.state.lock:
                for tid in body:
                    self.state.tweets.pop(tid, None)
            return self._send(200, {"ok": True})
        if self.path == "/_control/suspend":
            self.state.suspended.update(body)
            return self._send(200, {"ok": True})
        self._send(404, {"title": "Not Found"})

    def do_GET(self):
        st = self.state
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        st.requests.append(self.path)
        if st.latency:
            time.sleep(st.latency)
        if self.headers.get("authorization") != f"Bearer {st.token}":
            return self._send(401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                    "detail": "Unauthorized"})
        with st.lock:
            fault = st.take_fault(url.path)
        reset = int(time.time()) + 900
        if fault and fault.get("stall"):
            time.sleep(fault["stall"])
            fault = None
        if fault and "body" in fault:
            return self._send(fault.get("status", 200), fault["body"])
        if fault:
            status = fault["status"]
            headers = {}
            if status == 429 and fault.get("reset") is not None:
                headers["x-rate-limit-reset"] = str(int(time.time() + fault["reset"]))
                headers["x-rate-limit-remaining"] = "0"
            return self._send(status, {"title": "Too Many Requests" if status == 429 else "Service Unavailable",
                                       "status": status, "detail": "injected"}, headers)
        headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449", "x-rate-limit-reset": str(reset)}
        m = re.fullmatch(r"/2/users/by/username/([A-Za-z0-9_]+)", url.path)
        if m:
            u = st.by_username(m.group(1))
            if not u:
                return self._send(200, {"errors": [{"title": "Not Found Error", "detail":
                                                    f"Could not find user with username: [{m.group(1)}].",
                                                    "type": "https://api.twitter.com/2/problems/resource-not-found"}]},
                                  headers)
            return self._send(200, {"data": self._user(u)}, headers)
        m = re.fullmatch(r"/2/users/(\d+)/(mentions|tweets)", url.path)
        if m:
            uid, kind = m.groups()
            user = st.users.get(uid)
            if uid in st.suspended:
                return self._send(403, {"title": "Forbidden", "status": 403, "detail":
                                        f"User has been suspended: [{uid}].",
                                        "type": "https://api.twitter.com/2/problems/user-suspended"}, headers)
            if not user:
                return self._send(200, {"errors": [{"title": "Not Found Error", "detail":
                                                    f"Could not find user with id: [{uid}]."}]}, headers)
            handle = "@" + user["username"].lower()
            if kind == "mentions":
                sel = st.selection((kind, uid), lambda ts: [t for t in ts if handle in t["text"].lower()
                                                            and t["author_id"] != uid])
            else:
                sel = st.selection((kind, uid), lambda ts: [t for t in ts if t["author_id"] == uid])
            return self._page(sel, q, headers, 5, 100)
        if url.path == "/2/tweets":  # lookup by ids: deleted posts come back as errors
            ids = [i for i in q.get("ids", "").split(",") if i]
            found = [_public_tweet(st.tweets[i]) for i in ids if i in st.tweets]
            body = {"data": found} if found else {}
            missing = [i for i in ids if i not in st.tweets]
            if missing:
                body["errors"] = [{"value": i, "detail": f"Could not find tweet with ids: [{i}].", "title":
                                   "Not Found Error", "resource_type": "tweet", "parameter": "ids", "resource_id": i,
                                   "type": "https://api.twitter.com/2/problems/resource-not-found"} for i in missing]
            return self._send(200, body, headers)
        if url.path == "/2/tweets/search/recent":
            query = q.get("query", "")
            no_rt = "-is:retweet" in query
            terms = [t.strip().strip('"').lower() for t in re.sub(r"-?is:\w+", "", query).split(" OR ") if t.strip()]
            sel = st.selection(("search", query), lambda ts: [
                t for t in ts if any(term in t["text"].lower() for term in terms)
                and not (no_rt and any(r["type"] == "retweeted" for r in t.get("referenced_tweets", [])))])
            return self._page(sel, q, headers, 10, 100)
        self._send(404, {"title": "Not Found", "status": 404})

    def _user(self, u):
        return {k: v for k, v in u.items() if not k.startswith("_")}

    def _page(self, selection, q, headers, lo, hi):
        try:
            size = int(q.get("max_results", 10))
        except ValueError:
            size = -1
        if not lo <= size <= hi:
            return self._send(400, {"title": "Invalid Request", "detail":
                                    f"The `max_results` query parameter value [{q.get('max_results')}] is not between "
                                    f"{lo} and {hi}"})
        tweets, keys = selection
        since = int(q.get("since_id") or 0)
        end = bisect.bisect_left(keys, -since) if since else len(tweets)  # newer than since_id only
        token = q.get("pagination_token") or ""
        # The token is a cursor (the page continues below a post id), as stable as X's own
        # when new posts arrive between pages; it is opaque to clients.
        try:
            start = bisect.bisect_right(keys, -int(token[1:], 16)) if token else 0
        except ValueError:
            return self._send(400, {"title": "Invalid Request", "detail":
                                    f"The `pagination_token` query parameter value [{token}] is not valid"})
        page = tweets[start : min(start + size, end)]
        meta = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
        if start + size < end:
            meta["next_token"] = "c" + format(int(page[-1]["id"]), "x")
        body = {"meta": meta}
        if page:
            body["data"] = [_public_tweet(t) for t in page]
            authors = {t["author_id"] for t in page}
            refs = {r["id"] for t in page for r in t.get("referenced_tweets", [])}
            inc = {"users": [self._user(self.state.users[a]) for a in sorted(authors) if a in self.state.users]}
            ref_tweets = [_public_tweet(self.state.tweets[r]) for r in sorted(refs) if r in self.state.tweets]
            if ref_tweets:
                inc["tweets"] = ref_tweets
            body["includes"] = inc
        self._send(200, body, headers)


class XEmulator(LoopbackServer):
    """Run the emulator in a thread: ``with XEmulator(users, tweets) as x: x.base_url``."""

    def __init__(self, users, tweets, token="test-token", host="127.0.0.1", port=0):
        self.state = XState(users, tweets, token)
        super().__init__(type("Handler", (_Handler,), {"state": self.state}), host, port)
