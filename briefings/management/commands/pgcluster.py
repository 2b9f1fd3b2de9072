"""Run a command against the project's private PostgreSQL cluster.

With DATABASE_URL set, the command simply runs against that server. Otherwise the cluster under
var/postgres/ is created on first use, started if it is not running, and stopped again afterwards
if this invocation started it, so `make run` and `make test` can share one cluster.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
SERVER_USER = "postgres"  # PostgreSQL refuses to run as root; Debian creates this user.
DEBIAN_SERVER_ROOT = Path("/usr/lib/postgresql")


def find_server_bindir() -> Path:
    candidates = [os.environ.get("PG_BINDIR", "")]
    if found := shutil.which("pg_ctl"):
        candidates.append(str(Path(found).resolve().parent))
    candidates += sorted(map(str, DEBIAN_SERVER_ROOT.glob("*/bin")), reverse=True)
    for candidate in filter(None, candidates):
        if all((Path(candidate) / name).exists() for name in SERVER_BINARIES):
            return Path(candidate)
    raise CommandError(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them, for example on "
        "Debian or Ubuntu with `apt-get install postgresql`, or set DATABASE_URL to an existing server."
    )


def server_user_can_reach(path: Path) -> bool:
    if os.geteuid() != 0:
        return True
    probe = ["runuser", "-u", SERVER_USER, "--", "test", "-x", str(path)]
    return subprocess.run(probe, capture_output=True).returncode == 0


def prepare_root(root: Path) -> Path:
    """Return the real folder for the cluster, behind var/postgres.

    The server user must be able to reach its data, and a socket path must stay under the
    kernel's ~100-byte limit; when the project folder allows neither, the cluster lives in a
    private folder under /tmp and var/postgres links to it.
    """
    if root.is_symlink() and not root.exists():
        root.unlink()  # its folder under /tmp was cleaned away
    if root.exists():
        return root.resolve()
    root.parent.mkdir(parents=True, exist_ok=True)
    socket_path_length = len(str(root / "socket" / ".s.PGSQL.5432"))
    if server_user_can_reach(root.parent) and socket_path_length < 100:
        root.mkdir()
        return root
    hidden = Path(tempfile.mkdtemp(prefix="briefings-pg-"))
    hidden.chmod(0o755)
    root.symlink_to(hidden, target_is_directory=True)
    return hidden


class Cluster:
    def __init__(self, root: Path, bindir: Path):
        self.root = root
        self.data = root / "data"
        self.socket = root / "socket"
        self.log = root / "server.log"
        self.bindir = bindir
        self.as_root = os.geteuid() == 0

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def is_running(self) -> bool:
        if not (self.data / "PG_VERSION").exists():
            return False
        return self.run("pg_ctl", "status", "-D", str(self.data), check=False).returncode == 0

    def create(self) -> None:
        self.socket.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            shutil.chown(self.root, SERVER_USER)
            shutil.chown(self.socket, SERVER_USER)
        result = self.run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "briefings",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"initdb failed in {self.data}:\n{result.stderr.strip()}")

    def start(self) -> None:
        options = f"-c listen_addresses='' -c unix_socket_directories='{self.socket}' -c fsync=off"
        result = self.run(
            "pg_ctl",
            "start",
            "-w",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"PostgreSQL did not start; see {self.log}.\n{result.stderr.strip()}")

    def stop(self) -> None:
        self.run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data), check=False)

    def ensure_database(self) -> None:
        psql = [str(self.bindir / "psql"), "-h", str(self.socket), "-U", "briefings", "-d", "postgres"]
        exists = subprocess.run(
            [*psql, "-tAc", "SELECT 1 FROM pg_database WHERE datname = 'briefings'"],
            capture_output=True,
            text=True,
            check=True,
        )
        if exists.stdout.strip() != "1":
            subprocess.run([*psql, "-qc", "CREATE DATABASE briefings"], check=True)


class Command(BaseCommand):
    help = "Run a command with the project's database available, starting a private cluster if needed."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run", "start", "stop", "status"])
        parser.add_argument("command", nargs="*", help="with `run`: the command to execute")

    def handle(self, *args, action, command, **options):
        if os.environ.get("DATABASE_URL"):
            if action == "run":
                sys.exit(subprocess.call(command))
            self.stdout.write("DATABASE_URL is set: the private cluster is not used.")
            return
        root = prepare_root(Path(settings.DATABASES["default"]["HOST"]).parent)
        cluster = Cluster(root, find_server_bindir())
        if action == "status":
            self.stdout.write("running" if cluster.is_running() else "stopped")
        elif action == "stop":
            cluster.stop()
        elif action == "start":
            self.start(cluster)
        else:
            self.run_with_cluster(cluster, command)

    def start(self, cluster: Cluster) -> bool:
        """Start the cluster; return whether this call started it."""
        if cluster.is_running():
            return False
        if not (cluster.data / "PG_VERSION").exists():
            self.stderr.write(f"Creating a private PostgreSQL cluster in {cluster.root} …")
            cluster.create()
        cluster.start()
        cluster.ensure_database()
        return True

    def run_with_cluster(self, cluster: Cluster, command: list[str]) -> None:
        if not command:
            raise CommandError("Give the command to run, after `--`.")
        started_here = self.start(cluster)
        try:
            returncode = run_forwarding_signals(command)
        finally:
            if started_here:
                cluster.stop()
        sys.exit(returncode)


def run_forwarding_signals(command: list[str]) -> int:
    """Run the command to its end. Ctrl-C reaches it through the terminal; a termination signal
    sent to this process is passed on, so the cluster is stopped only after the command exits."""
    child = subprocess.Popen(command)

    def forward(signum, frame):
        child.send_signal(signum)

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
        signal.SIGTERM: signal.signal(signal.SIGTERM, forward),
        signal.SIGHUP: signal.signal(signal.SIGHUP, forward),
    }
    try:
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
