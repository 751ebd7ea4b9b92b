"""The schema, kept apart from the domain entity; mapping.py translates between them."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from domain.idempotency import IDEMPOTENCY_KEY_MAX_LENGTH
from domain.item import NAME_MAX_LENGTH
from domain.listing import FOLDED_NAME_MAX_LENGTH

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Byte-wise ("C") order is code point order, as in SQLite and Python: one name order on every backend.
FoldedName = String(FOLDED_NAME_MAX_LENGTH).with_variant(
    String(FOLDED_NAME_MAX_LENGTH, collation="C"), "postgresql"
)

items = Table(
    "items",
    metadata,
    # SQLite only auto-assigns INTEGER PRIMARY KEY; AUTOINCREMENT stops it reusing the ids
    # of deleted items, which would let a stale ETag or link point at a different item.
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("name", String(NAME_MAX_LENGTH), nullable=False),
    # The case-folded name (domain.listing.fold_name), computed here once so that search and sort
    # by name agree on every backend: SQLite's own case folding knows only ASCII.
    Column("name_folded", FoldedName, nullable=False),
    Column("description", Text(), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer(), nullable=False, server_default="1"),
    CheckConstraint("version >= 1", name="version_positive"),
    # Keyset pagination: a page at any depth is one index seek (the id order is the primary key).
    Index("ix_items_created_at_id", "created_at", "id"),
    Index("ix_items_name_folded_id", "name_folded", "id"),
    sqlite_autoincrement=True,
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(IDEMPOTENCY_KEY_MAX_LENGTH), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    # The item as it was created, as JSON: a retry gets exactly the first answer back.
    Column("item", Text(), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_idempotency_keys_expires_at", "expires_at"),
)

# The change feed (domain.feed): one row per kept write, inserted by triggers on `items` in the
# write's own statement (migration 0003), so no write path can keep an item and skip its change.
item_changes = Table(
    "item_changes",
    metadata,
    Column("sequence", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    # PostgreSQL: the writing transaction's id (pg_current_xact_id); 0 where writers take turns.
    Column("transaction_id", BigInteger(), nullable=False, server_default="0"),
    Column("item_id", BigInteger(), nullable=False),
    Column("kind", String(7), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    # The item as the write left it; NULL for a delete.
    Column("name", String(NAME_MAX_LENGTH)),
    Column("description", Text()),
    Column("created_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
    CheckConstraint("kind IN ('created', 'updated', 'deleted')", name="kind_known"),
    Index("ix_item_changes_transaction_id_sequence", "transaction_id", "sequence"),
    sqlite_autoincrement=True,
)

# One row: the position up to which changes were pruned (NULL: none ever were).
item_changes_pruned = Table(
    "item_changes_pruned",
    metadata,
    Column("id", Integer(), primary_key=True),
    Column("transaction_id", BigInteger()),
    Column("sequence", BigInteger()),
)

# Each relay's lease (which process may publish) and the position it has published up to.
relays = Table(
    "relays",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("lease_until", DateTime(timezone=True), nullable=False),
    Column("transaction_id", BigInteger()),
    Column("sequence", BigInteger()),
)
