"""The NATS JetStream server the relay tests publish to, and what a stream holds."""

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import nats
import nats.errors
import nats.js.errors
import pytest

from adapters.jetstream import POSITION_HEADER, JetStreamTarget

NATS_URL = os.environ.get("TEST_NATS_URL", "nats://127.0.0.1:4222")


@dataclass(frozen=True, slots=True)
class BrokerMessage:
    subject: str
    deduplication_id: str
    position: tuple[int, int]
    body: dict[str, Any]

    @property
    def item_version(self) -> tuple[int, int]:
        return self.body["item_id"], self.body["version"]


async def require_broker() -> None:
    """Fail under CI=true, skip elsewhere, when the broker is not there."""
    try:
        connection = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
        await connection.jetstream().account_info()
        await connection.close()
    except (nats.errors.Error, OSError, TimeoutError) as error:
        reason = f"NATS JetStream unreachable at {NATS_URL}: {error!r}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true requires it)")
        pytest.skip(reason)


@asynccontextmanager
async def own_stream(publish_timeout: float = 2.0) -> AsyncIterator[JetStreamTarget]:
    """A stream name and subjects of the test's own (the relay creates the stream); deleted after."""
    label = uuid.uuid4().hex[:12]
    target = JetStreamTarget(NATS_URL, f"TEST_{label}", f"test_{label}.changes", 600.0, publish_timeout)
    try:
        yield target
    finally:
        connection = await nats.connect(NATS_URL, connect_timeout=2)
        try:
            await connection.jetstream().delete_stream(target.stream)
        except nats.js.errors.NotFoundError:
            pass
        finally:
            await connection.close()


async def stream_size(target: JetStreamTarget) -> int:
    """How many messages the stream holds (0 before the relay has created it)."""
    connection = await nats.connect(NATS_URL, connect_timeout=2)
    try:
        try:
            return int((await connection.jetstream().stream_info(target.stream)).state.messages)
        except nats.js.errors.NotFoundError:
            return 0
    finally:
        await connection.close()


async def stream_messages(target: JetStreamTarget) -> list[BrokerMessage]:
    """Every message the stream holds, in its order (empty if the relay has not created it yet)."""
    connection = await nats.connect(NATS_URL, connect_timeout=2)
    try:
        jetstream = connection.jetstream()
        try:
            state = (await jetstream.stream_info(target.stream)).state
        except nats.js.errors.NotFoundError:
            return []
        found: list[BrokerMessage] = []
        if not state.messages:
            return found
        for sequence in range(state.first_seq, state.last_seq + 1):
            raw = await jetstream.get_msg(target.stream, sequence)
            headers = raw.headers or {}
            transaction, _, position = headers[POSITION_HEADER].partition(".")
            found.append(
                BrokerMessage(
                    raw.subject or "",
                    headers["Nats-Msg-Id"],
                    (int(transaction), int(position)),
                    json.loads(raw.data or b"{}"),
                )
            )
        return found
    finally:
        await connection.close()
