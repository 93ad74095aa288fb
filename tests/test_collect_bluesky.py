"""Bluesky through the atproto SDK, unchanged, against a local XRPC server."""
from dataclasses import replace

import pytest

from collectors.bluesky import BlueskyCollector
from collectors.emulators.bluesky import BlueskyEmulator, post
from escucha.config import Account


@pytest.fixture
def sky(monkeypatch):
    monkeypatch.setenv("ESCUCHA_BLUESKY_APP_PASSWORD", "app-pass")
    posts = [post(i, f"@ien.bsky.social ¿dónde queda la casilla {i}?", at=f"2026-11-10T12:{i % 60:02d}:{i // 60:02d}.000Z")
             for i in range(130)]
    posts += [post(500 + i, f"Hablemos de boletas {i}", handle="prensa.bsky.social",
                   at=f"2026-11-11T10:{i:02d}:00.000Z") for i in range(3)]
    with BlueskyEmulator(posts) as emu:
        yield emu


@pytest.fixture
def bcfg(config, sky):
    acc = Account("bluesky", "@ien.bsky.social", token_env="ESCUCHA_BLUESKY_APP_PASSWORD")
    return replace(config, accounts=(acc,), keywords=("boletas",), hashtags=(), names=(),
                   base_urls={"bluesky": sky.base_url})


def test_mentions_and_search_incrementally(bcfg, store, sky):
    res = BlueskyCollector(bcfg, store).collect()
    assert res.errors == [] and res.new == 133, res
    m = next(x for x in store.mentions() if "casilla 7?" in x.text)
    assert m.platform == "bluesky" and m.lang == "es" and m.author.handle == "ciudadana.bsky.social"
    assert m.url.startswith("https://bsky.app/profile/ciudadana.bsky.social/post/")
    sky.posts.append(post(999, "@ien.bsky.social nueva pregunta", at="2026-11-12T09:00:00.000Z"))
    res = BlueskyCollector(bcfg, store).collect()
    assert res.new == 1 and res.fetched == 1


def test_wrong_app_password(bcfg, store, monkeypatch):
    monkeypatch.setenv("ESCUCHA_BLUESKY_APP_PASSWORD", "nope")
    res = BlueskyCollector(bcfg, store).collect()
    assert res.new == 0 and res.errors == ["collector bluesky: @ien.bsky.social: the app password was refused"]


def test_deleted_post_disappears(bcfg, store, sky):
    from escucha.records import utcnow

    now = utcnow().strftime("%Y-%m-%dT%H:%M:%S.000Z")
    sky.posts += [post(800 + i, f"@ien.bsky.social hoy {i}", at=now) for i in range(3)]
    BlueskyCollector(bcfg, store).collect()
    gone = sky.posts.pop(-2)
    res = BlueskyCollector(bcfg, store, sweep_deleted=True).collect()
    assert res.deleted == 1
    assert store.get_mention("bluesky:" + gone["uri"].removeprefix("at://")) is None
    assert len([m for m in store.mentions() if "hoy" in m.text]) == 2
