"""Log lines: JSON when read by machines, plain text when read by a person at a terminal.

A record's structured fields travel in `extra={"fields": {...}}`; the request id of the request
being served (if any) is added to every record.
"""

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

import orjson

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# (trace id, span id) of the request's server span, set only while tracing is on (tracing.py).
trace_ids: ContextVar[tuple[str, str] | None] = ContextVar("trace_ids", default=None)

# Records carry these anyway; everything else a caller passes with `extra` is a field.
_FIELDS = "fields"
_OURS = "_items_handler"


_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    # Stamped when the record is made, inside the request, wherever it is formatted later.
    record = _base_factory(*args, **kwargs)
    record.request_id = request_id.get()
    return record


def _record_with_trace_ids(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _record_with_request_id(*args, **kwargs)
    record.trace_ids = trace_ids.get()
    return record


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = dict(getattr(record, _FIELDS, {}))
    current = getattr(record, "request_id", None)
    if current is not None:
        fields.setdefault("request_id", current)
    ids = getattr(record, "trace_ids", None)
    if ids is not None:
        fields.setdefault("trace_id", ids[0])
        fields.setdefault("span_id", ids[1])
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = _fields(record)
        if not fields:
            return text
        return text + "  " + " ".join(f"{key}={value}" for key, value in fields.items())


def skip_caller_lookup() -> None:
    """Records stop looking up the file, line and function that logged them (found by walking the stack).

    The logging HOWTO's "Optimization" section names the switch, a private one with no public
    equivalent: `logging._srcfile`. This is its one use; tests/unit/test_private_names.py fails,
    naming this function, the day a Python release removes it or it stops working.
    """
    logging._srcfile = None


def configure_logging(
    level: str,
    log_format: Literal["auto", "json", "text"],
    stream: TextIO = sys.stdout,
    *,
    with_trace_ids: bool = False,
) -> None:
    """Idempotent: the CLI and every server worker call it once they know their settings.

    With with_trace_ids (tracing on), records made inside a traced request carry its trace and span ids;
    without, records are made as before, at no extra cost."""
    # The access line is written on every request. These records' fields are never printed, and
    # computing them (caller frame, thread, process names) is most of a record's cost: the
    # logging HOWTO's "Optimization" section documents switching them off.
    skip_caller_lookup()
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.setLogRecordFactory(_record_with_trace_ids if with_trace_ids else _record_with_request_id)
    as_json = log_format == "json" or (log_format == "auto" and not stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    root = logging.getLogger()
    # Replace only the handler installed here before: a test harness may have its own.
    for old in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(old)
    setattr(handler, _OURS, True)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("_granian", "granian.access"):
        # The server's own handlers would print a second, differently shaped line.
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # The middleware writes the one access line per request.
    logging.getLogger("granian.access").disabled = True
    # Alembic describes its set-up on every run (the migrator's callers say what changed), and
    # watchfiles (serve --reload) every file that changes, the database's own files included.
    for chatty in ("alembic", "watchfiles"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # SQL statements appear only when SQL_ECHO asks for them (the engine sets its own level then).
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
