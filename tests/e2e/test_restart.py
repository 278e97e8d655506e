"""`make run` stopped with Ctrl-C starts again at once, while the connections it served wait out
TIME_WAIT; a port another process listens on is still refused."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

TIME_WAIT = "06"  # the state's code in /proc/net/tcp


def free_ports() -> dict[str, str]:
    sockets = [socket.socket() for _ in range(3)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return {
            name: str(s.getsockname()[1]) for name, s in zip(("PORT", "S3_PORT", "BEDROCK_PORT"), sockets, strict=True)
        }
    finally:
        for s in sockets:
            s.close()


def start(ports: dict[str, str], output: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **ports, "POWERTOOLS_LOG_LEVEL": "WARNING"}
    with output.open("w") as sink:
        return subprocess.Popen([sys.executable, "-m", "offline"], env=env, stdout=sink, stderr=subprocess.STDOUT)


def wait_healthy(process: subprocess.Popen[bytes], url: str, output: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, output.read_text()
        try:
            if requests.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    raise AssertionError("the service did not answer /health in time")


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=30)


def sockets_in_time_wait(port: int) -> int:
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == TIME_WAIT:
                count += 1
    return count


def test_a_restart_right_after_serving_requests_answers_at_once(tmp_path):
    ports = free_ports()
    url = f"http://127.0.0.1:{ports['PORT']}"
    first = start(ports, tmp_path / "first.txt")
    try:
        wait_healthy(first, url, tmp_path / "first.txt")
        for _ in range(3):  # answers after which the server closes first: its side waits in TIME_WAIT
            requests.get(f"{url}/health", headers={"Connection": "close"}, timeout=10)
        session = requests.Session()  # and a keep-alive connection still open at Ctrl-C
        session.get(f"{url}/health", timeout=10)
    finally:
        assert stop(first) == 0
    assert sockets_in_time_wait(int(ports["PORT"])) > 0  # the situation that used to refuse a restart

    started = time.monotonic()
    second = start(ports, tmp_path / "second.txt")
    try:
        wait_healthy(second, url, tmp_path / "second.txt", timeout=60)
        # Starting takes about 3 s on an idle machine; a refusal would have exited at once.
        assert time.monotonic() - started < 30
    finally:
        assert stop(second) == 0
    session.close()


def test_a_port_another_process_listens_on_is_refused(tmp_path):
    ports = free_ports()
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        holder.bind(("127.0.0.1", int(ports["S3_PORT"])))
        holder.listen()
        refused = subprocess.run(
            [sys.executable, "-m", "offline"], env={**os.environ, **ports}, capture_output=True, text=True, timeout=60
        )
    assert refused.returncode == 1
    assert f"Ports in use: S3_PORT={ports['S3_PORT']}. Is another instance running?" in refused.stderr
