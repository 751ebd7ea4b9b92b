# The fuzz runs use the fault tests' fresh durable stores (a new SQLite file or PostgreSQL database),
# and report their case counts beside the fault tests' figures.
from tests.faults.conftest import durable_url, fault_report

__all__ = ["durable_url", "fault_report"]
