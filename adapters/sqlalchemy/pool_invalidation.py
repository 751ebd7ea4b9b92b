"""A whole pool marked stale, as SQLAlchemy's own disconnect handling marks it.

SQLAlchemy offers no public call for this: `Pool._invalidate` is what its Connection calls when a
statement finds the server gone. This is the one place the adapter calls it;
tests/unit/test_private_names.py fails, naming this file, the day an upgrade removes or changes it.
"""

from sqlalchemy.pool import Pool, PoolProxiedConnection


def invalidate_pool(pool: Pool, pooled: PoolProxiedConnection) -> None:
    """Close `pooled`, and have the pool replace every connection made before it at its next checkout."""
    pool._invalidate(pooled)
