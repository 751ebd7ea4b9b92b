"""The schema, kept apart from the domain entity; mapping.py translates between them."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from domain.item import NAME_MAX_LENGTH

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)

items = Table(
    "items",
    metadata,
    # SQLite only auto-assigns INTEGER PRIMARY KEY; AUTOINCREMENT stops it reusing the ids
    # of deleted items, which would let a stale ETag or link point at a different item.
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("name", String(NAME_MAX_LENGTH), nullable=False),
    Column("description", Text(), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer(), nullable=False, server_default="1"),
    CheckConstraint("version >= 1", name="version_positive"),
    sqlite_autoincrement=True,
)
