"""The compose init job creates the escalation state's role and database in a real
PostgreSQL server (`escucha store init-state`), idempotently, and never shows a password."""
import os
import secrets
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from escucha.errors import StoreError
from escucha.state import SQLState, create_database
from replay.mailbox import free_port

from .conftest import ROOT


def _target(postgres, name, password):
    return postgres.replace("postgres@", f"{name}:{password}@").rsplit("/", 1)[0] + "/" + name


def test_the_role_and_database_are_created_once(postgres):
    name = "escucha_" + secrets.token_hex(3)
    url = _target(postgres, name, "pa'ss-" + secrets.token_hex(4))  # a quote in the password
    first = create_database(url, postgres)
    assert first["role"] and first["database"]
    again = create_database(url, postgres)
    assert not again["role"] and not again["database"]
    eng = create_engine(postgres)
    with eng.connect() as c:
        owner = c.execute(text("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = :d"), {"d": name}).scalar()
    eng.dispose()
    assert owner == name
    state = SQLState(url)
    assert state.incidents() == []  # the tables are there, usable by the role
    state.engine.dispose()


def test_an_unreachable_admin_server_is_named_without_its_password(postgres):
    secret = "s3cret-" + secrets.token_hex(4)
    admin = f"postgresql+psycopg://root:{secret}@127.0.0.1:{free_port()}/postgres"
    with pytest.raises(StoreError) as err:
        create_database(_target(postgres, "escucha_x", "pw"), admin)
    assert "127.0.0.1" in str(err.value) and secret not in str(err.value)
    with pytest.raises(StoreError, match="must be a postgresql:// URL; got scheme 'sqlite'"):
        create_database("sqlite:///x.db", postgres)


def test_the_command_reads_the_configuration(postgres, env, tmp_path):
    name = "escucha_" + secrets.token_hex(3)
    text_ = (ROOT / "escucha.example.toml").read_text(encoding="utf-8")
    text_ = text_.replace('# state_url_env = "ESCUCHA_STATE_URL"', 'state_url_env = "ESCUCHA_STATE_URL"')
    cfg = tmp_path / "escucha.toml"
    cfg.write_text(text_, encoding="utf-8")
    run_env = dict(os.environ, ESCUCHA_STATE_URL=_target(postgres, name, "pw-" + secrets.token_hex(4)),
                   ADMIN_URL=postgres, ESCUCHA_CONFIG=str(cfg))
    cmd = [sys.executable, "-m", "escucha.cli", "store", "init-state", "--admin-url-env", "ADMIN_URL"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=run_env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"database {name} (created), role {name} (created)" in r.stdout
    r = subprocess.run(cmd, capture_output=True, text=True, env=run_env, timeout=120)
    assert "(already there)" in r.stdout
    r = subprocess.run(cmd[:-1] + ["UNSET_VARIABLE"], capture_output=True, text=True, env=run_env, timeout=120)
    assert r.returncode != 0 and "UNSET_VARIABLE, which is not set" in r.stderr and "Traceback" not in r.stderr
