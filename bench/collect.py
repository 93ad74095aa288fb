"""Mentions per second fetched by tweepy, parsed, normalised and stored into the embedded
store, against a raw fetch of the same pages (the same tweepy client, no storing) in the same run.

    python bench/collect.py [--n 5000] [--latency-ms 0]

``--latency-ms`` holds every answer of the emulator that long, as a remote API does
(X answers in about 100-500 ms): the collector stores a page while the next is in flight.
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._util import peak_rss_mb, report  # noqa: E402
from collectors.x import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, XCollector, _Timeouts  # noqa: E402
from collectors.emulators.x import XEmulator  # noqa: E402
from escucha.config import parse  # noqa: E402
from escucha.store import SQLiteStore  # noqa: E402


def corpus(n):
    users = [{"id": "900001", "username": "IEN_Oficial", "name": "IEN", "verified": True,
              "public_metrics": {"followers_count": 1}}]
    users += [{"id": str(i), "username": f"user{i}", "name": f"User {i}", "verified": False,
               "public_metrics": {"followers_count": i}} for i in range(1, 201)]
    tweets = [{"id": str(10**15 + i), "text": f"@IEN_Oficial mensaje número {i} sobre la casilla y las boletas",
               "author_id": str(1 + i % 200), "created_at": f"2026-11-10T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:"
               f"{i % 60:02d}.000Z", "lang": "es", "conversation_id": str(10**15 + i),
               "edit_history_tweet_ids": [str(10**15 + i)],
               "public_metrics": {"retweet_count": 1, "reply_count": 0, "like_count": 2, "quote_count": 0}}
              for i in range(n)]
    return users, tweets


def _serve(n, port, ready, latency=0.0):
    users, tweets = corpus(n)
    emu = XEmulator(users, tweets, token="bench", port=port)
    emu.state.latency = latency
    ready.set()
    emu.server.serve_forever()


def main():
    import multiprocessing as mp

    import tweepy

    from replay.mailbox import free_port

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--latency-ms", type=float, default=0.0)
    a = ap.parse_args()
    os.environ["ESCUCHA_X_BEARER_TOKEN"] = "bench"
    # The server runs in its own process, as a real API would: it must not share our GIL.
    port, ready = free_port(), mp.Event()
    server = mp.Process(target=_serve, args=(a.n, port, ready, a.latency_ms / 1000), daemon=True)
    server.start()
    ready.wait(30)
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        # The same client the collector builds: tweepy's HTTP, JSON and paging, plain dicts.
        client = tweepy.Client(bearer_token="bench", return_type=dict)
        client.session.mount("https://api.twitter.com", _Timeouts(base_url))
        t0 = time.perf_counter()
        got = 0
        for page in tweepy.Paginator(client.get_users_mentions, "900001", max_results=100,
                                     tweet_fields=TWEET_FIELDS, user_fields=USER_FIELDS, expansions=EXPANSIONS):
            got += len(page.get("data") or [])
        raw = time.perf_counter() - t0
        cfg = parse({"institution": {"name": "bench"}, "accounts": [
            {"platform": "x", "handle": "@IEN_Oficial", "user_id": "900001"}]}, env={})
        cfg = cfg.with_base_url("x", base_url)
        store = SQLiteStore(os.path.join(tmp, "b.db"))
        t0 = time.perf_counter()
        res = XCollector(cfg, store).collect()
        full = time.perf_counter() - t0
        assert res.new == a.n == got, (res, got)
    server.terminate()
    report("collect", a.n / full, "mentions/s", a.n / raw, n=a.n, seconds=round(full, 2),
           raw_fetch_seconds=round(raw, 2), overhead_vs_raw=round(full / raw - 1, 3), peak_rss_mb=peak_rss_mb(),
           api_latency_ms=a.latency_ms, baseline_is="raw tweepy fetch of the same pages, mentions/s")


if __name__ == "__main__":
    main()
