"""The references API contacts and conversations call, against a migrated database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from tests.conftest import scratch_database
from tests.support.contract import _schema_validator
from tidings.contacts.storage import insert_contact
from tidings.core.errors import TidingsError
from tidings.core.uow import UnitOfWork
from tidings.custom_objects import references, service, type_service
from tidings.custom_objects.schemas import AttributeSpec, CreateOrUpdateInstanceRequest, CreateTypeRequest
from tidings.db.storage import Storage, open_storage
from tidings.management.provisioning import create_workspace

Work = Callable[[UnitOfWork], Awaitable[Any]]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with scratch_database(request.param, tmp_path_factory.mktemp("references")) as url:
        yield url


class Database:
    """A fresh workspace on the test database; `run` does one unit of work in its own transaction."""

    def __init__(self, storage: Storage, workspace_id: str) -> None:
        self.storage = storage
        self.workspace_id = workspace_id

    async def run(self, work: Work) -> Any:
        tx = await self.storage.begin(write=True)
        try:
            result = await work(UnitOfWork(tx=tx, workspace_id=self.workspace_id))
        except BaseException:
            await tx.rollback()
            raise
        await tx.commit()
        return result


def scenario(database_url: str, body: Callable[[Database], Awaitable[None]]) -> None:
    async def main() -> None:
        storage = open_storage(database_url)
        try:
            tx = await storage.begin(write=True)
            uow = await create_workspace(tx, "references")
            await tx.commit()
            db = Database(storage, uow.workspace_id)
            await db.run(define_types)
            await body(db)
        finally:
            await storage.close()

    asyncio.run(main())


async def define_types(uow: UnitOfWork) -> None:
    await type_service.create(
        uow,
        CreateTypeRequest(
            identifier="Order",
            attributes=[
                AttributeSpec(name="order_number", data_type="string"),
                AttributeSpec(name="order", data_type="reference", owner_type="contact"),
                AttributeSpec(name="orders", data_type="reference", owner_type="conversation"),
            ],
        ),
    )
    await type_service.create(
        uow,
        CreateTypeRequest(
            identifier="Invoice",
            attributes=[AttributeSpec(name="invoice", data_type="reference", owner_type="contact")],
        ),
    )


def instance(identifier: str, external_id: str, **attributes: Any) -> Work:
    async def create(uow: UnitOfWork) -> str:
        data = CreateOrUpdateInstanceRequest(external_id=external_id, custom_attributes=attributes)
        return (await service.create_or_update(uow, identifier, data)).id

    return create


def contact(uow: UnitOfWork) -> Awaitable[str]:
    return insert_contact(uow, role="user", email="ada@example.com")


async def set_attributes(db: Database, owner_id: str, custom_attributes: dict[str, Any]) -> dict[str, Any]:
    async def work(uow: UnitOfWork) -> dict[str, Any]:
        plain, refs = await references.split_custom_attributes(uow, "contact", custom_attributes)
        await references.save_references(uow, "contact", owner_id, refs)
        return plain

    return await db.run(work)


async def expanded(db: Database, owner_id: str, owner_type: str = "contact") -> dict[str, Any]:
    return await db.run(lambda uow: references.expand_references(uow, owner_type, owner_id))


def test_reference_attributes_are_the_owner_types_own(database_url: str) -> None:
    async def body(db: Database) -> None:
        for_contacts = await db.run(lambda uow: references.reference_attributes(uow, "contact"))
        assert {name: a.type_identifier for name, a in for_contacts.items()} == {"order": "Order", "invoice": "Invoice"}
        for_conversations = await db.run(lambda uow: references.reference_attributes(uow, "conversation"))
        assert list(for_conversations) == ["orders"]

    scenario(database_url, body)


def test_set_expand_replace_and_clear(database_url: str) -> None:
    async def body(db: Database) -> None:
        first = await db.run(instance("Order", "o-1", order_number="ORDER-1"))
        second = await db.run(instance("Order", "o-2", order_number="ORDER-2"))
        owner = await db.run(contact)
        plain = await set_attributes(db, owner, {"plan": "pro", "order": [second, int(first)]})
        assert plain == {"plan": "pro"}
        order = (await expanded(db, owner))["order"]
        assert order["type"] == "Order.list"
        assert [(i["id"], i["external_id"]) for i in order["instances"]] == [(second, "o-2"), (first, "o-1")]
        assert order["instances"][0]["custom_attributes"] == {"order_number": "ORDER-2"}
        assert order["instances"][0]["type"] == "Order"
        assert not list(
            _schema_validator({"$ref": "#/components/schemas/custom_object_instance_list"}).iter_errors(order)
        )

        await set_attributes(db, owner, {"order": [first]})
        assert [i["id"] for i in (await expanded(db, owner))["order"]["instances"]] == [first]
        await set_attributes(db, owner, {"order": []})
        assert await expanded(db, owner) == {}
        await set_attributes(db, owner, {"order": [first]})
        await set_attributes(db, owner, {"order": None})
        assert await expanded(db, owner) == {}

    scenario(database_url, body)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("21", "Custom attribute 'order' must be a list of Order instance ids"),
        ([True], "Custom attribute 'order' must be a list of Order instance ids"),
        (["999999"], "Custom object instance 999999 of type Order not found"),
        (["abc"], "Custom object instance abc of type Order not found"),
        ("invoice", "Custom object instance {invoice} of type Order not found"),
    ],
)
def test_bad_references_are_refused_and_write_nothing(database_url: str, value: Any, message: str) -> None:
    async def body(db: Database) -> None:
        order = await db.run(instance("Order", "o-1"))
        invoice = await db.run(instance("Invoice", "i-1"))
        owner = await db.run(contact)
        await set_attributes(db, owner, {"order": [order]})
        bad = [invoice] if value == "invoice" else value
        with pytest.raises(TidingsError) as err:
            await set_attributes(db, owner, {"invoice": [invoice], "order": bad})
        assert err.value.status == 400
        assert err.value.items[0].field == "custom_attributes.order"
        assert err.value.items[0].message == message.format(invoice=invoice)
        assert [i["id"] for i in (await expanded(db, owner))["order"]["instances"]] == [order]
        assert "invoice" not in await expanded(db, owner)

    scenario(database_url, body)


def test_deleting_an_instance_clears_references_to_it(database_url: str) -> None:
    async def body(db: Database) -> None:
        kept = await db.run(instance("Order", "o-1"))
        gone = await db.run(instance("Order", "o-2"))
        invoice = await db.run(instance("Invoice", "i-1"))
        owner, other = await db.run(contact), await db.run(contact)
        await set_attributes(db, owner, {"order": [gone, kept], "invoice": [invoice]})
        await set_attributes(db, other, {"order": [gone]})
        await db.run(lambda uow: service.delete_by_id(uow, "Order", gone))
        after = await expanded(db, owner)
        assert [i["id"] for i in after["order"]["instances"]] == [kept]
        assert after["invoice"]["type"] == "Invoice.list"
        assert await expanded(db, other) == {}
        await db.run(lambda uow: service.delete_by_external_id(uow, "Invoice", "i-1"))
        assert list(await expanded(db, owner)) == ["order"]

    scenario(database_url, body)


def test_expand_for_many_and_clear_an_owner(database_url: str) -> None:
    async def body(db: Database) -> None:
        order = await db.run(instance("Order", "o-1"))
        first, second, bare = await db.run(contact), await db.run(contact), await db.run(contact)
        await set_attributes(db, first, {"order": [order]})
        await set_attributes(db, second, {"order": [order]})
        many = await db.run(lambda uow: references.expand_references_for_many(uow, "contact", [first, second, bare]))
        assert set(many) == {first, second}
        assert many[first]["order"]["instances"][0]["id"] == order

        await db.run(lambda uow: references.clear_owner_references(uow, "contact", first))
        assert await expanded(db, first) == {}
        assert (await expanded(db, second))["order"]["instances"][0]["id"] == order

    scenario(database_url, body)


def test_conversations_hold_their_own_references(database_url: str) -> None:
    async def body(db: Database) -> None:
        order = await db.run(instance("Order", "o-1"))

        async def attach(uow: UnitOfWork) -> dict[str, Any]:
            plain, refs = await references.split_custom_attributes(
                uow, "conversation", {"orders": [order], "order": "x"}
            )
            await references.save_references(uow, "conversation", "507", refs)
            return plain

        # `order` is a contact's reference attribute, so on a conversation it is a plain attribute.
        assert await db.run(attach) == {"order": "x"}
        assert (await expanded(db, "507", "conversation"))["orders"]["type"] == "Order.list"
        assert await expanded(db, "507") == {}

    scenario(database_url, body)


def test_another_workspaces_instance_cannot_be_referenced(database_url: str) -> None:
    async def body(db: Database) -> None:
        tx = await db.storage.begin(write=True)
        other = Database(db.storage, (await create_workspace(tx, "other")).workspace_id)
        await tx.commit()
        await other.run(define_types)
        foreign = await other.run(instance("Order", "o-1"))
        owner = await db.run(contact)
        with pytest.raises(TidingsError):
            await set_attributes(db, owner, {"order": [foreign]})

    scenario(database_url, body)


def test_unknown_owner_type_is_a_programming_error(database_url: str) -> None:
    async def body(db: Database) -> None:
        with pytest.raises(ValueError, match="owner_type must be one of"):
            await db.run(lambda uow: references.reference_attributes(uow, "company"))

    scenario(database_url, body)
