"""Pooled SQLite connections leave transactions to SQLAlchemy, whatever used them last."""

from pathlib import Path

from adapters.sqlalchemy.engine import EngineOptions, create_engine
from adapters.sqlalchemy.migrator import schema_state, upgrade
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory


async def test_schema_reads_and_units_of_work_keep_the_driver_out_of_transactions(tmp_path: Path) -> None:
    # One connection, so every step below reuses the same one.
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'items.db'}", EngineOptions(db_pool_size=1))
    try:
        await upgrade(engine)
        await schema_state(engine)
        uow = SqlAlchemyUnitOfWorkFactory(engine)
        async with uow(read_only=True) as reader:
            await reader.items.get(1)
        async with uow() as writer:
            await writer.commit()
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            # None: the driver begins nothing by itself (engine.py's _configure); "" would mean
            # its implicit transactions came back on, as an isolation-level reset at check-in does.
            assert raw.dbapi_connection.isolation_level is None  # type: ignore[union-attr]
    finally:
        await engine.dispose()
