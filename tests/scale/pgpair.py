"""A PostgreSQL primary and a streaming hot standby on loopback, in a temporary folder.

Started by tests/scale/test_replica.py with the server programs of the installed PostgreSQL
(Debian's /usr/lib/postgresql/<version>/bin), never the machine's own cluster, so the test
changes no system configuration. As root the programs run as the `postgres` user (initdb
refuses root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def server_bin() -> Path:
    """The newest installed PostgreSQL server programs; an error if there are none."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts[-3])
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise RuntimeError("PostgreSQL server programs (pg_ctl, initdb) are not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgPair:
    root: Path
    primary_port: int
    replica_port: int

    @property
    def primary(self) -> Path:
        return self.root / "primary"

    @property
    def replica(self) -> Path:
        return self.root / "replica"

    def url(self, port: int, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def run(self, program: str, *args: str) -> str:
        command = [str(server_bin() / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}\n{done.stderr}")
        return done.stdout

    def psql(self, port: int, sql: str, database: str = "postgres") -> str:
        return self.run("psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d",
                        database, "-Atc", sql).strip()  # fmt: skip

    def start(self) -> None:
        self.root.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.run("initdb", "-D", str(self.primary), "-U", "postgres", "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        with (self.primary / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.primary_port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\nwal_level = replica\n"
                "max_wal_senders = 4\nhot_standby = on\nfsync = off\n"
                "synchronous_commit = off\nfull_page_writes = off\n"
            )
        with (self.primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self.run("pg_ctl", "-D", str(self.primary), "-l", str(self.root / "primary.log"),
                 "-w", "start")  # fmt: skip
        self.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U",
                 "postgres", "-D", str(self.replica), "-R", "-X", "stream")  # fmt: skip
        with (self.replica / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self.start_replica()

    def start_replica(self) -> None:
        self.run("pg_ctl", "-D", str(self.replica), "-l", str(self.root / "replica.log"),
                 "-w", "start")  # fmt: skip

    def stop_replica(self) -> None:
        self.run("pg_ctl", "-D", str(self.replica), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        for folder in (self.replica, self.primary):
            if (folder / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError):
                    self.run("pg_ctl", "-D", str(folder), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def wait_replayed(self, database: str, sql: str, expected: str, seconds: float = 30) -> None:
        """Wait until the standby answers `sql` with `expected` (it has replayed a write)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                if self.psql(self.replica_port, sql, database) == expected:
                    return
            except RuntimeError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the standby did not replay: {sql} != {expected}")
            time.sleep(0.2)
