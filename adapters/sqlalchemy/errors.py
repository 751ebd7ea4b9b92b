"""Driver errors end here: the domain only ever sees its own errors."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import exc

from domain.errors import DomainError, InvalidItem, StorageUnavailable


def translate(error: Exception) -> DomainError:
    if isinstance(error, exc.IntegrityError | exc.DataError):
        # The domain checks every rule first; reaching here means the schema and the
        # domain disagree, which is still the client's data and not an outage.
        return InvalidItem("item", "rejected by the store")
    return StorageUnavailable(f"storage unavailable: {type(error).__name__}")


# What a failing or overloaded store raises: driver errors, pool time-outs, lost sockets.
STORE_ERRORS = (exc.SQLAlchemyError, OSError, TimeoutError)


@asynccontextmanager
async def translated_errors() -> AsyncIterator[None]:
    try:
        yield
    except STORE_ERRORS as error:
        raise translate(error) from error
