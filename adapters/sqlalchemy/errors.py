"""Driver errors end here: the domain only ever sees its own errors."""

import sqlite3
from types import TracebackType

import asyncpg
from sqlalchemy import exc

from domain.errors import DomainError, InvalidItem, StorageUnavailable

# What the store says about the data itself: a constraint or a value it refuses.
_DATA_ERRORS = (
    exc.IntegrityError,
    exc.DataError,
    asyncpg.IntegrityConstraintViolationError,
    asyncpg.DataError,
    sqlite3.IntegrityError,
    sqlite3.DataError,
)


def _unencodable(error: Exception) -> bool:
    """asyncpg's error for a value it cannot encode, before anything is sent: a ValueError too."""
    return isinstance(error, asyncpg.InterfaceError) and isinstance(error, ValueError)


def translate(error: Exception) -> DomainError:
    if isinstance(error, _DATA_ERRORS) or _unencodable(error):
        # The domain checks every rule first; reaching here means the schema and the
        # domain disagree, which is still the client's data and not an outage.
        return InvalidItem("item", "rejected by the store")
    return StorageUnavailable(f"storage unavailable: {type(error).__name__}")


# What a failing or overloaded store raises: driver errors (through SQLAlchemy, straight from the
# driver, or from the pool as SQLAlchemy's emulated DBAPI errors), pool time-outs, lost sockets.
STORE_ERRORS = (
    exc.SQLAlchemyError,
    exc.EmulatedDBAPIException,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    # A connection left mid-operation by a failure ("another operation is in progress").
    asyncpg.InternalClientError,
    sqlite3.Error,
    OSError,
    TimeoutError,
)


class translated_errors:  # lower case: used like a function, `with translated_errors():`
    """Raises the domain's error for a store error escaping the block.

    A class, not a generator-based context manager: it wraps every statement, and the
    generator machinery cost more than the translation itself.
    """

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _traceback: TracebackType | None
    ) -> None:
        if isinstance(error, STORE_ERRORS):
            raise translate(error) from error
