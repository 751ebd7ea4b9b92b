"""Item commands: each calls one application use-case through the container, as a route does."""

from dataclasses import replace
from typing import Annotated

import typer

from application.create_item import CreateItem
from application.delete_item import DeleteItem
from application.get_item import GetItem
from application.list_items import ListItems
from application.update_item import UpdateItem
from domain.item import Item, ItemDraft
from domain.listing import LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, SORT_TOKENS, ItemListQuery, Sort
from entrypoints.cli.output import ItemPages, Output, show
from entrypoints.cli.running import run, started_container
from entrypoints.container import settle
from entrypoints.cursors import CursorCodec

OutputOption = Annotated[Output, typer.Option("--output", "-o", help="table for people, json for scripts")]
ItemId = Annotated[int, typer.Argument(help="the item's id")]
ExpectedVersion = Annotated[
    int | None, typer.Option(help="only if the item is still at this version (else exit 5)")
]


def _versions(expected_version: int | None) -> frozenset[int] | None:
    return None if expected_version is None else frozenset({expected_version})


def create(
    name: str,
    description: Annotated[str, typer.Option(help="free text")] = "",
    output: OutputOption = Output.table,
) -> None:
    """Create an item."""

    async def work() -> Item:
        async with started_container() as container:
            create_item: CreateItem = await settle(container.create_item())
            return await create_item(ItemDraft(name, description))

    show(run(work), output)


def get(item_id: ItemId, output: OutputOption = Output.table) -> None:
    """Show one item."""

    async def work() -> Item:
        async with started_container() as container:
            get_item: GetItem = await settle(container.get_item())
            return await get_item(item_id)

    show(run(work), output)


def list_(  # every parameter is an option, passed by name
    *,
    skip: Annotated[int, typer.Option(help="items to skip (not with --cursor)")] = 0,
    limit: Annotated[
        int | None,
        typer.Option(
            help=f"page size, 1 to {LIST_LIMIT_MAX}; "
            f"default {LIST_LIMIT_DEFAULT}, or {LIST_LIMIT_MAX} with --all"
        ),
    ] = None,
    sort: Annotated[
        str, typer.Option(help=f"order: {', '.join(SORT_TOKENS)} (- for descending; ties by id)")
    ] = Sort().token,
    q: Annotated[
        str | None, typer.Option("--q", help="only items whose name contains this, ignoring case")
    ] = None,
    cursor: Annotated[
        str | None,
        typer.Option(help="continue where a page ended (its `next cursor`), with the same --sort and --q"),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="every page to the end, not one")] = False,
    output: OutputOption = Output.table,
) -> None:
    """List items, a page (or --all of them) in the order asked; when more follow a page, its next
    cursor is printed on stderr."""

    async def work() -> None:
        order = Sort.parse(sort)
        pages = ItemPages(output)
        async with started_container() as container:
            list_items: ListItems = await settle(container.list_items())
            cursors: CursorCodec = await settle(container.cursor_codec())
            page_size = (LIST_LIMIT_MAX if every else LIST_LIMIT_DEFAULT) if limit is None else limit
            after = None if cursor is None else cursors.decode(cursor, order, q)
            query = ItemListQuery(skip=skip, limit=page_size, sort=order, name_contains=q, after=after)
            while True:
                listing = await list_items(query)
                pages.add(listing.items)
                if listing.next_after is None or not every:
                    break
                query = replace(query, skip=0, after=listing.next_after)
        pages.end()
        if listing.next_after is not None:
            typer.echo(f"next cursor: {cursors.encode(listing.next_after, order, q)}", err=True)

    run(work)


def update(
    item_id: ItemId,
    name: Annotated[str | None, typer.Option(help="new name")] = None,
    description: Annotated[str | None, typer.Option(help="new description")] = None,
    expected_version: ExpectedVersion = None,
    output: OutputOption = Output.table,
) -> None:
    """Change some fields of an item; fields not given stay as they are."""

    async def work() -> Item:
        async with started_container() as container:
            update_item: UpdateItem = await settle(container.update_item())
            return await update_item(
                item_id, name=name, description=description, expected_versions=_versions(expected_version)
            )

    show(run(work), output)


def delete(item_id: ItemId, expected_version: ExpectedVersion = None) -> None:
    """Delete an item."""

    async def work() -> None:
        async with started_container() as container:
            delete_item: DeleteItem = await settle(container.delete_item())
            await delete_item(item_id, _versions(expected_version))

    run(work)


def register(app: typer.Typer) -> None:
    for command in (create, get, update, delete):
        app.command()(command)
    app.command("list")(list_)
