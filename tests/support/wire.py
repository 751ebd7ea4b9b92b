"""HTTP/1.1 spoken by hand over a raw socket: what a hostile or unusual client sends, byte for byte."""

from __future__ import annotations

import socket
from dataclasses import dataclass

# Every read waits at most this long: a test that gets no answer fails instead of hanging.
READ_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def is_problem(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/problem+json")


class Connection:
    """One TCP connection to the service; answers are read in order, so pipelining works."""

    def __init__(self, port: int) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT_SECONDS)
        # Each send leaves as its own segment(s), so a request split in pieces arrives in pieces.
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.socket.close()

    def send(self, data: bytes) -> None:
        self.socket.sendall(data)

    def _fill(self) -> bool:
        try:
            chunk = self.socket.recv(65536)
        except ConnectionResetError:
            chunk = b""
        self._buffer += chunk
        return bool(chunk)

    def _line(self) -> bytes:
        while b"\r\n" not in self._buffer:
            if not self._fill():
                raise ConnectionError(f"closed before a full line; got {self._buffer!r}")
        line, self._buffer = self._buffer.split(b"\r\n", 1)
        return line

    def _exactly(self, size: int) -> bytes:
        while len(self._buffer) < size:
            if not self._fill():
                raise ConnectionError(f"closed {size - len(self._buffer)} bytes before the body's end")
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def answer(self, *, to_head: bool = False) -> Answer:
        """The next answer; the body read by Content-Length or chunks (none for a HEAD or a 1xx)."""
        status = int(self._line().split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while line := self._line():
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if to_head or 100 <= status < 200 or status in (204, 304):
            return Answer(status, headers, b"")
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return Answer(status, headers, self._chunks())
        return Answer(status, headers, self._exactly(int(headers.get("content-length", "0"))))

    def _chunks(self) -> bytes:
        body = b""
        while size := int(self._line().split(b";")[0], 16):
            body += self._exactly(size)
            self._exactly(2)
        while self._line():  # trailers
            pass
        return body

    def closed_by_server(self) -> bool:
        """True once the server has closed its side: a read finds the end of the stream."""
        while self._fill():
            pass
        return True

    def unread(self) -> bytes:
        return self._buffer


def request(method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    """The bytes of one request; Content-Length is added for a body unless a framing header is given."""
    fields = {"Host": "127.0.0.1", **(headers or {})}
    framed = {name.lower() for name in fields} & {"content-length", "transfer-encoding"}
    if body and not framed:
        fields["Content-Length"] = str(len(body))
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    return head.encode("latin-1") + b"\r\n" + body
