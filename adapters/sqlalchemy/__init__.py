"""The SQL adapter: one implementation for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""
