"""Pure ASGI middleware: checks every request pays for only when they apply."""
