"""X (Twitter) through tweepy and the API v2: mentions, recent search and own posts.

Per owned account and per query a ``since_id`` checkpoint is kept, committed only
after the page is stored: a crash re-fetches, never skips. X bills per read, so
nothing already stored is asked for again. Docs: https://docs.x.com/x-api
(mentions: 450 requests / 15 min per app; search/recent: 7 days back).
"""
from __future__ import annotations

import time

import requests

from collectors.base import Collector, CollectResult
from collectors.lang import detect_lang
from escucha.errors import AuthRejected, CollectorError, InputError, RateLimited, Unreachable
from escucha.records import Author, Mention, parse_time

TWEET_FIELDS = ["created_at", "author_id", "conversation_id", "in_reply_to_user_id", "lang", "public_metrics",
                "referenced_tweets", "entities", "source"]
USER_FIELDS = ["username", "name", "verified", "public_metrics"]
EXPANSIONS = ["author_id", "referenced_tweets.id"]
API = "https://api.twitter.com"


TIMEOUT = (10.0, 30.0)  # connect, read (seconds): tweepy sets none, and a stalled answer would hang the run


class _Timeouts(requests.adapters.HTTPAdapter):
    """Every request with a connect and read timeout; with ``base_url``, tweepy's hard-coded
    api.twitter.com requests go to another base URL (the emulator)."""

    def __init__(self, base_url: str = "", timeout=TIMEOUT):
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(self, request, **kw):
        if self.base_url:
            request.url = self.base_url + request.url[len(API):]
        if kw.get("timeout") is None:
            kw["timeout"] = self.timeout
        return super().send(request, **kw)


