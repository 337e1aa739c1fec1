"""A throwaway Postgres 15 server for the durable tests and benchmarks: its own data directory
and socket in a temporary directory, on 127.0.0.1 and a free port, run as an unprivileged
user (Postgres refuses to run as root; as root, ``runuser -u nobody`` runs it)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(os.environ.get("REVERIE_PG_BIN", "/usr/lib/postgresql/15/bin"))
USER = "nobody"


def available() -> bool:
    return (BIN / "initdb").exists() and (os.geteuid() != 0 or shutil.which("runuser") is not None)


def _as_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", USER, "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def postgres() -> Iterator[str]:
    """Start a server, yield the URL of a database for DBOS on it, stop and delete it after."""
    root = Path(tempfile.mkdtemp(prefix="reverie-pg-"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, USER)
        shutil.chown(data, USER)
    os.chmod(root, 0o700)
    env = {**os.environ, "LC_ALL": "C", "HOME": str(root)}
    subprocess.run(
        _as_user(
            [
                str(BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
        env=env,
        cwd=root,
    )
    port = _free_port()
    server = subprocess.Popen(
        _as_user(
            [
                str(BIN / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(root),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=root,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            ready = subprocess.run(
                [str(BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"],
                capture_output=True,
            )
            if ready.returncode == 0:
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"postgres did not start: {server.stderr.read() if server.stderr else ''}"
                )
            time.sleep(0.1)
        yield f"postgresql://postgres@127.0.0.1:{port}/reverie_dbos"
    finally:
        # An immediate shutdown (the data is thrown away), through pg_ctl: runuser does not
        # pass every signal on to the server.
        subprocess.run(
            _as_user([str(BIN / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate"]),
            capture_output=True,
            env=env,
            cwd=root,
            timeout=30,
        )
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(root, ignore_errors=True)
