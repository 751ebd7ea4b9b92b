"""The service scaled out on one machine: HAProxy, N replicas, pgbouncer, PostgreSQL (see README)."""
