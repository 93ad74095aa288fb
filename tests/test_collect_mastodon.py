"""Mastodon through Mastodon.py, unchanged, against a local Mastodon API server."""
from dataclasses import replace

import pytest

from collectors.mastodon import MastodonCollector
from collectors.emulators.mastodon import MastodonEmulator
from escucha.config import Account


def status(i, text, acct="ciudadano@otra.example"):
    return {"id": str(1000 + i), "created_at": f"2026-11-10T12:{i % 60:02d}:00.000Z", "content": f"<p>{text}</p>",
            "url": f"https://otra.example/@c/{1000 + i}", "language": None, "in_reply_to_id": None, "reblog": None,
            "replies_count": 0, "reblogs_count": 1, "favourites_count": 2,
            "account": {"id": "7", "acct": acct, "display_name": "C", "followers_count": 12}}


@pytest.fixture
def masto(monkeypatch):
    monkeypatch.setenv("ESCUCHA_MASTODON_TOKEN", "m-token")
    items = [status(i, f"@ien@mastodon.example pregunta {i} sobre la casilla") for i in range(95)]
    items += [status(200 + i, f"Hoy votamos #EleccionesIEN número {i}") for i in range(5)]
    items.append({**status(300, "roto"), "created_at": None})
    with MastodonEmulator(items, token="m-token") as emu:
        yield emu


@pytest.fixture
def mcfg(config, masto):
    acc = Account("mastodon", "@ien@mastodon.example", token_env="ESCUCHA_MASTODON_TOKEN")
    return replace(config, accounts=config.accounts + (acc,), base_urls={"mastodon": masto.base_url})


def test_mentions_and_hashtags_paged_forward_once(mcfg, store, masto):
    res = MastodonCollector(mcfg, store).collect()
    assert res.errors == [] and res.new == 100, res
    assert len([r for r in masto.requests if "notifications" in r]) == 3  # 40 + 40 + 15
    m = store.get_mention("mastodon:1007")
    assert m.text == "@ien@mastodon.example pregunta 7 sobre la casilla" and m.lang == "es"
    assert m.accounts == ("mastodon:@ien@mastodon.example",) and m.author.followers == 12
    again = MastodonCollector(mcfg, store).collect()
    assert again.new == 0 and again.fetched == 0


def test_bad_status_quarantined(mcfg, store, masto):
    masto.statuses["1300"]["content"] = "<p>@ien@mastodon.example sin fecha</p>"
    res = MastodonCollector(mcfg, store).collect()
    assert res.quarantined == 1 and "created_at is missing" in store.quarantined()[0]["reason"]


def test_wrong_token_reported_by_account(mcfg, store, masto, monkeypatch):
    monkeypatch.setenv("ESCUCHA_MASTODON_TOKEN", "wrong")
    res = MastodonCollector(mcfg, store).collect()
    assert res.new == 0 and res.errors == ["collector mastodon: @ien@mastodon.example: the access token was refused"]


def test_dag_targets_cover_every_platform_and_one_account_runs_alone(mcfg, store, masto):
    from escucha import pipeline

    cfg = replace(mcfg, feeds=("http://127.0.0.1:1/feed.xml",))
    targets = pipeline.collect_targets(cfg)
    assert {"source": "mastodon", "account": "@ien@mastodon.example"} in targets
    assert {"source": "x", "account": "@IEN_Oficial"} in targets and {"source": "rss", "account": ""} in targets
    res = pipeline.collect_mentions(mcfg, store, ("mastodon",), account="@ien@mastodon.example")
    assert res["new"] == 100 and res["errors"] == []


def test_deleted_status_disappears(mcfg, store, masto):
    from escucha.records import utcnow

    fresh = [status(700 + i, f"@ien@mastodon.example hoy {i}") for i in range(3)]
    for s in fresh:
        s["created_at"] = utcnow().strftime("%Y-%m-%dT%H:%M:%S.000Z")
        masto.statuses[s["id"]] = s
    MastodonCollector(mcfg, store).collect()
    del masto.statuses["1701"]
    res = MastodonCollector(mcfg, store, sweep_deleted=True).collect()
    assert res.deleted == 1 and store.get_mention("mastodon:1701") is None
    assert store.get_mention("mastodon:1700") is not None
