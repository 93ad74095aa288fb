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


def _initdb():
    import glob

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else None


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server on loopback for the session (Debian's postgresql package)."""
    import getpass
    import shutil
    import subprocess

    initdb = _initdb()
    if not initdb:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    import tempfile

    bindir = Path(initdb).parent
    # PostgreSQL refuses to run as root: run it as the postgres system user, in a
    # folder it can reach (pytest's own temporary folders are private to root).
    base = Path(tempfile.mkdtemp(prefix="escucha-pg-"))
    base.chmod(0o755)
    data = base / "data"
    port = free_port()
    as_user = [] if getpass.getuser() != "root" else ["runuser", "-u", "postgres", "--"]
    if as_user:
        shutil.chown(base, "postgres")
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    log = data.parent / "pg.log"
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
                    f"-p {port} -k {data.parent} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                   check=True, capture_output=True)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    yield url
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


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


@pytest.fixture(scope="session")
def elasticsearch_face(opensearch_url):
    """The Elasticsearch 8 wire protocol (and ILM) in front of the real OpenSearch node:
    no Elasticsearch server can be had here (tests/es_proxy.py says what is emulated)."""
    pytest.importorskip("elasticsearch", reason="the Elasticsearch client: pip install -e '.[elasticsearch]'")
    from .es_proxy import ElasticsearchFace

    with ElasticsearchFace(opensearch_url) as face:
        yield face
