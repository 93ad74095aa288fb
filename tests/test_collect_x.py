"""The X collector through tweepy, unchanged, against the local X API v2 server."""
from dataclasses import replace

import pytest

from collectors.x import XCollector
from collectors.emulators.x import XEmulator
from escucha.config import Account

USERS = [{"id": "900001", "username": "IEN_Oficial", "name": "IEN", "verified": True,
          "public_metrics": {"followers_count": 1000}},
         {"id": "900002", "username": "IEN_Informa", "name": "IEN Informa", "verified": True,
          "public_metrics": {"followers_count": 10}},
         {"id": "1", "username": "ciudadana", "name": "Ciudadana", "verified": False,
          "public_metrics": {"followers_count": 42}}]


def tweets(n, start=1, handle="@IEN_Oficial", author="1"):
    return [{"id": str(10_000 + i), "text": f"{handle} pregunta número {i}", "author_id": author,
             "created_at": f"2026-11-10T12:{i % 60:02d}:00.000Z", "lang": "es", "conversation_id": str(10_000 + i),
             "edit_history_tweet_ids": [str(10_000 + i)],
             "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": i, "quote_count": 0}}
            for i in range(start, start + n)]


@pytest.fixture
def x(env):
    with XEmulator(USERS, tweets(250), token=env["ESCUCHA_X_BEARER_TOKEN"]) as emu:
        yield emu


@pytest.fixture
def cfg(config, x):
    return replace(config, keywords=(), hashtags=(), names=()).with_base_url("x", x.base_url)


def collector(cfg, store, sleeps=None):
    waits = [] if sleeps is None else sleeps
    return XCollector(cfg, store, sleep=waits.append)


def test_pages_over_several_pages_and_is_incremental(cfg, store, x):
    res = collector(cfg, store).collect()
    assert res.new == 250 and res.errors == []
    mention_pages = [r for r in x.state.requests if "/users/900001/mentions" in r]
    assert len(mention_pages) == 3  # 100 + 100 + 50
    m = store.get_mention("x:10007")
    assert m.author.handle == "ciudadana" and m.author.followers == 42 and m.accounts == ("x:@IEN_Oficial",)
    assert m.url == "https://x.com/ciudadana/status/10007" and m.metrics["like_count"] == 7
    x.state.requests.clear()
    res = collector(cfg, store).collect()
    assert res.new == 0 and res.fetched == 0
    assert all("since_id=10250" in r for r in x.state.requests if "/users/900001/mentions" in r)
    x.state.add_tweets(tweets(3, start=300))
    assert collector(cfg, store).collect().new == 3


