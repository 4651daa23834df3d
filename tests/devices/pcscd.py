"""A private pcscd with vsmartcard's virtual reader, started and stopped by the tests.

pcscd 1.9 always serves /run/pcscd/pcscd.comm (it ignores PCSCLITE_CSOCK_NAME; only the client library reads
it), so each daemon runs in its own mount namespace with a temporary directory bound over /run/pcscd, and
clients find it through PCSCLITE_CSOCK_NAME. vpcd's TCP port comes from a private reader.conf.d, so daemons of
parallel test sessions do not collide. Where namespaces are forbidden (a container without CAP_SYS_ADMIN), the
daemon takes the system socket under a file lock, one test session at a time.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")


class PcscDaemon:
    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="madoguchi-pcscd-"))
        self.port = _free_port_pair()
        self.socket_path = self.directory / "run" / "pcscd.comm"
        self.log_path = self.directory / "pcscd.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._lock: TextIO | None = None

    @staticmethod
    def missing() -> str | None:
        """Why this machine cannot run the daemon, or None."""
        for tool in ("pcscd", "unshare", "mount"):
            if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
                return f"{tool} is not installed (make pcsc installs pcscd and vsmartcard-vpcd)"
        if not VPCD_DRIVER.exists():
            return "vsmartcard-vpcd is not installed (make pcsc)"
        return None

    @property
    def env(self) -> dict[str, str]:
        """Environment for a client process (pyscard/libpcsclite) to reach this daemon."""
        return {"PCSCLITE_CSOCK_NAME": str(self.socket_path)}

    def start(self) -> PcscDaemon:
        conf = self.directory / "reader.conf.d"
        conf.mkdir()
        (self.directory / "run").mkdir()
        (conf / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\n'
            f"DEVICENAME   /dev/null:0x{self.port:04X}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    0x{self.port:04X}\n"
        )
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        if _private_mounts_allowed():
            script = f'mkdir -p /run/pcscd && mount --bind "$1" /run/pcscd && exec {pcscd} --foreground -c "$2"'
            command = ["unshare", "--mount", "--propagation", "private"]
            if os.geteuid() != 0:
                command.append("--map-root-user")
            command += ["sh", "-c", script, "sh", str(self.directory / "run"), str(conf)]
        else:
            # A container without CAP_SYS_ADMIN: the one system socket, taken by one test session at a time.
            self._lock = (Path(tempfile.gettempdir()) / "madoguchi-pcscd.lock").open("w")
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            self.socket_path = Path("/run/pcscd/pcscd.comm")
            command = [pcscd, "--foreground", "-c", str(conf)]
        self._process = subprocess.Popen(
            command, stdout=self.log_path.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_until_ready()
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=5)
            self._process = None
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None
        shutil.rmtree(self.directory, ignore_errors=True)

    def _readers(self) -> list[str]:
        """Reader names, asked in a child process so this one's libpcsclite state is left alone."""
        probe = subprocess.run(
            [sys.executable, "-c", "from smartcard.System import readers; print([str(r) for r in readers()])"],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=10,
        )
        return ["Virtual PCD"] if probe.returncode == 0 and "Virtual PCD" in probe.stdout else []

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"pcscd exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            if self.socket_path.exists() and self._readers():
                return
            time.sleep(0.05)
        raise RuntimeError(f"pcscd did not start: {self.log_path.read_text(errors='replace')[-2000:]}")


def _private_mounts_allowed() -> bool:
    """unshare works for root, or for users when the kernel allows user namespaces; containers may forbid it."""
    flags = [] if os.geteuid() == 0 else ["--map-root-user"]
    probe = subprocess.run(["unshare", "--mount", *flags, "true"], capture_output=True, timeout=10)
    return probe.returncode == 0


def _free_port_pair() -> int:
    """vpcd listens on the configured port for its first reader and the next one for its second."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
        if port >= 0xFFFF:
            continue
        with socket.socket() as second:
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return int(port)
    raise RuntimeError("no free pair of ports for vpcd")
