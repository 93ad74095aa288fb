"""A real PostgreSQL server on loopback from Debian's binaries, for the tests and the
smoke run. PostgreSQL refuses to run as root: as root it runs as the postgres user, in a
folder that user can reach (pytest's temporary folders are private to root)."""
from __future__ import annotations

import getpass
import glob
import shutil
import subprocess
import tempfile
from pathlib import Path


def initdb() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else None


def start(port: int) -> tuple[str, Path]:
    """(superuser URL, base folder) of a fresh server on ``port``."""
    bindir = Path(initdb()).parent
    base = Path(tempfile.mkdtemp(prefix="escucha-pg-"))
    base.chmod(0o755)
    data = base / "data"
    as_user = _as_user()
    if as_user:
        shutil.chown(base, "postgres")
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "pg.log"), "-w", "-o",
                    f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                    "start"], check=True, capture_output=True)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", base


def stop(base: Path) -> None:
    bindir = Path(initdb()).parent
    subprocess.run([*_as_user(), str(bindir / "pg_ctl"), "-D", str(base / "data"), "-m", "fast", "stop"],
                   capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


def _as_user() -> list[str]:
    return [] if getpass.getuser() != "root" else ["runuser", "-u", "postgres", "--"]
