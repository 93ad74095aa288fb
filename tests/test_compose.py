"""docker-compose.yml is valid and .env.example names every variable the stack needs."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _compose():
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_env_example_names_every_variable():
    env = set(re.findall(r"^([A-Z_0-9]+)=", (ROOT / ".env.example").read_text(), re.M))
    compose = (ROOT / "docker-compose.yml").read_text()
    needed = {v for v in re.findall(r"\$\{([A-Z_0-9]+)", compose)}
    needed |= set(re.findall(r'(?:url_env|token_env|secret_env)\s*=\s*"([A-Z_0-9]+)"',
                             (ROOT / "escucha.example.toml").read_text()))
    assert needed - env == set()


@pytest.mark.skipif(_compose() is None, reason="no docker compose client on this machine")
def test_compose_config_is_valid(tmp_path):
    # As an operator would: a copy of the compose file with .env made from .env.example.
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    r = subprocess.run([*_compose(), "config", "-q"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
