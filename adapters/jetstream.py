"""ChangePublisher for NATS JetStream.

Each change goes to `<prefix>.<item id>` (a consumer may follow one item, or all with `<prefix>.>`)
with its deduplication id as `Nats-Msg-Id`: the stream drops a repeat it already holds within its
duplicate window, and a consumer can drop one seen later. JetStream keeps the publishing order,
and the relay publishes in feed order, one confirmed message at a time.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import nats
import nats.errors
import nats.js.errors
from nats.js import JetStreamContext

from domain.errors import BrokerUnavailable
from domain.feed import RecordedChange
from domain.ports import ChangePublisher

BROKER_ERRORS = (nats.errors.Error, OSError, TimeoutError)
# Where the change was in the feed (transaction.sequence), for consumers that check the order.
POSITION_HEADER = "Items-Feed-Position"


@dataclass(frozen=True, slots=True)
class JetStreamTarget:
    url: str
    stream: str
    subject_prefix: str
    # Seconds the stream remembers message ids to drop repeats (JetStream's own default is 120).
    duplicate_window: float
    timeout: float


class JetStreamPublisher(ChangePublisher):
    def __init__(
        self, jetstream: JetStreamContext, target: JetStreamTarget, encode: Callable[[RecordedChange], bytes]
    ) -> None:
        self._jetstream = jetstream
        self._target = target
        self._encode = encode

    async def publish(self, change: RecordedChange) -> bool:
        headers = {
            "Nats-Msg-Id": change.deduplication_id,
            POSITION_HEADER: f"{change.position.transaction}.{change.position.sequence}",
        }
        try:
            ack = await self._jetstream.publish(
                f"{self._target.subject_prefix}.{change.item_id}",
                self._encode(change),
                timeout=self._target.timeout,
                stream=self._target.stream,
                headers=headers,
            )
        except BROKER_ERRORS as error:
            raise BrokerUnavailable(f"JetStream did not confirm: {type(error).__name__}") from error
        return bool(ack.duplicate)


@asynccontextmanager
async def jetstream_publisher(
    target: JetStreamTarget, encode: Callable[[RecordedChange], bytes]
) -> AsyncIterator[JetStreamPublisher]:
    """Connected to the broker, with the stream created if it does not exist yet (an existing one
    is used as the operator configured it)."""
    try:
        # Reconnect forever: a broker restart only delays the relay (publishes fail meanwhile).
        connection = await nats.connect(
            target.url, connect_timeout=target.timeout, max_reconnect_attempts=-1, allow_reconnect=True
        )
    except BROKER_ERRORS as error:
        raise BrokerUnavailable(f"NATS unreachable at {target.url}: {type(error).__name__}") from error
    try:
        jetstream = connection.jetstream(timeout=target.timeout)
        try:
            await jetstream.stream_info(target.stream)
        except nats.js.errors.NotFoundError:
            await jetstream.add_stream(
                name=target.stream,
                subjects=[f"{target.subject_prefix}.>"],
                duplicate_window=target.duplicate_window,
            )
        yield JetStreamPublisher(jetstream, target, encode)
    finally:
        await connection.close()
