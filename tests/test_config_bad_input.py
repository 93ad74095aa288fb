"""Malformed configurations: each gets a clear message with its key path, never a
traceback, and nothing that would break paging passes `config check`."""
import copy
import math
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from escucha.config import load, parse
from escucha.errors import ConfigError

from .conftest import example_dict


def _set(d, path, value):
    *head, last = path
    for k in head:
        d = d[k]
    d[last] = value


def _del(d, path):
    *head, last = path
    for k in head:
        d = d[k]
    del d[last]


# (what is wrong, key path, new value or DELETE, words the message must hold)
DELETE = object()
CASES = [
    ("ttl inf", ("links", "ttl_hours"), math.inf, "links.ttl_hours: must be a number from"),
    ("ttl huge", ("links", "ttl_hours"), 1e12, "links.ttl_hours: must be a number from"),
    ("wait inf", ("escalation", "policies", 0, "steps", 0, "wait_minutes"), math.inf, "wait_minutes: must be"),
    ("wait nan", ("escalation", "policies", 0, "steps", 0, "wait_minutes"), math.nan, "wait_minutes: must be"),
    ("wait negative", ("escalation", "policies", 0, "steps", 0, "wait_minutes"), -5, "wait_minutes: must be"),
    ("deadline negative", ("detection", "answer_deadline_hours"), -1, "answer_deadline_hours: must be"),
    ("deadline inf", ("detection", "answer_deadline_hours"), math.inf, "answer_deadline_hours: must be"),
    ("misspelt working_hour", ("committee", "members", 0, "working_hour"), "09:00-18:00",
     "did you mean 'working_hours'"),
    ("misspelt secret_evn", ("links", "secret_evn"), "X", "did you mean 'secret_env'"),
    ("misspelt wait_minute", ("escalation", "policies", 0, "steps", 0, "wait_minute"), 3,
     "did you mean 'wait_minutes'"),
    ("misspelt treat", ("thresholds", "treat"), 0.5, "did you mean 'threat'"),
    ("misspelt cooldown_minute", ("detection", "cooldown_minute"), 5, "did you mean 'cooldown_minutes'"),
    ("user_id a table", ("accounts", 0, "user_id"), {"a": 1}, "accounts[0].user_id: must be"),
    ("claims a string", ("claims",), "x", "claims: must be a list"),
    ("overnight hours", ("committee", "members", 0, "working_hours"), "22:00-06:00", "overnight"),
    ("holidays a number", ("committee", "holidays"), 5, "committee.holidays: must be a list"),
    ("oncall a number", ("committee", "oncall"), 5, "committee.oncall: must be a list"),
    ("vacations a number", ("committee", "members", 0, "vacations"), 5, "vacations: must be a list"),
    ("repeat huge", ("escalation", "policies", 0, "repeat"), 10**9, "repeat: must be an integer from 1"),
    ("retention zero", ("store", "retention_days"), 0, "store.retention_days"),
]


@pytest.mark.parametrize("what,path,value,words", CASES, ids=[c[0] for c in CASES])
def test_each_malformed_configuration_is_named(env, what, path, value, words):
    d = example_dict()
    _set(d, path, value)
    with pytest.raises(ConfigError) as err:
        parse(d, env=env)
    assert any(words in p for p in err.value.problems), err.value.problems


@pytest.mark.parametrize("secret,words", [("change-me-to-a-long-random-string", "placeholder"),
                                          ("short", "at least 32 bytes"), ("", "is not set")])
def test_the_link_secret_must_be_real_whenever_pages_carry_links(env, monkeypatch, secret, words):
    monkeypatch.setenv("ESCUCHA_LINK_SECRET", secret)
    import os
    with pytest.raises(ConfigError) as err:
        parse(example_dict(), env=os.environ)
    assert any("links.secret_env" in p and words in p for p in err.value.problems), err.value.problems


def test_links_refuse_to_sign_or_verify_with_an_empty_key(config):
    from dataclasses import replace
    from escucha.links import make_link, verify

    empty = replace(config.links, secret="")
    with pytest.raises(ValueError, match="links are disabled"):
        make_link(empty, 1, "ana", "ack", __import__("datetime").datetime.now())
    with pytest.raises(ValueError, match="links are disabled"):
        verify(empty, {"i": "1", "m": "ana", "a": "ack", "e": "9999999999", "n": "x", "s": "y"},
               __import__("datetime").datetime.now())


def test_a_folder_as_the_config_path_and_an_unwritable_store(tmp_path, env):
    with pytest.raises(ConfigError, match="got a folder"):
        load(tmp_path)
    (tmp_path / "data").write_text("a file where a folder should be")
    d = example_dict()
    d["store"]["path"] = str(tmp_path / "data" / "escucha.db")
    with pytest.raises(ConfigError, match="store.path: .* cannot be written .*is a file, not a folder"):
        parse(d, env=env)
    d["store"]["path"] = str(tmp_path)
    with pytest.raises(ConfigError, match="it is a folder"):
        parse(d, env=env)


def test_config_check_names_the_problem_without_a_traceback(tmp_path, env):
    bad = tmp_path / "escucha.toml"
    text = (__import__("tests.conftest", fromlist=["EXAMPLE"]).EXAMPLE.read_text(encoding="utf-8")
            .replace("ttl_hours = 24", "ttl_hours = inf"))
    bad.write_text(text, encoding="utf-8")
    cli = str(__import__("pathlib").Path(sys.executable).parent / "escucha")
    out = subprocess.run([cli, "config", "check", str(bad)], capture_output=True, text=True)
    assert out.returncode == 2 and "links.ttl_hours" in out.stderr and "Traceback" not in out.stderr


# Property: any value of any type at any key of the example gives a Config or a ConfigError.
def _paths(d, prefix=()):
    if isinstance(d, dict):
        for k, v in d.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield prefix + (i,)
            yield from _paths(v, prefix + (i,))


PATHS = list(_paths(example_dict()))
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                 st.text(max_size=12), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=JUNK, drop=st.booleans())
def test_any_broken_value_gives_a_config_or_a_clear_error(env, path, value, drop):
    d = copy.deepcopy(example_dict())
    if drop:
        _del(d, path)
    else:
        _set(d, path, None if value is None else value)
    try:
        parse(d, env=env)
    except ConfigError as err:
        assert all(isinstance(p, str) and ":" in p for p in err.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from([p for p in PATHS if isinstance(p[-1], str)]), typo=st.integers(0, 3))
def test_a_misspelt_key_is_refused_with_a_suggestion(env, path, typo):
    d = copy.deepcopy(example_dict())
    *head, key = path
    table = d
    for k in head:
        table = table[k]
    bad = key[:-1] if typo == 0 and len(key) > 3 else key + "s" if typo == 1 else key[0] + key if typo == 2 \
        else key.replace("_", "")
    if bad == key or bad in table:
        return
    table[bad] = table.pop(key)
    with pytest.raises(ConfigError) as err:
        parse(d, env=env)
    assert any(bad in p and "unknown key" in p for p in err.value.problems)
