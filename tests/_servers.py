"""What the test servers (Radicale, Xandikos) share: a free loopback port, waiting until the
server answers, and stopping it."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import requests

HOST = "127.0.0.1"
START_TIMEOUT = 60  # seconds for a server to answer after it was started
STOP_TIMEOUT = 15  # seconds for a server to exit after SIGTERM, before it is killed


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_answering(
    name: str, url: str, process: subprocess.Popen[bytes], log_path: Path, method: str
) -> None:
    """Ask ``url`` with ``method`` until the server answers; its log in the error otherwise."""
    deadline = time.monotonic() + START_TIMEOUT
    headers = {"Depth": "0"} if method == "PROPFIND" else {}
    with requests.Session() as probe:
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited ({process.returncode}) before it answered:\n"
                    + log_path.read_text("utf-8", "replace")
                )
            try:
                probe.request(method, url, headers=headers, timeout=2)
                return
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{name} did not answer on {url} within {START_TIMEOUT} s:\n"
                        + log_path.read_text("utf-8", "replace")
                    ) from None
                time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
