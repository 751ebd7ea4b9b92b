"""The `items` console entry point. Exit codes: see entrypoints/cli/exit_codes.py and docs/operations.md."""

import typer

from entrypoints.cli import changes, item_export, item_import, items, migrate, serve

app = typer.Typer(
    name="items",
    help="Run and operate the Items service, or work with items directly (no HTTP in between).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(serve.serve)
app.add_typer(migrate.app, name="migrate")
items.register(app)
app.command("import")(item_import.import_)
app.command()(item_export.export)
changes.register(app)


def main() -> None:
    app()
