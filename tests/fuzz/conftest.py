# The fuzz runs use the fault tests' fresh durable stores (a new SQLite file or PostgreSQL database);
# their case counts go to fault_report (tests/conftest.py), beside the fault tests' figures.
from tests.faults.conftest import durable_url

__all__ = ["durable_url"]
