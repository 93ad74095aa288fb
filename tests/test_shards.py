"""Several classify workers side by side (``escucha classify --shard I/N``, the collect DAG's
mapped classify tasks): real processes on one store score every mention once between them."""
import json
import os
import subprocess
import sys
import zlib
from datetime import timedelta

import pytest

from escucha.records import Author, Mention
from escucha.shards import check, shard_of
from escucha.store import SQLiteStore

from .conftest import utc
from .test_cli_incidents import EXAMPLE, _cli


def _mentions(n):
    texts = ["¿dónde queda mi casilla?", "gracias por la información", "pésimo servicio en el módulo",
             "el instituto publica los resultados hoy", "la casilla 12 abrió tarde"]
    return [Mention("x", str(1000 + i), f"{texts[i % 5]} ({i})", Author(f"u{i}"), utc(2026, 11, 10) +
                    timedelta(minutes=i)) for i in range(n)]


def test_two_workers_side_by_side_score_every_mention_once(tmp_path, env):
    store = SQLiteStore(tmp_path / "state.db")
    ms = _mentions(90)
    store.upsert_mentions(ms)
    store.close()
    cfg = tmp_path / "escucha.toml"
    cfg.write_text(EXAMPLE.read_text(encoding="utf-8").replace('path = "escucha.db"', 'path = "state.db"'),
                   encoding="utf-8")
    workers = [subprocess.Popen([sys.executable, "-m", "escucha.cli", "classify", "--config", str(cfg),
                                 "--shard", f"{i}/2"], cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for i in range(2)]
    outs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [e[-2000:] for _, e in outs]
    done = [json.loads(o)["classified"] for o, _ in outs]
    assert done == [sum(shard_of(m.id, 2) == i for m in ms) for i in range(2)] and sum(done) == 90
    store = SQLiteStore(tmp_path / "state.db")
    assert store.db.execute("SELECT count(*) FROM classifications").fetchone()[0] == 90
    again = _cli(tmp_path, "classify")
    assert again.returncode == 0 and json.loads(again.stdout)["classified"] == 0


def test_a_mentions_share_is_the_same_in_every_process():
    ids = [f"x:{i}" for i in range(2000)]
    code = "import json,sys; from escucha.shards import shard_of; print(json.dumps([shard_of(i, 4) for i in json.load(sys.stdin)]))"
    for seed in ("1", "2"):  # Python's own hash() would differ between these
        r = subprocess.run([sys.executable, "-c", code], input=json.dumps(ids), capture_output=True, text=True,
                           env=dict(os.environ, PYTHONHASHSEED=seed), check=True)
        assert json.loads(r.stdout) == [shard_of(i, 4) for i in ids]
    counts = [sum(shard_of(i, 4) == k for i in ids) for k in range(4)]
    assert min(counts) > 400 and max(counts) < 600  # an even split: 500 each, give or take
    assert shard_of("x:1", 4) == zlib.crc32(b"x:1") % 4


@pytest.mark.parametrize("shard,message", [
    ((2, 2), "from 0 to 1, got 2"), ((0, 0), "from 1 to 64, got 0"), ((0, 65), "from 1 to 64, got 65"),
    ((-1, 3), "from 0 to 2, got -1"), ((True, 2), "from 0 to 1, got True")])
def test_a_shard_out_of_range_is_named(shard, message):
    from escucha.errors import InputError

    with pytest.raises(InputError, match=message):
        check(shard)


@pytest.mark.parametrize("value,message", [("2/2", "from 0 to 1, got 2"), ("a/b", "must be INDEX/COUNT"),
                                           ("1", "must be INDEX/COUNT"), ("0/0", "from 1 to 64")])
def test_bad_shards_on_the_command_line_are_named_without_a_traceback(tmp_path, env, value, message):
    SQLiteStore(tmp_path / "state.db").close()
    r = _cli(tmp_path, "classify", "--shard", value)
    assert r.returncode != 0 and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("value", ["0", "65", "true", '"2"', "1.5"])
def test_bad_shards_in_the_configuration_are_named(env, value):
    from escucha.config import parse
    from escucha.errors import ConfigError

    from .conftest import example_dict

    data = example_dict()
    data.setdefault("classifier", {})["shards"] = 3
    assert parse(data, "escucha.toml", env=os.environ).shards == 3
    data["classifier"]["shards"] = json.loads(value)
    with pytest.raises(ConfigError, match=r"classifier\.shards: must be (a whole number from 1 to 64|an integer)") as err:
        parse(data, "escucha.toml", env=os.environ)
    assert str(err.value).count("\n") <= 1, str(err.value)  # that problem only
