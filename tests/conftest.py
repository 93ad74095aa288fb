import os
import secrets
import tomllib
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from demo.smtp import SMTPSink, free_port
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