def test_crash_mid_paging_then_restart_loses_and_duplicates_nothing(cfg, store, x):
    # The process dies while asking for the second page, after storing the first.
    c = collector(cfg, store)
    calls = {"n": 0}
    real = c._call

    def flaky(fn, what, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("crash")
        return real(fn, what, **kw)

    c._call = flaky
    with pytest.raises(KeyboardInterrupt):
        c.collect()
    assert store.count_mentions() == 100
    res = collector(cfg, store).collect()
    assert store.count_mentions() == 250 and res.new == 150


def test_429_with_reset_header_waits_until_reset(cfg, store, x):
    x.state.faults.append({"status": 429, "reset": 30})
    waits = []
    res = collector(cfg, store, waits).collect()
    assert res.new == 250
    assert len(waits) == 1 and 25 <= waits[0] <= 32


def test_429_without_reset_header_backs_off_with_a_cap(cfg, store, x):
    x.state.faults.extend([{"status": 429, "reset": None}] * 2)
    waits = []
    res = collector(cfg, store, waits).collect()
    assert res.new == 250 and waits == [60.0, 120.0]


def test_5xx_storm_then_recovery(cfg, store, x):
    x.state.faults.extend([{"status": 503}] * 3)
    waits = []
    assert collector(cfg, store, waits).collect().new == 250
    assert waits == [1, 2, 4]


def test_5xx_that_never_ends_is_reported_by_account(cfg, store, x):
    x.state.faults.extend([{"status": 503}] * 5)
    res = collector(cfg, store).collect()
    assert any("mentions:@IEN_Oficial" in e and "server error 503" in e for e in res.errors)


def test_revoked_token_names_the_variable_not_the_value(cfg, store, x, monkeypatch):
    monkeypatch.setenv("ESCUCHA_X_BEARER_TOKEN", "revoked-secret-value")
    res = collector(cfg, store).collect()
    assert res.new == 0 and res.errors
    assert all("refused (401)" in e for e in res.errors)
    assert not any("revoked-secret-value" in e for e in res.errors)
    monkeypatch.delenv("ESCUCHA_X_BEARER_TOKEN")
    res = collector(cfg, store).collect()
    assert any("ESCUCHA_X_BEARER_TOKEN is not set" in e for e in res.errors)


def test_suspended_account_while_the_others_go_on(cfg, store, x):
    x.state.add_tweets(tweets(5, start=400, handle="@IEN_Informa"))
    x.state.suspended.add("900001")
    res = collector(cfg, store).collect()
    assert res.new == 5
    assert any("@IEN_Oficial" in e and "suspended" in e for e in res.errors)


def test_unknown_account_reported_by_name(cfg, store, x):
    cfg2 = replace(cfg, accounts=cfg.accounts + (Account("x", "@NoExiste"),))
    res = collector(cfg2, store).collect()
    assert res.new == 250 and any("@NoExiste not found" in e for e in res.errors)


def test_malformed_tweet_is_quarantined_and_the_page_goes_on(cfg, store, x):
    bad = tweets(1, start=500)[0]
    del bad["created_at"]
    x.state.add_tweets([bad])
    res = collector(cfg, store).collect()
    assert res.new == 250 and res.quarantined == 1
    q = store.quarantined()[0]
    assert "created_at is missing" in q["reason"] and "10500" in q["payload"]


def test_search_queries_respect_the_length_limit(cfg, store):
    c = collector(replace(cfg, keywords=tuple(f"palabra{i}" for i in range(100))), store)
    qs = c.search_queries()
    assert len(qs) > 1 and all(len(q) <= 512 for q in qs) and all(q.endswith("-is:retweet") for q in qs)


def test_deleted_post_disappears(cfg, store, x):
    from escucha.records import utcnow

    fresh = tweets(3, start=600)
    for t in fresh:
        t["created_at"] = utcnow().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    x.state.add_tweets(fresh)
    collector(cfg, store).collect()
    assert store.get_mention("x:10601") is not None
    x.state.tweets.pop("10601")
    res = XCollector(cfg, store, sleep=lambda s: None, sweep_deleted=True).collect()
    assert res.deleted == 1
    assert store.get_mention("x:10601") is None and store.search("número 601") == []
    assert store.get_mention("x:10600") is not None


def test_forget_erases_an_author_everywhere(cfg, store, x):
    from escucha import pipeline

    collector(cfg, store).collect()
    assert store.mentions_by_author("ciudadana")
    res = pipeline.forget_author(cfg, store, "@ciudadana")
    assert res["removed"] == 250
    assert store.mentions_by_author("ciudadana") == [] and store.search("pregunta") == []
    log = [a for a in store.audit_log() if a["action"] == "privacy.forget"]
    assert log and "ciudadana" not in str(log)


def test_a_count_no_store_can_hold_is_quarantined_and_the_page_goes_on(cfg, store, x):
    x.state.users["2"] = {"id": "2", "username": "inflada", "name": "Inflada", "verified": False,
                          "public_metrics": {"followers_count": 2**70}}
    odd = tweets(2, start=600)
    odd[0]["author_id"] = "2"
    odd[1]["public_metrics"]["like_count"] = -(2**64)
    x.state.add_tweets(odd)
    res = collector(cfg, store).collect()
    assert res.new == 250 and res.quarantined == 2
    reasons = sorted(q["reason"] for q in store.quarantined())
    assert "author.followers must be a count that fits 64 bits; got 1180591620717411303424" in reasons[0]
    assert "metrics.like_count must be a count that fits 64 bits" in reasons[1]


# Pages that break the paging: nothing after them may be skipped for good (issue: silent loss).
BROKEN_PAGES = [
    {"meta": {"result_count": 0}},                                   # empty, no next_token
    {"errors": [{"title": "Service Unavailable", "detail": "try later"}]},  # errors only
    {"data": {"id": "1"}, "meta": {"result_count": 1}},              # data of the wrong shape
    ["not", "an", "object"],                                         # not an object at all
    {"data": [], "includes": [], "meta": {"result_count": 0}},       # includes of the wrong shape
]


@pytest.mark.parametrize("body", BROKEN_PAGES)
def test_a_broken_page_mid_paging_is_an_error_and_keeps_the_checkpoint(cfg, store, x, body):
    x.state.faults.append({"status": 200, "body": body, "match": "/users/900001/mentions", "skip": 1})
    res = collector(cfg, store).collect()
    assert store.count_mentions() == 100  # the first page is stored
    assert len(res.errors) == 1 and "mentions:@IEN_Oficial" in res.errors[0] and "Traceback" not in res.errors[0]
    assert not store.get_checkpoint("x", "mentions:@IEN_Oficial")  # since_id did not move past page 2
    res = collector(cfg, store).collect()  # the next run resumes from the last good page
    assert res.errors == [] and store.count_mentions() == 250


def test_an_empty_last_page_seen_twice_ends_paging(cfg, store, x):
    # X may close paging with an empty page: a fault the first time, the end when the next
    # run gets the same empty page for the same token.
    empty = {"status": 200, "body": {"meta": {"result_count": 0}}, "match": "/users/900001/mentions"}
    x.state.faults.append(dict(empty, skip=1))
    assert collector(cfg, store).collect().errors and store.count_mentions() == 100
    x.state.faults.append(dict(empty))
    res = collector(cfg, store).collect()
    assert res.errors == [] and store.get_checkpoint("x", "mentions:@IEN_Oficial") == "10250"
    assert not store.get_checkpoint("x", "mentions:@IEN_Oficial:next")


def test_a_stalled_answer_times_out_and_is_retried(cfg, store, x):
    x.state.faults.append({"stall": 3, "match": "/users/900001/mentions"})
    c = collector(cfg, store)
    c.timeout = (2.0, 1.0)
    res = c.collect()
    assert res.errors == [] and store.count_mentions() == 250
    assert sum("/users/900001/mentions" in r for r in x.state.requests) == 4  # the stalled one asked again
