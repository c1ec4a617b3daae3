"""`milestone merchant`: the brand's shops and services, their API keys and their catalogue."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from milestone.cli.common import DatabaseUrlOption, DataDirOption, JsonOption, reported_errors
from milestone.cli.operator import emit, in_snapshot, in_unit_of_work, parse_stones, show_instant
from milestone.clock import SystemClock
from milestone.ledger import balance_of, merchant_account
from milestone.rules.units import format_pebbles
from milestone.store.merchants import (
    CATEGORIES,
    add_item,
    deactivate_merchant,
    list_items,
    list_merchants,
    register_merchant,
    rotate_merchant_key,
    update_item,
)
from milestone.store.models import CatalogueItem, Merchant
from milestone.store.orders import orders_of

app = typer.Typer(help="Merchants: API keys, catalogue, orders.", no_args_is_help=True)
MerchantId = Annotated[int, typer.Argument(help="Merchant id.")]


def describe(session: Session, merchant: Merchant) -> dict[str, Any]:
    return {
        "id": merchant.id, "name": merchant.name, "category": merchant.category,
        "held": format_pebbles(balance_of(session, merchant_account(merchant.id))),
        "deactivated_at": show_instant(merchant.deactivated_at),
    }


def describe_item(item: CatalogueItem) -> dict[str, Any]:
    return {
        "id": item.id, "merchant_id": item.merchant_id, "sku": item.sku, "title": item.title,
        "price": format_pebbles(item.price), "cash_fen": item.cash_fen, "stock": item.stock,
        "active": item.active,
    }


def item_line(i: dict[str, Any]) -> str:
    cash = f" + {i['cash_fen']} fen" if i["cash_fen"] else ""
    stock = "unlimited" if i["stock"] is None else f"{i['stock']} left"
    state = "" if i["active"] else ", withdrawn"
    return f"item {i['id']} {i['sku']} {i['title']!r}: {i['price']} stones{cash}, {stock}{state}"


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Merchant name.")],
    category: Annotated[str, typer.Option(help=f"One of {', '.join(CATEGORIES)}.")] = "shop",
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Register a merchant; prints its API key, which is shown this once."""
    clock = SystemClock()
    with reported_errors():

        def work(session: Session) -> tuple[int, str]:
            merchant, key = register_merchant(session, clock, name, category)
            return merchant.id, key

        merchant_id, key = in_unit_of_work(data_dir, database_url, work)
    emit({"merchant_id": merchant_id, "api_key": key}, json_output,
         f"merchant {merchant_id} registered; API key (shown once): {key}")


@app.command("list")
def list_(json_output: JsonOption = False, data_dir: DataDirOption = None,
          database_url: DatabaseUrlOption = None) -> None:
    """Every merchant and the stones it holds for open orders."""
    with reported_errors():
        shown = in_snapshot(data_dir, database_url,
                            lambda s: [describe(s, m) for m in list_merchants(s)])
    lines = [
        f"merchant {m['id']} {m['name']!r} ({m['category']}): holds {m['held']} stones"
        + (f", deactivated {m['deactivated_at']}" if m["deactivated_at"] else "")
        for m in shown
    ]
    emit(shown, json_output, "\n".join(lines) or "no merchants")


@app.command("rotate-key")
def rotate_key(merchant_id: MerchantId, json_output: JsonOption = False,
               data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Replace the merchant's API key; the old one stops working."""
    with reported_errors():
        key = in_unit_of_work(data_dir, database_url,
                              lambda s: rotate_merchant_key(s, merchant_id))
    emit({"merchant_id": merchant_id, "api_key": key}, json_output,
         f"merchant {merchant_id}'s new API key (shown once): {key}")


@app.command("deactivate")
def deactivate(merchant_id: MerchantId, data_dir: DataDirOption = None,
               database_url: DatabaseUrlOption = None) -> None:
    """Stop the merchant selling (open orders can still be fulfilled or refunded)."""
    clock = SystemClock()
    with reported_errors():
        in_unit_of_work(data_dir, database_url,
                        lambda s: deactivate_merchant(s, clock, merchant_id).id)
    typer.echo(f"merchant {merchant_id} deactivated")


@app.command("item-add")
def item_add(
    merchant_id: MerchantId,
    sku: Annotated[str, typer.Option(help="The merchant's own item code.")],
    title: Annotated[str, typer.Option(help="Name shown to owners.")],
    price: Annotated[str, typer.Option(help="Stones per unit.")],
    cash_fen: Annotated[int, typer.Option(help="CNY fen per unit on top (paid outside).")] = 0,
    stock: Annotated[int | None, typer.Option(help="Units in stock; omit for unlimited.")] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Add an item to the merchant's catalogue."""
    clock = SystemClock()
    with reported_errors():
        pebbles = parse_stones(price)
        shown = in_unit_of_work(
            data_dir, database_url,
            lambda s: describe_item(add_item(s, clock, merchant_id, sku=sku, title=title,
                                             price=pebbles, cash_fen=cash_fen, stock=stock)),
        )
    emit(shown, json_output, item_line(shown))


@app.command("item-update")
def item_update(
    item_id: Annotated[int, typer.Argument(help="Item id.")],
    price: Annotated[str | None, typer.Option(help="New stones per unit.")] = None,
    cash_fen: Annotated[int | None, typer.Option(help="New CNY fen per unit.")] = None,
    stock: Annotated[int | None, typer.Option(help="New stock.")] = None,
    unlimited: Annotated[bool, typer.Option(help="No stock limit any more.")] = False,
    active: Annotated[
        bool | None,
        typer.Option("--active/--withdrawn", help="On sale or not \\[default: unchanged]."),
    ] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """Change an item's price, stock or availability."""
    with reported_errors():
        pebbles = None if price is None else parse_stones(price)
        shown = in_unit_of_work(
            data_dir, database_url,
            lambda s: describe_item(update_item(s, item_id, price=pebbles, cash_fen=cash_fen,
                                                stock=stock, unlimited=unlimited, active=active)),
        )
    emit(shown, json_output, item_line(shown))


@app.command("items")
def items(
    merchant_id: Annotated[int | None, typer.Argument(help="Merchant id; none: all.")] = None,
    all_items: Annotated[bool, typer.Option("--all", help="Include withdrawn items.")] = False,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
    database_url: DatabaseUrlOption = None,
) -> None:
    """The catalogue."""
    with reported_errors():
        shown = in_snapshot(
            data_dir, database_url,
            lambda s: [
                describe_item(i) for i in list_items(s, merchant_id, active_only=not all_items)
            ],
        )
    emit(shown, json_output, "\n".join(item_line(i) for i in shown) or "nothing for sale")


@app.command("orders")
def orders(merchant_id: MerchantId, json_output: JsonOption = False,
           data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """The merchant's orders, newest first."""
    with reported_errors():
        shown = in_snapshot(
            data_dir, database_url,
            lambda s: [
                {"id": o.id, "owner_id": o.owner_id, "item_id": o.item_id, "quantity": o.quantity,
                 "stones": format_pebbles(o.stones), "cash_fen": o.cash_fen, "status": o.status,
                 "placed_at": show_instant(o.placed_at)}
                for o in orders_of(s, merchant_id=merchant_id)
            ],
        )
    lines = [f"order {o['id']}: owner {o['owner_id']}, {o['quantity']} × item {o['item_id']}, "
             f"{o['stones']} stones, {o['status']}" for o in shown]
    emit(shown, json_output, "\n".join(lines) or "no orders")
