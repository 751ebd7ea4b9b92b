"""The change feed: item_changes filled by triggers on items, its pruning mark, and relay leases.

Revision ID: 0003
Revises: 0002

The triggers write each change in the statement that writes the item, so the change is kept
exactly when the write is. An UPDATE that leaves the version as it was (a data fix, a backfill)
records nothing: a change is a new version.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

POSTGRES_FUNCTION = """
CREATE FUNCTION record_item_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO item_changes (transaction_id, item_id, kind, version, recorded_at)
        VALUES (pg_current_xact_id()::text::bigint, OLD.id, 'deleted', OLD.version + 1, clock_timestamp());
        RETURN OLD;
    END IF;
    INSERT INTO item_changes (transaction_id, item_id, kind, version, recorded_at,
                              name, description, created_at, updated_at)
    VALUES (
        pg_current_xact_id()::text::bigint, NEW.id,
        CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'updated' END,
        NEW.version, clock_timestamp(), NEW.name, NEW.description, NEW.created_at, NEW.updated_at
    );
    RETURN NEW;
END
$$
"""
POSTGRES_TRIGGERS = (
    "CREATE TRIGGER items_record_insert_delete AFTER INSERT OR DELETE ON items"
    " FOR EACH ROW EXECUTE FUNCTION record_item_change()",
    "CREATE TRIGGER items_record_update AFTER UPDATE ON items"
    " FOR EACH ROW WHEN (NEW.version <> OLD.version) EXECUTE FUNCTION record_item_change()",
)

# SQLite keeps timestamps as text in SQLAlchemy's format (microseconds: six digits), so the time of
# recording is strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'.
SQLITE_TRIGGERS = (
    """CREATE TRIGGER items_record_insert AFTER INSERT ON items BEGIN
        INSERT INTO item_changes (item_id, kind, version, recorded_at,
                                  name, description, created_at, updated_at)
        VALUES (NEW.id, 'created', NEW.version, strftime('%Y-%m-%d %H:%M:%f', 'now') || '000',
                NEW.name, NEW.description, NEW.created_at, NEW.updated_at);
    END""",
    """CREATE TRIGGER items_record_update AFTER UPDATE ON items WHEN NEW.version <> OLD.version BEGIN
        INSERT INTO item_changes (item_id, kind, version, recorded_at,
                                  name, description, created_at, updated_at)
        VALUES (NEW.id, 'updated', NEW.version, strftime('%Y-%m-%d %H:%M:%f', 'now') || '000',
                NEW.name, NEW.description, NEW.created_at, NEW.updated_at);
    END""",
    """CREATE TRIGGER items_record_delete AFTER DELETE ON items BEGIN
        INSERT INTO item_changes (item_id, kind, version, recorded_at)
        VALUES (OLD.id, 'deleted', OLD.version + 1, strftime('%Y-%m-%d %H:%M:%f', 'now') || '000');
    END""",
)
TRIGGER_NAMES = {
    "postgresql": ("items_record_insert_delete", "items_record_update"),
    "sqlite": ("items_record_insert", "items_record_update", "items_record_delete"),
}


def upgrade() -> None:
    op.create_table(
        "item_changes",
        sa.Column("sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("transaction_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(100)),
        sa.Column("description", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "kind IN ('created', 'updated', 'deleted')", name=op.f("ck_item_changes_kind_known")
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_item_changes")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_item_changes_transaction_id_sequence", "item_changes", ["transaction_id", "sequence"])
    pruned = op.create_table(
        "item_changes_pruned",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.BigInteger()),
        sa.Column("sequence", sa.BigInteger()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_changes_pruned")),
    )
    # Items stored before the feed existed have no changes: a reader starting from the beginning is
    # told to resync (410), as if those changes had been pruned at position (0, 0).
    has_items = op.get_bind().execute(sa.text("SELECT EXISTS (SELECT 1 FROM items)")).scalar()
    start = {"transaction_id": 0, "sequence": 0} if has_items else {"transaction_id": None, "sequence": None}
    op.bulk_insert(pruned, [{"id": 1, **start}])
    op.create_table(
        "relays",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transaction_id", sa.BigInteger()),
        sa.Column("sequence", sa.BigInteger()),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_relays")),
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for trigger in POSTGRES_TRIGGERS:
            op.execute(trigger)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    for name in TRIGGER_NAMES[dialect]:
        op.execute(f"DROP TRIGGER {name} ON items" if dialect == "postgresql" else f"DROP TRIGGER {name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION record_item_change()")
    op.drop_table("relays")
    op.drop_table("item_changes_pruned")
    op.drop_index("ix_item_changes_transaction_id_sequence", table_name="item_changes")
    op.drop_table("item_changes")
