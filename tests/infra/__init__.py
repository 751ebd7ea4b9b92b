"""Suites that need infrastructure installed as root (HAProxy, pgbouncer, ...): `make test-infra`."""
