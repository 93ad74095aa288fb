"""RSS/Atom news feeds from a real HTTP server on loopback, with ETag politeness."""
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from collectors.rss import RSSCollector

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Diario del Sur</title><link>https://diario.example/</link>
<item><title>El Instituto Electoral Nacional aclara que no destruyó boletas</title>
<link>https://diario.example/1</link><guid>https://diario.example/1</guid>
<description>&lt;p&gt;El IEN desmintió el rumor sobre Oaxaca.&lt;/p&gt;</description>
<pubDate>Fri, 13 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>Resultados del futbol</title><link>https://diario.example/2</link><guid>https://diario.example/2</guid>
<description>Nada que ver.</description><pubDate>Fri, 13 Nov 2026 11:00:00 GMT</pubDate></item>
<item><title>Consejera Laura Méndez presenta el conteo rápido</title><link>https://diario.example/3</link>
<guid>https://diario.example/3</guid><description>Sin fecha</description></item>
</channel></rss>"""


class Feeds:
    def __init__(self):
        self.hits = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.hits.append((self.path, self.headers.get("If-None-Match")))
                if self.path == "/broken.xml":
                    self.send_response(500)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == '"v1"':
                    self.send_response(304)
                    self.end_headers()
                    return
                body = FEED.encode()
                self.send_response(200)
                self.send_header("content-type", "application/rss+xml")
                self.send_header("etag", '"v1"')
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def feeds():
    f = Feeds()
    yield f
    f.server.shutdown()


def test_feed_items_naming_the_institution_are_stored_once(config, store, feeds):
    cfg = replace(config, feeds=(feeds.base + "/feed.xml", feeds.base + "/broken.xml"))
    res = RSSCollector(cfg, store).collect()
    assert res.new == 1 and res.quarantined == 1, res
    assert any("broken.xml" in e and "500" in e for e in res.errors)
    m = next(store.mentions())
    assert m.platform == "rss" and m.author.handle == "Diario del Sur" and m.lang == "es"
    assert "desmintió el rumor" in m.text and "<p>" not in m.text
    assert "no publication date" in store.quarantined()[0]["reason"]
    res = RSSCollector(cfg, store).collect()
    assert res.new == 0 and res.fetched == 0
    assert feeds.hits[-2] == ("/feed.xml", '"v1"'), "the second fetch sends the ETag back and gets a 304"


def test_feed_url_must_be_http(env):
    from escucha.config import parse
    from escucha.errors import ConfigError

    from .conftest import example_dict

    d = example_dict()
    d["watch"]["feeds"] = ["ftp://x"]
    with pytest.raises(ConfigError, match=r"watch.feeds\[0\]: must be an http"):
        parse(d, env=env)
