"""The service scaled out on one machine: HAProxy, N replicas, pgbouncer, PostgreSQL.

See docs/scaling-out.md.
"""
