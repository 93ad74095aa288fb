"""RSS and Atom news feeds (feedparser): press coverage of the institution.

Feeds are listed in ``[watch] feeds``. Only items that name the institution (its
name, short name, account handles, watched keywords or names) are kept. Each
feed is fetched politely: the ETag and Last-Modified of the last answer are sent
back, so an unchanged feed costs one 304.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone

import requests

from collectors.base import Collector, CollectResult
from collectors.lang import detect_lang
from escucha.errors import InputError
from escucha.records import Author, Mention


def _strip_html(text: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", text or "")).strip()


AGENT = "escucha/0.1 (+social listening for public institutions)"


class RSSCollector(Collector):
    name = "rss"
    timeout = (10.0, 30.0)  # connect, read (seconds)

    def terms(self) -> list[str]:
        c = self.config
        raw = [c.name, c.short_name, *c.keywords, *c.names, *(a.handle.lstrip("@") for a in c.accounts)]
        return [t.lower() for t in raw if t and len(t) >= 3]

    def collect(self) -> CollectResult:
        import feedparser

        total = CollectResult()
        terms = self.terms()
        for url in self.config.feeds:
            state = json.loads(self.store.get_checkpoint("rss", url) or "{}")
            # Fetched here, not by feedparser: its urllib call has no timeout, and a stalled
            # server would hang every later source of the run.
            headers = {"User-Agent": AGENT}
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("modified"):
                headers["If-Modified-Since"] = state["modified"]
            try:
                resp = requests.get(url, headers=headers, timeout=self.timeout)
            except requests.RequestException as exc:
                total.fail(f"rss:{url}", f"collector rss: {url}: not reached ({type(exc).__name__})", "unreachable")
                continue
            if resp.status_code == 304:
                continue
            if resp.status_code >= 400:
                total.fail(f"rss:{url}", f"collector rss: {url}: HTTP {resp.status_code}")
                continue
            feed = feedparser.parse(resp.content, response_headers={k.lower(): v for k, v in resp.headers.items()})
            if feed.bozo and not feed.entries:
                total.fail(f"rss:{url}",
                           f"collector rss: {url}: not a readable feed ({type(feed.bozo_exception).__name__})")
                continue
            source = feed.feed.get("title", url)
            items = [e for e in feed.entries
                     if any(t in (e.get("title", "") + " " + e.get("summary", "")).lower() for t in terms)]
            total.add(self.store_page(items, url, {"source": source, "url": url}))
            self.store.set_checkpoint("rss", url, json.dumps({"etag": resp.headers.get("etag"),
                                                             "modified": resp.headers.get("last-modified")}))
        return total

    def normalise(self, entry, ctx) -> Mention:
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        if not when:
            raise InputError(f"feed item {entry.get('link', '?')}: no publication date")
        ident = entry.get("id") or entry.get("link")
        if not ident:
            raise InputError("feed item without id or link")
        text = _strip_html(entry.get("title", "")) + ". " + _strip_html(entry.get("summary", ""))
        return Mention(platform="rss", native_id=hashlib.sha1(ident.encode()).hexdigest()[:16], text=text[:2000],
                       author=Author(handle=ctx["source"][:80], display_name=entry.get("author", "")),
                       created_at=datetime(*when[:6], tzinfo=timezone.utc), url=entry.get("link", ""),
                       lang=detect_lang(text), accounts=())
