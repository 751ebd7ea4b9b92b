"""Use-cases: one per operation, each owning its transaction. Depends on `domain` only."""
