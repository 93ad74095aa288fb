"""docker-compose.yml is valid and .env.example names every variable the stack needs."""
import os
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


def _config(tmp_path) -> dict:
    """`docker compose config` as an operator's first `up` would see it: .env from .env.example."""
    import yaml

    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    r = subprocess.run([*_compose(), "config"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return yaml.safe_load(r.stdout)


def _ours(cfg) -> dict:
    return {name: s for name, s in cfg["services"].items() if s.get("image") == "escucha:latest"}


def _mounts(service) -> dict:
    """target -> (kind, read_only), from the long form (compose v2) or the short one (v1)."""
    out = {}
    for v in service.get("volumes", []):
        if isinstance(v, dict):
            out[v["target"]] = (v["type"], bool(v.get("read_only")))
        else:
            source, target, *mode = v.split(":")
            out[target] = ("bind" if "/" in source or source.startswith(".") else "volume", mode == ["ro"])
    return out


NEEDS_COMPOSE = pytest.mark.skipif(_compose() is None, reason="no docker compose client on this machine")


@NEEDS_COMPOSE
def test_the_store_volume_is_writable_by_the_runtime_user(tmp_path):
    dockerfile = (ROOT / "Dockerfile").read_text()
    # The image makes /data and gives it to the runtime user (airflow, uid 50000): a named
    # volume mounted there is initialised from the image, owner included.
    assert re.search(r"mkdir -p /data\b", dockerfile) and re.search(r"chown airflow(:\w+)? /data\b", dockerfile)
    assert "ESCUCHA_DATA_DIR=/data" in dockerfile.replace(" ", "")
    cfg = _config(tmp_path)
    for name, s in _ours(cfg).items():
        assert str(s.get("user", "")).split(":")[0] == "50000", name
        mounts = _mounts(s)
        assert mounts.get("/data") == ("volume", False), (name, mounts)
        assert s["environment"]["ESCUCHA_DATA_DIR"] == "/data", name
        assert mounts.get("/opt/escucha/config") == ("bind", True), (name, mounts)


def test_a_relative_store_path_lands_in_the_data_dir(tmp_path, env, monkeypatch):
    from escucha.config import parse

    from .conftest import example_dict

    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("ESCUCHA_DATA_DIR", str(data))
    cfg = parse(example_dict(), "config/escucha.toml", env=os.environ, base_dir=tmp_path / "read-only-config")
    assert cfg.store_path == str(data / "escucha.db")


@NEEDS_COMPOSE
def test_the_stack_waits_for_its_init_job_and_starts_its_dags(tmp_path):
    cfg = _config(tmp_path)
    init = cfg["services"]["airflow-init"]
    assert init["entrypoint"] == ["/opt/escucha/deploy/init.sh"] or init["entrypoint"] == "/opt/escucha/deploy/init.sh"
    for name, s in _ours(cfg).items():
        assert s["environment"]["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "False", name
        if name in ("airflow-init", "dashboards-init"):
            continue
        assert s["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully", name
    script = (ROOT / "deploy" / "init.sh").read_text()
    for step in ("airflow db migrate", '--username "$AIRFLOW_ADMIN_USER"', '--password "$AIRFLOW_ADMIN_PASSWORD"',
                 "escucha store init-state", 'escucha config check "$ESCUCHA_CONFIG"', "set -euo pipefail"):
        assert step in script, step
    env = (ROOT / ".env.example").read_text()
    assert re.search(r"^AIRFLOW_ADMIN_USER=\S", env, re.M) and re.search(r"^AIRFLOW_ADMIN_PASSWORD=\S", env, re.M)


def test_the_init_job_refuses_to_start_without_a_configuration(tmp_path):
    r = subprocess.run(["bash", str(ROOT / "deploy" / "init.sh")], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, ESCUCHA_CONFIG=str(tmp_path / "config" / "escucha.toml")))
    assert r.returncode == 2 and "not found: cp escucha.example.toml config/escucha.toml" in r.stderr


@NEEDS_COMPOSE
def test_every_image_is_pinned_by_version(tmp_path):
    for name, s in _config(tmp_path)["services"].items():
        image = s["image"]
        if image == "escucha:latest":  # built here from the Dockerfile, itself pinned
            continue
        tag = image.rsplit(":", 1)[1] if ":" in image else "latest"
        assert re.fullmatch(r"v?\d+\.\d+(\.\d+)?", tag), f"{name}: {image} is not pinned to a version"
    base = re.search(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(), re.M).group(1)
    assert re.search(r":\d+\.\d+\.\d+", base), base


@NEEDS_COMPOSE
def test_the_build_context_leaves_secrets_and_stores_out(tmp_path):
    # Docker's own filter (docker-py's exclude_paths, what the compose client sends as the
    # build context), over a tree with what an operator's checkout holds.
    tree = tmp_path / "ctx"
    files = [".env", ".env.production", ".env.example", "config/escucha.toml", "escucha.db", "escucha.db-wal",
             "escucha-demo/escucha.db", "escucha/__pycache__/cli.cpython-311.pyc", "escucha/cli.py",
             "dags/collect.py", "deploy/init.sh", "reports/informe.pdf", ".git/config", "constraints.txt"]
    for f in files:
        (tree / f).parent.mkdir(parents=True, exist_ok=True)
        (tree / f).write_text("x")
    shutil.copy(ROOT / ".dockerignore", tree)
    script = ("import sys, json; from docker.utils.build import exclude_paths; "
              "pats = [l.strip() for l in open(sys.argv[1] + '/.dockerignore') if l.strip() and not l.startswith('#')]; "
              "print(json.dumps(sorted(exclude_paths(sys.argv[1], pats))))")
    r = subprocess.run(["/usr/bin/python3", "-c", script, str(tree)], capture_output=True, text=True)
    if r.returncode != 0 and "No module named 'docker'" in r.stderr:
        pytest.skip("docker-py (the compose client's build library) is not importable")
    assert r.returncode == 0, r.stderr
    import json

    sent = set(json.loads(r.stdout))
    assert {"escucha/cli.py", "dags/collect.py", "deploy/init.sh", ".env.example", "constraints.txt"} <= sent
    leaked = sent & {".env", ".env.production", "config/escucha.toml", "escucha.db", "escucha.db-wal",
                     "escucha-demo/escucha.db", "escucha/__pycache__/cli.cpython-311.pyc", "reports/informe.pdf",
                     ".git/config"}
    assert not leaked, leaked


@NEEDS_COMPOSE
@pytest.mark.parametrize("status,healthy", [(200, True), (401, True), (503, False), (None, False)])
def test_the_dashboards_health_check_works_with_and_without_the_security_plugin(tmp_path, status, healthy):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from replay.mailbox import free_port

    class Status(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b'{"status":{"overall":{"state":"green"}}}')

        def log_message(self, *a):
            pass

    test = _config(tmp_path)["services"]["opensearch-dashboards"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    port = free_port()
    server = None
    if status is not None:  # None: nothing listens (the server is still starting)
        server = ThreadingHTTPServer(("127.0.0.1", port), Status)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cmd = test[1].replace("$$", "$").replace("localhost:5601", f"127.0.0.1:{port}")
        r = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=30)
    finally:
        if server:
            server.shutdown()
    assert (r.returncode == 0) == healthy, (status, cmd, r.stderr)
