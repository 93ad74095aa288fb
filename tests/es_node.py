"""Real Elasticsearch nodes for the tests, from Maven Central
(``org.elasticsearch.distribution.integ-test-zip:elasticsearch:VERSION:zip``).

These are Elastic's minimal distributions: the REST layer and the engine, without ILM or
the analysis module (no language analyzers), so they also exercise escucha's fallbacks.
Fetched once with Maven into .cache/elasticsearch/VERSION; each node runs as a child
process with its own configuration and data folders. Elasticsearch refuses to run as
root: as root, the node runs as ``nobody`` from a copy it can read.
"""
from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

VERSIONS = ("7.17.0", "8.19.0")


def fetch(cache: Path, version: str) -> Path | None:
    """The unpacked distribution, or None where Maven or Java is missing or the fetch failed."""
    home = cache / version / f"elasticsearch-{version}"
    if (home / "bin" / "elasticsearch").exists():
        return home
    if not shutil.which("mvn") or not java_home():
        return None
    (cache / version).mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mvn", "-q", "-B", "dependency:copy",
                        f"-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:{version}:zip",
                        f"-DoutputDirectory={cache / version}"], capture_output=True, text=True, timeout=900)
    archive = cache / version / f"elasticsearch-{version}.zip"
    if r.returncode != 0 or not archive.exists():
        return None
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():  # zipfile drops the execute bits: put them back from the archive
            path = Path(z.extract(info, cache / version))
            mode = info.external_attr >> 16
            if mode:
                path.chmod(mode)
    archive.unlink()
    return home


def java_home() -> str | None:
    for candidate in (os.environ.get("ES_JAVA_HOME"), "/usr/lib/jvm/java-17-openjdk-amd64", os.environ.get("JAVA_HOME")):
        if candidate and Path(candidate, "bin", "java").exists():
            return candidate
    java = shutil.which("java")
    return str(Path(os.path.realpath(java)).parent.parent) if java else None


def start(home: Path, http_port: int, transport_port: int):
    """Start one single-node cluster on loopback; returns (process, url, run folder)."""
    run = Path(tempfile.mkdtemp(prefix="escucha-es-"))
    run.chmod(0o755)
    shutil.copytree(home, run / "es", symlinks=True)  # readable by the node's user, whoever owns the cache
    (run / "data").mkdir()
    (run / "logs").mkdir()
    as_user = []
    if getpass.getuser() == "root":
        as_user = ["runuser", "-u", "nobody", "--"]
        subprocess.run(["chown", "-R", "nobody", str(run)], check=True)
    args = ["-Ediscovery.type=single-node", f"-Ehttp.port={http_port}", f"-Etransport.port={transport_port}",
            "-Enetwork.host=127.0.0.1", f"-Epath.data={run / 'data'}", f"-Epath.logs={run / 'logs'}",
            "-Ecluster.routing.allocation.disk.threshold_enabled=false"]
    if not home.name.startswith("elasticsearch-7"):
        args.append("-Expack.security.enabled=false")  # 8.x secures itself by default: a test node on loopback
    settings = [f"ES_JAVA_HOME={java_home() or ''}", "ES_JAVA_OPTS=-Xms384m -Xmx384m",
                f"ES_PATH_CONF={run / 'es' / 'config'}"]
    log = open(run / "node.out", "wb")
    proc = subprocess.Popen([*as_user, "env", "-u", "JAVA_HOME", *settings, str(run / "es" / "bin" / "elasticsearch"),
                             *args], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    url = f"http://127.0.0.1:{http_port}"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Elasticsearch exited: {(run / 'node.out').read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=3):
                return proc, url, run
        except OSError:
            time.sleep(1)
    stop(proc, run)
    raise RuntimeError("Elasticsearch did not answer within 180 s")


def stop(proc, run: Path) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(run, ignore_errors=True)
