"""Bluesky through the atproto SDK: mention notifications of the institution's accounts
and post search for its keywords, hashtags and names.

Accounts: ``platform = "bluesky"``, ``handle = "@ien.bsky.social"``, ``token_env``
naming an app password. Notifications come newest first: the collector pages back
until it reaches what it already stored, and moves the checkpoint (the newest
``indexedAt`` seen) only when the walk is complete.
"""
from __future__ import annotations


from collectors.base import Collector, CollectResult
from collectors.lang import detect_lang
from escucha.errors import AuthRejected, CollectorError, InputError
from escucha.records import Author, Mention, parse_time


def _get(obj, name, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


class BlueskyCollector(Collector):
    name = "bluesky"
    page_size = 100

    def _client(self, account):
        from atproto import Client
        from atproto.exceptions import AtProtocolError

        password = self.secret(account, "ESCUCHA_BLUESKY_APP_PASSWORD", "app password")
        base = self.config.base_urls.get("bluesky")
        client = Client(base_url=f"{base.rstrip('/')}/xrpc") if base else Client()
        try:
            client.login(account.handle.lstrip("@"), password, fetch_bsky_profile=False)
        except AtProtocolError:
            raise AuthRejected(f"collector bluesky: {account.handle}: the app password was refused") from None
        return client

    def collect(self) -> CollectResult:
        from atproto.exceptions import AtProtocolError

        total = CollectResult()
        only = (self.options.get("account") or "").lower()
        for account in [a for a in self.config.accounts
                        if a.platform == "bluesky" and (not only or a.handle.lower() == only)]:
            try:
                client = self._client(account)
                total.add(self._walk(lambda cursor: client.app.bsky.notification.list_notifications(
                    params={"limit": self.page_size, "cursor": cursor}), "notifications",
                    f"mentions:{account.handle}", account))
                for term in (*self.config.keywords, *self.config.hashtags, *self.config.names):
                    since = self.store.get_checkpoint("bluesky", f"search:{term}:{account.handle}")
                    params = {"q": term, "limit": self.page_size}
                    if since:
                        params["since"] = since
                    total.add(self._walk(lambda cursor, p=params: client.app.bsky.feed.search_posts(
                        params={**p, "cursor": cursor}), "posts", f"search:{term}:{account.handle}", account))
                if self.options.get("sweep_deleted"):
                    total.deleted += self.sweep_deleted(client)
            except AtProtocolError as exc:
                total.fail(account.key, f"collector bluesky: {account.handle}: {type(exc).__name__}")
            except CollectorError as exc:
                total.fail(account.key, exc)
        return total

    def sweep_deleted(self, client, days: int = 7) -> int:
        """Look stored posts up again, 25 per request; a post missing from the answer was deleted."""
        recent = self.recent(days)
        gone = []
        for i in range(0, len(recent), 25):
            part = recent[i : i + 25]
            resp = client.app.bsky.feed.get_posts(params={"uris": ["at://" + m.native_id for m in part]})
            alive = {_get(p, "uri") for p in _get(resp, "posts") or []}
            gone += [m.id for m in part if "at://" + m.native_id not in alive]
        return self.remove_deleted(gone)

    def _walk(self, fetch, field: str, key: str, account) -> CollectResult:
        res = CollectResult()
        seen = self.store.get_checkpoint("bluesky", key) or ""
        newest, cursor = seen, None
        while True:
            resp = fetch(cursor)
            got = _get(resp, field)
            if got is not None and not isinstance(got, (list, tuple)):
                # A wrong answer ends the walk with an error, before the checkpoint moves.
                raise CollectorError(f"collector bluesky: {key}: '{field}' must be a list, got {type(got).__name__}: "
                                     "walk stopped, checkpoint kept")
            items = [i for i in (got or []) if field != "notifications" or _get(i, "reason") == "mention"]
            fresh = [i for i in items if (_get(i, "indexed_at") or "") > seen]
            res.add(self.store_page(fresh, key, {"account": account}))
            newest = max([newest] + [_get(i, "indexed_at") or "" for i in fresh])
            cursor = _get(resp, "cursor")
            if not cursor or len(fresh) < len(items):
                break
        if newest:
            self.store.set_checkpoint("bluesky", key, newest)
        return res

    def normalise(self, item, ctx) -> Mention:
        record, author = _get(item, "record"), _get(item, "author")
        text = _get(record, "text")
        created = _get(record, "created_at")
        if text is None or not created:
            raise InputError(f"post {_get(item, 'uri', '?')}: text or createdAt is missing")
        uri = _get(item, "uri")
        handle = _get(author, "handle", "")
        langs = _get(record, "langs") or []
        rkey = uri.rsplit("/", 1)[-1]
        own = {a.handle.lstrip("@").lower() for a in self.config.accounts if a.platform == "bluesky"}
        return Mention(platform="bluesky", native_id=uri.removeprefix("at://"), text=text,
                       author=Author(handle=handle, display_name=_get(author, "display_name") or "",
                                     id=_get(author, "did", "")),
                       created_at=parse_time(created), url=f"https://bsky.app/profile/{handle}/post/{rkey}",
                       lang=langs[0] if langs else detect_lang(text), accounts=(ctx["account"].key,),
                       metrics={"replies": _get(item, "reply_count") or 0, "reposts": _get(item, "repost_count") or 0,
                                "likes": _get(item, "like_count") or 0},
                       own=handle.lower() in own)