class XCollector(Collector):
    name = "x"
    page_size = 100
    max_wait = 900.0  # never sleep longer than one rate-limit window on one 429
    retries = 4
    timeout = TIMEOUT

    def __init__(self, config, store, sleep=time.sleep, base_url: str = "", **options):
        super().__init__(config, store, **options)
        self.sleep = sleep
        self.base_url = base_url or config.base_urls.get("x", "")
        # Looked up for every post: computed once.
        self._own = config.own_handles()
        self._watched = [(a.handle.lower(), a.key) for a in (*config.accounts, *config.similar) if a.platform == "x"]

    def _client(self, account):
        import tweepy

        token = self.secret(account, "ESCUCHA_X_BEARER_TOKEN", "bearer token")
        # Plain dicts: the normaliser reads the API's documented JSON, and a quarantined
        # post is kept exactly as it came.
        client = tweepy.Client(bearer_token=token, wait_on_rate_limit=False, return_type=dict)
        client.session.mount(API, _Timeouts(self.base_url, self.timeout))
        return client

    def _call(self, fn, what: str, **kw):
        """One API call with our own 429 cap and 5xx backoff (tweepy's loops forever without a reset header)."""
        import tweepy

        for attempt in range(self.retries + 1):
            try:
                return fn(**kw)
            except tweepy.TooManyRequests as exc:
                reset = exc.response.headers.get("x-rate-limit-reset")
                wait = (float(reset) - time.time() + 1) if reset else 60.0 * (attempt + 1)
                wait = min(max(wait, 0.5), self.max_wait)
                if attempt == self.retries:
                    raise RateLimited(f"collector x: {what}: still rate limited after {attempt + 1} tries",
                                      time.time() + wait) from None
                self.sleep(wait)
            except tweepy.TwitterServerError as exc:
                if attempt == self.retries:
                    raise CollectorError(f"collector x: {what}: server error {exc.response.status_code} "
                                         f"after {attempt + 1} tries") from None
                self.sleep(min(2 ** attempt, 30))
            except tweepy.Unauthorized:
                raise AuthRejected(f"collector x: {what}: the bearer token was refused (401)") from None
            except tweepy.Forbidden as exc:
                raise CollectorError(f"collector x: {what}: forbidden ({_detail(exc)})") from None
            except tweepy.BadRequest as exc:
                raise CollectorError(f"collector x: {what}: bad request ({_detail(exc)})") from None
            except requests.RequestException as exc:
                if attempt == self.retries:
                    raise Unreachable(f"collector x: {what}: {type(exc).__name__}") from None
                self.sleep(min(2 ** attempt, 30))

    def _user_id(self, client, account) -> str:
        if account.user_id:
            return account.user_id
        cached = self.store.get_checkpoint("x", f"user_id:{account.handle.lower()}")
        if cached:
            return cached
        resp = self._call(client.get_user, f"{account.handle}", username=account.handle.lstrip("@"))
        if not resp.get("data"):
            raise CollectorError(f"collector x: account {account.handle} not found")
        uid = str(resp["data"]["id"])
        self.store.set_checkpoint("x", f"user_id:{account.handle.lower()}", uid)
        return uid

    def collect(self) -> CollectResult:
        total = CollectResult()
        accounts = [a for a in self.config.accounts if a.platform == "x"]
        only = self.options.get("account")
        if only:
            accounts = [a for a in accounts if a.handle.lower() == only.lower()]
        for account in accounts:
            try:
                client = self._client(account)
                uid = self._user_id(client, account)
                total.add(self._stream(client.get_users_mentions, f"mentions:{account.handle}", account, id=uid))
                total.add(self._stream(client.get_users_tweets, f"own:{account.handle}", account, id=uid, own=True))
            except CollectorError as exc:
                total.fail(account.key, exc)
        if self.options.get("sweep_deleted"):
            try:
                total.deleted += self.sweep_deleted()
            except CollectorError as exc:
                total.errors.append(str(exc))
        queries = self.search_queries()
        # Search belongs to the whole institution: run it once, with the first account.
        if queries and accounts and (not only or only.lower() == self.config.accounts[0].handle.lower()):
            try:
                client = self._client(accounts[0])
                for q in queries:
                    total.add(self._stream(client.search_recent_tweets, f"search:{q}", None, query=q))
            except CollectorError as exc:
                total.fail(accounts[0].key, exc)
        return total

    def sweep_deleted(self, days: int = 7) -> int:
        """Ask X which stored posts of the last ``days`` still exist; remove the deleted ones.

        X sends no deletion events to these endpoints; a lookup by id (100 per request)
        reports deleted posts as "resource-not-found" errors.
        """
        accounts = [a for a in self.config.accounts if a.platform == "x"]
        if not accounts:
            return 0
        client = self._client(accounts[0])
        ids = [m.native_id for m in self.recent(days)]
        gone = []
        for start in range(0, len(ids), 100):
            resp = self._call(client.get_tweets, "deleted-posts sweep", ids=ids[start : start + 100])
            for err in resp.get("errors") or []:
                if err.get("type", "").endswith("resource-not-found") and err.get("resource_type") == "tweet":
                    gone.append(f"x:{err.get('resource_id') or err.get('value')}")
        return self.remove_deleted(gone)

    def search_queries(self) -> list[str]:
        similar = [a.handle for a in self.config.similar if a.platform == "x"]
        terms = [f'"{k}"' if " " in k else k for k in (*self.config.keywords, *self.config.hashtags,
                                                        *self.config.names, *similar)]
        # X limits a query to 512 characters: split the terms into several queries.
        queries, cur = [], []
        for t in terms:
            if len(" OR ".join(cur + [t])) + 12 > 512:
                queries.append(" OR ".join(cur) + " -is:retweet")
                cur = []
            cur.append(t)
        if cur:
            queries.append(" OR ".join(cur) + " -is:retweet")
        return queries

    def _stream(self, fn, key: str, account, own: bool = False, **kw) -> CollectResult:
        """Page from the checkpoint to now; commit since_id once every page is stored.

        The next page is fetched while this one is stored (one page ahead, never more):
        the API's latency hides the store's work. Checkpoints still follow the stored
        pages only, so a crash re-fetches from the last stored page. A page that breaks
        the paging (an error body, a wrong shape, an empty page where more was promised)
        raises :class:`CollectorError` after the pages before it are stored: ``since_id``
        stays where it was and the next run resumes from the last good page's token.
        """
        res = CollectResult()
        since = self.store.get_checkpoint("x", key)
        token = self.store.get_checkpoint("x", key + ":next")  # resume a crashed run's paging
        newest = self.store.get_checkpoint("x", key + ":newest")
        args = dict(kw, max_results=self.page_size, tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS,
                    expansions=EXPANSIONS)
        if since:
            args["since_id"] = since
        for resp, asked_with in self._prefetched(fn, key, args, token):
            self._ends_early(resp, key, asked_with)
            users = {str(u.get("id")): u for u in (resp.get("includes") or {}).get("users", [])}
            ctx = {"users": users, "account": account, "own": own}
            res.add(self.store_page(list(resp.get("data") or []), key, ctx))
            meta = resp.get("meta") or {}
            if not newest and meta.get("newest_id"):
                newest = meta["newest_id"]
                self.store.set_checkpoint("x", key + ":newest", newest)
            if meta.get("next_token"):
                self.store.set_checkpoint("x", key + ":next", meta["next_token"])
        if newest:
            self.store.set_checkpoint("x", key, newest)
        self.store.set_checkpoint("x", key + ":next", "")
        self.store.set_checkpoint("x", key + ":newest", "")
        self.store.set_checkpoint("x", key + ":empty", "")
        return res

    @staticmethod
    def _shaped(resp, key: str) -> dict:
        """``resp`` if it is a page of the documented shape, else CollectorError naming what is wrong."""
        if not isinstance(resp, dict):
            raise CollectorError(f"collector x: {key}: the answer must be a JSON object, got {type(resp).__name__}")
        data, meta = resp.get("data"), resp.get("meta")
        if data is not None and not isinstance(data, list):
            raise CollectorError(f"collector x: {key}: 'data' must be a list of posts, got {type(data).__name__}")
        if data and not all(isinstance(t, dict) for t in data):
            raise CollectorError(f"collector x: {key}: 'data' must hold post objects")
        if meta is None or not isinstance(meta, dict):
            errors = resp.get("errors")
            detail = "; ".join(str(e.get("detail") or e.get("title") or e)[:120] for e in errors
                               if isinstance(e, dict))[:300] if isinstance(errors, list) else ""
            raise CollectorError(f"collector x: {key}: a page without 'meta'"
                                 + (f" (the API said: {detail})" if detail else "") + ": paging stopped, "
                                 "checkpoint kept")
        if not isinstance(resp.get("includes") or {}, dict):
            raise CollectorError(f"collector x: {key}: 'includes' must be an object")
        return resp

    def _ends_early(self, resp: dict, key: str, token: str | None) -> None:
        """An empty page reached through a ``next_token`` ends paging only the second time the
        same token gives it (a run before this one already saw it): the first time it is
        taken for a fault, since X announced more posts, and a wrong ending would move
        ``since_id`` past posts never stored."""
        if token and not resp.get("data") and not resp["meta"].get("next_token"):
            if self.store.get_checkpoint("x", key + ":empty") != token:
                self.store.set_checkpoint("x", key + ":empty", token)
                raise CollectorError(f"collector x: {key}: an empty page where more posts were announced: "
                                     "paging stopped, checkpoint kept; the next run resumes here")

    def _prefetched(self, fn, key: str, args: dict, token: str):
        """Pages in order, each fetched by a helper thread while the caller stores the last."""
        import queue
        import threading

        pages: queue.Queue = queue.Queue(maxsize=1)
        stop = threading.Event()

        def fetch(token=token):
            try:
                while not stop.is_set():
                    resp = self._call(fn, key, **(dict(args, pagination_token=token) if token else args))
                    pages.put((self._shaped(resp, key), token))
                    token = resp["meta"].get("next_token")
                    if not token:
                        break
            except BaseException as exc:  # handed to the caller, raised there
                pages.put(exc)
            pages.put(None)

        worker = threading.Thread(target=fetch, name=f"x-fetch {key}", daemon=True)
        worker.start()
        try:
            while (item := pages.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            # The caller gave up (an error while storing): take what the fetcher hands over
            # so it can stop, for a few seconds at most; a rate-limit wait in flight is
            # not waited for (the thread is a daemon and ends with its wait).
            stop.set()
            deadline = time.monotonic() + 5
            while worker.is_alive() and time.monotonic() < deadline:
                try:
                    pages.get(timeout=0.1)
                except queue.Empty:
                    pass

    def normalise(self, tweet, ctx) -> Mention:
        """One post of the API v2 JSON (``data[i]``, authors from ``includes.users``)."""
        if not isinstance(tweet, dict):
            raise InputError(f"post must be a JSON object; got {type(tweet).__name__}")
        tid, text = tweet.get("id"), tweet.get("text")
        if not tid or not isinstance(text, str):
            raise InputError("tweet without id or text")
        if not tweet.get("created_at"):
            raise InputError(f"tweet {tid}: created_at is missing")
        author_id = str(tweet.get("author_id") or "")
        u = ctx["users"].get(author_id) or {}
        pm = u.get("public_metrics") or {}
        handle = u.get("username") or author_id
        author = Author(handle=handle, display_name=u.get("name") or "", followers=int(pm.get("followers_count", 0)),
                        verified=bool(u.get("verified")), id=author_id)
        refs = {r["type"]: f"x:{r['id']}" for r in (tweet.get("referenced_tweets") or [])}
        lang = tweet.get("lang")
        return Mention(platform="x", native_id=str(tid), text=text, author=author,
                       created_at=parse_time(tweet["created_at"]), url=f"https://x.com/{handle}/status/{tid}",
                       lang=lang if lang not in (None, "", "und", "qme", "zxx", "qht") else detect_lang(text),
                       accounts=self._accounts_of(text, ctx["account"]), in_reply_to=refs.get("replied_to", ""),
                       quote_of=refs.get("quoted", ""), repost_of=refs.get("retweeted", ""),
                       conversation_id=str(tweet.get("conversation_id") or ""),
                       metrics=dict(tweet.get("public_metrics") or {}),
                       own=ctx["own"] or handle.lower() in self._own,
                       source=tweet.get("source") or "")

    def _accounts_of(self, text: str, account) -> tuple[str, ...]:
        low = text.lower()
        keys = {key for handle, key in self._watched if handle in low}
        if account is not None:
            keys.add(account.key)
        return tuple(sorted(keys))


def _detail(exc) -> str:
    msgs = getattr(exc, "api_messages", None) or []
    return "; ".join(msgs)[:300] or str(exc)[:300]
