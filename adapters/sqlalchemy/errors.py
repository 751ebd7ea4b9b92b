"""Driver errors end here: the domain only ever sees its own errors."""

from types import TracebackType

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
