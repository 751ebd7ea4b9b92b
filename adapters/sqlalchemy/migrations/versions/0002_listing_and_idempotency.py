"""Keyset listing (case-folded name, sort indexes) and idempotency keys.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here: later model changes must not change what this revision did.
FOLDED_NAME = sa.String(300).with_variant(sa.String(300, collation="C"), "postgresql")
BACKFILL_BATCH = 1000


def _backfill_folded_names() -> None:
    """name_folded = name.casefold(), in Python, as the service computes it (no SQL function agrees)."""
    connection = op.get_bind()
    items = sa.table("items", sa.column("id"), sa.column("name"), sa.column("name_folded"))
    fill = (
        sa.update(items)
        .where(items.c.id == sa.bindparam("item_id"))
        .values(name_folded=sa.bindparam("folded"))
    )
    last = 0
    while rows := connection.execute(
        sa.select(items.c.id, items.c.name)
        .where(items.c.id > last)
        .order_by(items.c.id)
        .limit(BACKFILL_BATCH)
    ).all():
        connection.execute(fill, [{"item_id": row.id, "folded": row.name.casefold()} for row in rows])
        last = rows[-1].id


def upgrade() -> None:
    op.add_column("items", sa.Column("name_folded", FOLDED_NAME, nullable=True))
    _backfill_folded_names()
    with op.batch_alter_table("items", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.alter_column("name_folded", existing_type=FOLDED_NAME, nullable=False)
    op.create_index("ix_items_created_at_id", "items", ["created_at", "id"])
    op.create_index("ix_items_name_folded_id", "items", ["name_folded", "id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_items_name_folded_id", table_name="items")
    op.drop_index("ix_items_created_at_id", table_name="items")
    with op.batch_alter_table("items", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("name_folded")
