# The fuzz runs use the fault tests' fresh durable stores (a new SQLite file or PostgreSQL database).
from tests.faults.conftest import durable_url

__all__ = ["durable_url"]
