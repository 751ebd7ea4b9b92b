"""What `items` exits with, and the one line it prints on stderr when something went wrong."""

from enum import IntEnum

from alembic.util import CommandError
from pydantic import ValidationError

from adapters.sqlalchemy.errors import STORE_ERRORS
from adapters.sqlalchemy.migrator import SchemaNotCurrent
from domain.errors import (
    BrokerUnavailable,
    FeedPositionPruned,
    InvalidInput,
    ItemAlreadyExists,
    ItemNotFound,
    PreconditionFailed,
    StorageUnavailable,
)


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # unexpected; a bug to report
    USAGE = 2  # the command line itself is wrong (the CLI library's own code)
    NOT_FOUND = 3
    INVALID_INPUT = 4
    CONFLICT = 5  # a stale version, or an id already taken
    UNAVAILABLE = 6  # the database cannot be reached; retrying later may work
    SCHEMA_NOT_CURRENT = 7  # run `items migrate upgrade`
    BAD_SETTINGS = 8  # an environment variable or .env entry is invalid
    INTERRUPTED = 130
    OUTPUT_CLOSED = 141  # what read stdout stopped early (`| head`), as SIGPIPE would end a process


class NothingToMigrate(Exception):
    """DATABASE_URL names the in-memory store, which has no schema."""


def _settings_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    name = ".".join(str(part) for part in first["loc"]).upper()
    return f"invalid setting {name}: {first['msg']}"


# The first matching row decides; anything else is unexpected (exit 1).
_CODES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], ExitCode], ...] = (
    (KeyboardInterrupt, ExitCode.INTERRUPTED),
    (ItemNotFound, ExitCode.NOT_FOUND),
    ((InvalidInput, CommandError), ExitCode.INVALID_INPUT),
    ((PreconditionFailed, FeedPositionPruned, ItemAlreadyExists), ExitCode.CONFLICT),
    (SchemaNotCurrent, ExitCode.SCHEMA_NOT_CURRENT),
    # Before the store's errors, which take in every OSError: a broken pipe is stdout's reader gone.
    (BrokenPipeError, ExitCode.OUTPUT_CLOSED),
    ((StorageUnavailable, BrokerUnavailable, *STORE_ERRORS), ExitCode.UNAVAILABLE),
    ((ValidationError, NothingToMigrate), ExitCode.BAD_SETTINGS),
)


def describe(error: BaseException) -> tuple[ExitCode, str]:
    """The exit code and a one-line message for an error; never a traceback."""
    code = next((code for kinds, code in _CODES if isinstance(error, kinds)), ExitCode.FAILURE)
    if code is ExitCode.FAILURE:
        return code, f"unexpected {type(error).__name__}: {error}"
    if isinstance(error, BrokerUnavailable):
        return code, str(error)
    if code is ExitCode.OUTPUT_CLOSED:
        return code, "the output was closed before the end (broken pipe)"
    if code is ExitCode.UNAVAILABLE:
        # Driver messages run to several lines of SQL and links; the kind of failure is enough.
        cause = error.__cause__ if isinstance(error, StorageUnavailable) else error
        return code, f"the database is unavailable ({type(cause or error).__name__}); retry shortly"
    if isinstance(error, ValidationError):
        return code, _settings_problem(error)
    return code, str(error) or code.name.lower()
