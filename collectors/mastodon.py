"""Mastodon through Mastodon.py: mention notifications of the institution's accounts and
the timelines of its watched hashtags.

Accounts look like ``@ien@mastodon.example`` (the server comes from the handle,
or ``[platforms.mastodon] base_url``); each has ``token_env`` naming its access
token. Paging goes forward with ``min_id`` from the checkpoint, which moves only
after a page is stored.
"""
from __future__ import annotations

import re

from collectors.base import Collector, CollectResult
from collectors.lang import detect_lang
from escucha.errors import CollectorError, InputError
from escucha.records import Author, Mention, parse_time


def _text(html: str) -> str:
    import html as h

    html = re.sub(r"<br\s*/?>|</p>", "\n", html or "")
    return h.unescape(re.sub(r"<[^>]+>", "", html)).strip()


class MastodonCollector(Collector):
    name = "mastodon"
    page_size = 40  # the API's maximum for notifications and timelines

    def _client(self, account):
        from mastodon import Mastodon

        token = self.secret(account, "ESCUCHA_MASTODON_TOKEN", "access token")
        parts = account.handle.lstrip("@").split("@")
        base = self.config.base_urls.get("mastodon") or (f"https://{parts[1]}" if len(parts) == 2 else "")
        if not base:
            raise CollectorError(f"collector mastodon: {account.handle} must look like @user@server")
        return Mastodon(access_token=token, api_base_url=base, version_check_mode="none", ratelimit_method="throw",
                        request_timeout=30)

    def collect(self) -> CollectResult:
        from mastodon import MastodonError, MastodonUnauthorizedError

        total = CollectResult()
        only = (self.options.get("account") or "").lower()
        for account in [a for a in self.config.accounts
                        if a.platform == "mastodon" and (not only or a.handle.lower() == only)]:
            try:
                client = self._client(account)
                total.add(self._forward(lambda **kw: [n["status"] for n in client.notifications(
                    types=["mention"], **kw) if n.get("status")], f"mentions:{account.handle}", account))
                for tag in self.config.hashtags:
                    total.add(self._forward(lambda **kw: client.timeline_hashtag(tag.lstrip("#"), **kw),
                                            f"tag:{tag.lower()}:{account.handle}", account))
                if self.options.get("sweep_deleted"):
                    total.deleted += self.sweep_deleted(client)
            except MastodonUnauthorizedError:
                total.fail(account.key, f"collector mastodon: {account.handle}: the access token was refused", "auth")
            except MastodonError as exc:
                total.fail(account.key, f"collector mastodon: {account.handle}: {type(exc).__name__}")
            except CollectorError as exc:
                total.fail(account.key, exc)
        return total

    def sweep_deleted(self, client, days: int = 7, limit: int = 300) -> int:
        """Look stored statuses up again (Mastodon has no batch lookup: one request each,
        the newest ``limit``); a 404 means the author deleted it."""
        from mastodon import MastodonNotFoundError

        gone = []
        for m in self.recent(days)[-limit:]:
            try:
                client.status(m.native_id)
            except MastodonNotFoundError:
                gone.append(m.id)
        return self.remove_deleted(gone)

    def _forward(self, fetch, key: str, account) -> CollectResult:
        res = CollectResult()
        cursor = self.store.get_checkpoint("mastodon", key)
        while True:
            # min_id=0 on the first run: walk forward from the oldest, never skipping a page.
            kw = {"limit": self.page_size, "min_id": cursor or "0"}
            page = list(fetch(**kw))
            if not page:
                break
            res.add(self.store_page(page, key, {"account": account}))
            cursor = str(max(int(s["id"]) for s in page))
            self.store.set_checkpoint("mastodon", key, cursor)
            if len(page) < self.page_size:
                break
        return res

    def normalise(self, status, ctx) -> Mention:
        if not status.get("id") or status.get("created_at") is None:
            raise InputError(f"status {status.get('id', '?')}: id or created_at is missing")
        acct = status.get("account") or {}
        text = _text(status.get("content", ""))
        own = {a.handle.lstrip("@").lower() for a in self.config.accounts if a.platform == "mastodon"}
        return Mention(
            platform="mastodon", native_id=str(status["id"]), text=text,
            author=Author(handle=acct.get("acct", ""), display_name=acct.get("display_name", ""),
                          followers=int(acct.get("followers_count") or 0), id=str(acct.get("id", ""))),
            created_at=parse_time(status["created_at"]), url=status.get("url") or "",
            lang=status.get("language") or detect_lang(text), accounts=(ctx["account"].key,),
            in_reply_to=f"mastodon:{status['in_reply_to_id']}" if status.get("in_reply_to_id") else "",
            repost_of=f"mastodon:{status['reblog']['id']}" if status.get("reblog") else "",
            metrics={"replies": status.get("replies_count", 0), "reposts": status.get("reblogs_count", 0),
                     "likes": status.get("favourites_count", 0)},
            own=acct.get("acct", "").lower() in own)
