"""Core statements compiled once per dialect, for running on the driver's own connection.

SQLAlchemy stays the one author of every statement; what it no longer does per call is compile,
cache-key and wrap it: a statement's SQL, its parameter order and the type conversions its
parameters and columns need (SQLite keeps timestamps as text, for one) are worked out here once,
and each call only orders its values and converts those few that need it.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
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
            if values[position] is not None:
                values[position] = convert(values[position])
        return values

    def row(self, raw: Sequence[Any]) -> Sequence[Any]:
        """A driver row with its columns in Python's types (the driver's row itself when none needs it)."""
        if not self.column_conversions:
            return raw
        values = list(raw)
        for position, convert in self.column_conversions:
            if values[position] is not None:
                values[position] = convert(values[position])
        return values


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

    def _compile(self, statement: ClauseElement, parameter_names: tuple[str, ...]) -> CompiledStatement:
        dialect = self.dialect
        # The parameter names choose an INSERT's columns and an UPDATE's SET clause.
        compiled = statement.compile(dialect=dialect, column_keys=list(parameter_names))
        assert isinstance(compiled, SQLCompiler) and dialect.positional, "a positional driver"
        names = tuple(compiled.positiontup or ())
        binds = [compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
        columns = getattr(statement, "exported_columns", ())
        results = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
        return CompiledStatement(compiled.string, names, _conversions(binds), _conversions(results))
