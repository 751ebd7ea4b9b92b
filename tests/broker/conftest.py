import os
from collections.abc import AsyncIterator

import pytest

from adapters.jetstream import JetStreamTarget
from tests.support.broker import own_stream, require_broker


@pytest.fixture
async def stream() -> AsyncIterator[JetStreamTarget]:
    """A JetStream stream of this test's own, or a skip (a failure under CI=true) without a broker."""
    await require_broker()
    async with own_stream() as target:
        yield target


@pytest.fixture
def fault_rounds() -> int:
    """How many relays the kill test kills at least (FAULT_ROUNDS, as for the fault tests)."""
    return int(os.environ.get("FAULT_ROUNDS", "3"))
