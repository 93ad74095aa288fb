"""The analyst view in a real headless browser (Debian's Chromium): the page loads, the panels
show the numbers of a known data set, search works, and strangers' text stays text."""
import re
import shutil
import subprocess
import threading
from datetime import timedelta
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from dashboards.web.app import App
from escucha.records import Author, Classification, Mention

from .conftest import utc

NOW = utc(2026, 11, 10, 18, 0)
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium installed (apt-get install chromium)")


class _Quiet(WSGIRequestHandler):
    def log_request(self, *a):
        pass


@pytest.fixture
def site(config, store):
    evil = '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'"> corrupto'
    texts = [evil, "gracias por todo", "otra queja más", "voy a balacear la casilla", "merci beaucoup"]
    ms = [Mention("x", str(i), t, Author(f"u{i}"), NOW - timedelta(hours=i), accounts=("x:@IEN_Oficial",),
                  lang="fr" if i == 4 else "es") for i, t in enumerate(texts)]
    store.upsert_mentions(ms)
    labels = ["negative", "positive", "negative", "negative", "positive"]
    store.save_classifications([Classification(m.id, "v", {}, {
        "sentiment": s, "offensive": "offensive" if i == 0 else "not_offensive",
        "threat": "threat" if i == 3 else "not_threat"}) for i, (m, s) in enumerate(zip(ms, labels))])
    httpd = make_server("127.0.0.1", 0, App(config, store, clock=lambda: NOW), handler_class=_Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def browse(url, *extra):
    r = subprocess.run([BROWSER, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--virtual-time-budget=3000", *extra, url], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-1500:]
    return r.stdout


def test_panels_show_the_known_numbers(site):
    dom = browse(site + "/", "--dump-dom")
    assert "<title>Sala de crisis" in dom
    assert re.search(r'data-label="negative">3<', dom) and re.search(r'data-label="positive">2<', dom)
    assert re.search(r'data-cat="threat">1<', dom)
    langs = dict(re.findall(r"<tr><th>(\w+)</th><td class=\"num\">(\d+)</td></tr>",
                            re.search(r'id="languages">(.*?)</table>', dom, re.S).group(1)))
    assert langs == {"es": "4", "fr": "1"}


def test_strangers_text_never_runs(site):
    dom = browse(site + "/", "--dump-dom")
    assert "pwned" not in re.search(r"<title>(.*?)</title>", dom).group(1)
    assert "&lt;script&gt;" in dom and "<img src=\"x\"" not in dom


def test_search_box(site):
    dom = browse(site + "/?q=corrupto", "--dump-dom")
    results = re.search(r'id="results">(.*?)</table>', dom, re.S).group(1)
    assert results.count("<tr>") == 1 and "corrupto" in results
    dom = browse(site + "/?q=casilla&lang=en", "--dump-dom")
    assert "Crisis room" in dom and "balacear" in re.search(r'id="results">(.*?)</table>', dom, re.S).group(1)


def test_screenshot(site, tmp_path):
    shot = tmp_path / "view.png"
    browse(site + "/", f"--screenshot={shot}", "--window-size=1200,900")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_the_login_page_in_a_browser(env, store, tmp_path, monkeypatch):
    """With users configured, the view sends a browser to a login form in the institution's
    language, and nothing of the view is shown before it."""
    import os
    from dataclasses import replace

    from escucha.config import parse
    from escucha.passwords import hash_password

    from .conftest import EXAMPLE, example_dict

    monkeypatch.setenv("ESCUCHA_WEB_MARTA", hash_password("vigilia-de-noche-2026"))
    data = example_dict()
    data["web"] = {"users": [{"name": "marta", "password_hash_env": "ESCUCHA_WEB_MARTA"}]}
    cfg = replace(parse(data, str(EXAMPLE), env=os.environ, base_dir=tmp_path), store_path=str(tmp_path / "e.db"))
    httpd = make_server("127.0.0.1", 0, App(cfg, store, clock=lambda: NOW), handler_class=_Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        dom = browse(f"http://127.0.0.1:{httpd.server_port}/?q=casilla", "--dump-dom")
    finally:
        httpd.shutdown()
    assert "<title>escucha · Iniciar sesión</title>" in dom and 'type="password"' in dom
    assert 'name="next" value="/?q=casilla"' in dom and "Sala de crisis" not in dom
