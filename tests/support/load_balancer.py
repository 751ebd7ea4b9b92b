"""The clusters tests/infra/cluster starts: replicas behind HAProxy, pgbouncer before PostgreSQL."""

REPLICAS = 3
# Fewer server connections than the replicas' pools hold together, so pgbouncer really lends one
# PostgreSQL connection to many clients in turn, which is what breaks prepared statements.
SERVER_POOL_SIZE = 4
REPLICA_ENV = {"DB_POOL_SIZE": "8", "LOG_LEVEL": "WARNING"}
