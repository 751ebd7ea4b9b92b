"""SQL expressions SQLAlchemy has no portable spelling for, compiled per dialect."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    BindParameter,
    Boolean,
    DateTime,
    Select,
    String,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine


class later_of(FunctionElement[Any]):  # lower case: used like a SQL function
    """The later of two timestamps: GREATEST on PostgreSQL, the two-argument max() on SQLite
    (whose timestamps are text in one fixed format, so the text order is the time order)."""

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(later_of)
def _greatest(element: later_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(later_of, "sqlite")
def _max(element: later_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


class in_json_array(FunctionElement[bool]):  # lower case: used like a SQL function
    """`in_json_array(column, parameter)`: whether the integer column's value is one of the numbers in
    the JSON array the parameter carries (a set of any size in one parameter, one statement for all)."""

    type = Boolean()
    inherit_cache = True


@compiles(in_json_array)
def _json_array_elements(element: in_json_array, compiler: SQLCompiler, **kw: Any) -> str:
    column, array = (compiler.process(clause, **kw) for clause in element.clauses)
    # A semi-join on the column: an index on it answers it (a containment test would scan).
    return f"{column} IN (SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST({array} AS JSON)))"  # noqa: S608


@compiles(in_json_array, "sqlite")
def _json_each(element: in_json_array, compiler: SQLCompiler, **kw: Any) -> str:
    column, array = (compiler.process(clause, **kw) for clause in element.clauses)
    # Both operands are compiled SQL (a column and a bound parameter), never values.
    return f"{column} IN (SELECT value FROM json_each({array}))"  # noqa: S608


class settled_transactions(FunctionElement[int]):  # lower case: used like a SQL function
    """The lowest transaction id the statement's snapshot still sees running: every transaction
    below it has committed or rolled back, so the changes it recorded can no longer change.

    PostgreSQL: the xmin of the statement's own snapshot (pg_current_snapshot uses the active one).
    SQLite runs one writer at a time and records transaction 0 throughout: every change is settled.
    """

    type = BigInteger()
    inherit_cache = True


@compiles(settled_transactions)
def _snapshot_xmin(element: settled_transactions, compiler: SQLCompiler, **kw: Any) -> str:
    return "CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)"


@compiles(settled_transactions, "sqlite")
def _all_settled(element: settled_transactions, compiler: SQLCompiler, **kw: Any) -> str:
    return "9223372036854775807"


def json_array_rows(
    array: BindParameter[str], types: Sequence[TypeEngine[Any]], dialect_name: str
) -> Select[Any]:
    """The rows a JSON array of arrays carries (one inner array per row, one element per column of
    `types`), in the array's order: a whole batch of rows in one parameter, one statement for any
    number of rows. Values arrive as the dialect binds them (compiled.StatementCompiler.json_rows)."""
    if dialect_name == "postgresql":
        rows = (
            func.json_array_elements(cast(array, JSON()))
            .table_valued("value", with_ordinality="position")
            .render_derived()
        )
        fields: list[Any] = []
        for position, type_ in enumerate(types):
            text = rows.c.value.op("->>")(literal_column(str(position)))
            fields.append(text if isinstance(type_, String) else cast(text, type_))
        return select(*fields).order_by(rows.c.position)
    rows = func.json_each(array).table_valued("value", "key")
    fields = [
        func.json_extract(rows.c.value, literal_column(f"'$[{position}]'")) for position in range(len(types))
    ]
    return select(*fields).order_by(rows.c.key)
