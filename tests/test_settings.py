"""The settings table (escucha/settings.py) is the one description of the settings: the
example configuration, the README's table, the unknown-key check, the dataclasses'
defaults and `escucha config show --defaults` all agree with it."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from escucha import settings
from escucha.config import Detection, Thresholds
from escucha.config_keys import KEYS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "escucha.example.toml"


def _example_keys() -> set[str]:
    """section.key for every key the example sets or shows commented out."""
    found, section = set(), ""
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^#?\s*\[{1,2}([\w.]+)\]{1,2}\s*$", line):
            section = m.group(1)
        elif m := re.match(r"^#?\s*(\w+)\s*=", line):
            found.add(f"{section}.{m.group(1)}")
    return found


def test_the_example_shows_every_setting():
    missing = [s.key for s in settings.SETTINGS if s.key not in _example_keys()]
    assert missing == [], "add them to escucha.example.toml (commented out where optional)"


def test_every_single_valued_setting_the_example_sets_is_in_the_table():
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    sections = {s.section for s in settings.SETTINGS}
    stray = [f"{sec}.{k}" for sec in sections for k, v in data.get(sec, {}).items()
             if not (isinstance(v, list) and v and isinstance(v[0], dict)) and not isinstance(v, dict)
             and f"{sec}.{k}" not in settings.BY_KEY]
    assert stray == []


def test_the_readme_table_is_the_generated_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- settings:begin -->\n(.*?)\n<!-- settings:end -->", readme, re.S)
    assert block, "the README lost its settings markers"
    assert block.group(1) == settings.markdown(), "regenerate: python -c 'from escucha import settings; " \
                                                  "print(settings.markdown())'"


def test_the_dataclasses_take_their_defaults_from_the_table():
    for cls, section in ((Thresholds, "thresholds"), (Detection, "detection")):
        assert set(cls.__dataclass_fields__) == {s.name for s in settings.section(section)}
        for s in settings.section(section):
            assert getattr(cls(), s.name) == s.default


def test_the_unknown_key_check_knows_every_setting():
    for s in settings.SETTINGS:
        if s.section in ("thresholds", "detection"):
            continue  # these two sections' keys come from the table itself (escucha.config)
        assert s.name in KEYS[s.section], s.key


def test_every_default_is_allowed_by_its_own_row():
    for s in settings.SETTINGS:
        assert s.default in s.allowed if s.allowed else (s.kind is list or s.accepts(s.default)), s.key


def test_config_show_defaults_is_a_configuration_file():
    r = subprocess.run([sys.executable, "-m", "escucha.cli", "config", "show", "--defaults"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    shown = tomllib.loads(r.stdout)
    for s in settings.SETTINGS:
        assert shown[s.section][s.name] == s.default, s.key
