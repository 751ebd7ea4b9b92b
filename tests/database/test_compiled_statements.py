"""What the driver-level statements (adapters/sqlalchemy/compiled.py) run and refuse: each column type
either round-trips through the dialect's own bind and result processing or is refused when its
statement is compiled, before anything is sent, saying what to do instead; so is what SQLAlchemy
would fill in per execution."""

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    cast,
    column,
    func,
    insert,
    select,
    types,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.sql import Select
from sqlalchemy.types import TypeEngine

from adapters.sqlalchemy.compiled import StatementCompiler, UnsupportedStatement
from adapters.sqlalchemy.drivers import Statements
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory

metadata = MetaData()
# A table of this test's own: one nullable column per type.
kept = Table(
    "kept",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("amount", Numeric(10, 2)),
    Column("flag", Boolean()),
    Column("document", JSON()),
    Column("day", Date()),
)

VALUES: dict[str, Any] = {
    "amount": Decimal("12.34"),
    "flag": True,
    "document": {"tags": ["a", None], "n": 1.5},
    "day": date(2026, 12, 2),
}
# Where the dialect picks a result's conversion by the driver's type code: refused there.
REFUSED = {("postgresql", "amount")}


@pytest.fixture
async def statements(empty_database_url: str) -> AsyncIterator[Statements]:
    engine = create_engine(empty_database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            yield SqlAlchemyUnitOfWorkFactory(engine).statements(raw.driver_connection)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("name", list(VALUES))
async def test_a_column_type_round_trips_or_is_refused_before_anything_is_sent(
    statements: Statements, name: str
) -> None:
    value = VALUES[name]
    write = insert(kept).returning(kept.c[name])
    read = select(kept.c[name]).where(kept.c.id == bindparam("item_id"))
    if (statements.dialect_name, name) in REFUSED:
        with pytest.raises(UnsupportedStatement, match=r"cast\(column, String\)"):
            await statements.row(write, {name: value})
        count = await statements.row(select(func.count()).select_from(kept), {})
        assert count is not None and count[0] == 0
        return
    written = await statements.row(write, {name: value})
    read_back = await statements.row(read, {"item_id": 1})
    assert written is not None and read_back is not None
    assert (written[0], read_back[0]) == (value, value)


async def test_a_refused_numeric_reads_back_as_the_message_says(statements: Statements) -> None:
    """cast(column, String), then Decimal(text): exact on every backend."""
    await statements.execute(insert(kept), {"amount": VALUES["amount"]})
    row = await statements.row(select(cast(kept.c.amount, String)), {})
    assert row is not None and Decimal(row[0]) == VALUES["amount"]


async def test_none_in_a_json_column_is_json_null_as_sqlalchemy_stores_it(statements: Statements) -> None:
    await statements.execute(insert(kept), {"document": None})
    row = await statements.row(select(kept.c.document.is_(None)), {})
    assert row is not None and not row[0]


def _generic_types() -> list[TypeEngine[Any]]:
    """Every generic type sqlalchemy.types offers that stands alone (ARRAY needs an item type,
    TypeDecorator an impl, a tuple is no column, and Variant is a placeholder)."""
    classes = [getattr(types, name) for name in dir(types) if not name.startswith("_")]
    skipped = (types.ARRAY, types.TupleType, types.TypeDecorator, types.Variant)
    return [
        cls()
        for cls in classes
        if isinstance(cls, type) and issubclass(cls, TypeEngine) and not issubclass(cls, skipped)
    ]


@pytest.mark.parametrize("url", ["postgresql+asyncpg://", "sqlite+aiosqlite://"])
def test_every_generic_type_compiles_or_is_refused_and_only_numbers_on_postgresql(url: str) -> None:
    dialect: Dialect = make_url(url).get_dialect()()
    compile_ = StatementCompiler(dialect)
    refused = []
    for type_ in _generic_types():
        try:
            compile_(select(column("c", type_)), ())
        except UnsupportedStatement:
            refused.append(type(type_).__name__)
    numbers = [type(t).__name__ for t in _generic_types() if isinstance(t, (Numeric, Float))]
    assert refused == (numbers if dialect.name == "postgresql" else [])


@pytest.mark.parametrize(
    ("statement", "parameters", "advice"),
    [
        (select(kept.c.id).where(kept.c.id.in_([1, 2])), {}, "JSON array"),
        (
            select(kept.c.id).where(kept.c.id.in_(bindparam("ids", expanding=True))),
            {"ids": [1]},
            "JSON array",
        ),
        (select(kept.c.id).where(kept.c.id == 1), {}, "bindparam"),
    ],
)
async def test_what_sqlalchemy_fills_in_per_execution_is_refused_when_compiled(
    statements: Statements, statement: Select[Any], parameters: dict[str, Any], advice: str
) -> None:
    with pytest.raises(UnsupportedStatement, match=advice):
        await statements.row(statement, parameters)
