"""Core statements compiled once per dialect, for running on the driver's own connection.

SQLAlchemy stays the one author of every statement; what it no longer does per call is compile,
cache-key and wrap it: a statement's SQL, its parameter order and the type conversions its
parameters and columns need (SQLite keeps timestamps as text, for one) are worked out here once,
and each call only orders its values and converts those few that need it.

The conversions are the dialect's own bind and result processors, applied to every value as
SQLAlchemy applies them (None too: JSON turns it into JSON null). One thing SQLAlchemy has that this
layer does not is the type code the driver reports with each result; SQLite's driver reports none,
and of PostgreSQL's processors only asyncpg's for Numeric and Float (and types built on them) choose
by it. A statement returning such a column is refused when it is compiled, before anything is
sent, by UnsupportedStatement, which says what to do instead; so is one needing what SQLAlchemy
fills in per execution (_check_runnable).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Column
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement, ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler

Convert = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    sql: str
    parameter_names: tuple[str, ...]
    # (position, conversion) for the parameters and the result columns that need one.
    parameter_conversions: tuple[tuple[int, Convert], ...]
    column_conversions: tuple[tuple[int, Convert], ...]

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        """The parameters' values in the statement's positional order, as the driver takes them."""
        values = [parameters[name] for name in self.parameter_names]
        for position, convert in self.parameter_conversions:
            values[position] = convert(values[position])
        return values

    def row(self, raw: Sequence[Any]) -> Sequence[Any]:
        """A driver row with its columns in Python's types (the driver's row itself when none needs it)."""
        if not self.column_conversions:
            return raw
        values = list(raw)
        for position, convert in self.column_conversions:
            values[position] = convert(values[position])
        return values


class UnsupportedStatement(Exception):
    """A statement this layer cannot run as SQLAlchemy would run it."""


def _result_conversion(column: ColumnElement[Any], dialect: Dialect) -> Convert | None:
    """The dialect's processor for a result column, as it would choose it with no type code from the
    driver (asyncpg's Numeric processor fails without one: it cannot tell NUMERIC from float8)."""
    try:
        return column.type.dialect_impl(dialect).result_processor(dialect, None)
    except Exception as error:
        raise UnsupportedStatement(
            f"{dialect.name}+{dialect.driver} converts a {column.type!r} result column ({column}) by the "
            "type code the driver reports with each result, which statements run on the driver do not "
            "read. Return it as text instead, cast(column, String), and convert that in mapping.py "
            "(Decimal(text) for a Numeric)."
        ) from error


def _check_runnable(compiled: SQLCompiler, names: tuple[str, ...], parameter_names: tuple[str, ...]) -> None:
    """What SQLAlchemy fills in per execution and this layer does not: expanding parameters (IN with
    a list), and values it computes itself (a value written into the statement, a Python-side default)."""
    if compiled.post_compile_params or compiled.literal_execute_params:
        raise UnsupportedStatement(
            "an IN list (or a literal_execute parameter) is rendered into the SQL per call by SQLAlchemy, "
            "which statements run on the driver are not: pass the values as one JSON array parameter "
            "(expressions.in_json_array)"
        )
    if missing := [name for name in names if name not in parameter_names]:
        raise UnsupportedStatement(
            f"the statement needs parameters {missing} that the call does not pass (a value written into "
            "the statement, or a column's Python-side default): name each value with bindparam() and "
            "pass it, or write a constant as literal_column()"
        )


def _conversions(converters: Sequence[Convert | None]) -> tuple[tuple[int, Convert], ...]:
    return tuple((position, convert) for position, convert in enumerate(converters) if convert is not None)


class StatementCompiler:
    """Compiles each (statement, parameter names) pair once for one dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._compiled: dict[tuple[ClauseElement, tuple[str, ...]], CompiledStatement] = {}

    def __call__(self, statement: ClauseElement, parameter_names: tuple[str, ...]) -> CompiledStatement:
        key = (statement, parameter_names)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(statement, parameter_names)
        return compiled

    def json_rows(self, columns: Sequence[Column[Any]], rows: Iterable[Sequence[Any]]) -> str:
        """Rows for `columns` as one JSON array of arrays (expressions.json_array_rows), each value as
        this dialect binds it for its column: SQLite's timestamps as its text, say. What is still no
        JSON value then (asyncpg takes datetimes as they are) goes as RFC 3339 text, which the
        statement casts back."""
        binds = _conversions(
            [column.type.dialect_impl(self.dialect).bind_processor(self.dialect) for column in columns]
        )
        if not binds:
            return orjson.dumps(list(rows)).decode()
        # A batch's rows often share values (new items share their creation time): each converted once.
        done: dict[tuple[int, Any], Any] = {}
        converted = []
        for row in rows:
            values = list(row)
            for position, convert in binds:
                key = (position, values[position])
                if key not in done:
                    done[key] = convert(values[position])
                values[position] = done[key]
            converted.append(values)
        return orjson.dumps(converted).decode()

    def _compile(self, statement: ClauseElement, parameter_names: tuple[str, ...]) -> CompiledStatement:
        dialect = self.dialect
        # The parameter names choose an INSERT's columns and an UPDATE's SET clause.
        compiled = statement.compile(dialect=dialect, column_keys=list(parameter_names))
        assert isinstance(compiled, SQLCompiler) and dialect.positional, "a positional driver"
        names = tuple(compiled.positiontup or ())
        _check_runnable(compiled, names, parameter_names)
        binds = [compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
        columns = getattr(statement, "exported_columns", ())
        results = [_result_conversion(column, dialect) for column in columns]
        return CompiledStatement(compiled.string, names, _conversions(binds), _conversions(results))
