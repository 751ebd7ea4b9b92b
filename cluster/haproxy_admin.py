"""HAProxy's runtime API over its stats socket: which replicas are up, and taking one out of rotation."""

from __future__ import annotations

import csv
import socket
from dataclasses import dataclass
from pathlib import Path

BACKEND = "replicas"


@dataclass(frozen=True, slots=True)
class ServerState:
    status: str  # UP, DOWN, DRAIN, MAINT, or a transition such as "UP 1/2"
    sessions: int  # requests on their way to or from that server now


def ask(stats_socket: Path, command: str) -> str:
    """One command, one answer: the socket closes after each (non-interactive mode)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(5)
        connection.connect(str(stats_socket))
        connection.sendall(f"{command}\n".encode())
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def servers(stats_socket: Path, backend: str = BACKEND) -> dict[str, ServerState]:
    """The backend's servers, from `show stat` (CSV whose header line starts with '# ')."""
    rows = csv.DictReader(ask(stats_socket, "show stat").removeprefix("# ").splitlines())
    return {
        row["svname"]: ServerState(row["status"], int(row["scur"] or 0))
        for row in rows
        if row["pxname"] == backend and row["svname"] not in ("FRONTEND", "BACKEND")
    }


def set_state(stats_socket: Path, server: str, state: str) -> None:
    """ready, drain (no new requests; those under way finish; checks go on) or maint."""
    answer = ask(stats_socket, f"set server {BACKEND}/{server} state {state}").strip()
    if answer:
        raise RuntimeError(f"haproxy refused 'set server {server} state {state}': {answer}")
