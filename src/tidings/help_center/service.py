"""Help centers (read through the API, set up through the management API) and collections: trees
of up to three levels inside one help center."""

from __future__ import annotations

from typing import Any

from tidings.articles import service as articles
from tidings.core import clock
from tidings.core.errors import HELP_CENTER_NAME_MISSING, found, invalid, missing
from tidings.core.ids import parse_numeric_id
from tidings.core.paging import numbered_page, numbered_pages
from tidings.core.schemas import UNSET
from tidings.core.uow import UnitOfWork
from tidings.help_center import storage
from tidings.help_center.content import (
    DEFAULT_ICON,
    check_locale,
    content_url,
    help_center_url,
    workspace_help_center,
)
from tidings.help_center.schemas import (
    CollectionList,
    CollectionOut,
    CreateCollectionRequest,
    DeletedCollection,
    HelpCenterList,
    HelpCenterOut,
    HelpCenterSettings,
    UpdateCollectionRequest,
)

COLLECTIONS_PER_PAGE = 20
MAX_PER_PAGE = 250
MAX_DEPTH = 3
NAME_LIMIT = 255


def help_center_out(row: Any) -> HelpCenterOut:
    return HelpCenterOut(
        id=str(row["id"]),
        workspace_id=row["workspace_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        identifier=row["identifier"],
        website_turned_on=bool(row["website_turned_on"]),
        display_name=row["display_name"],
        url=help_center_url(row),
        custom_domain=row["custom_domain"],
    )


async def help_center_row(uow: UnitOfWork, help_center_id: str | int) -> Any:
    numeric = parse_numeric_id(help_center_id)
    row = found(await storage.get_help_center(uow, numeric) if numeric else None)
    return row


async def list_help_centers(uow: UnitOfWork) -> HelpCenterList:
    await workspace_help_center(uow)
    return HelpCenterList(data=[help_center_out(r) for r in await storage.list_help_centers(uow)])


async def get_help_center(uow: UnitOfWork, help_center_id: str) -> HelpCenterOut:
    return help_center_out(await help_center_row(uow, help_center_id))


def _settings_values(data: HelpCenterSettings) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if data.identifier is not UNSET:
        if not data.identifier.strip() or len(data.identifier) > NAME_LIMIT:
            raise invalid("identifier must be 1 to 255 characters", "identifier")
        values["identifier"] = data.identifier.strip()
    if data.display_name is not UNSET:
        if len(data.display_name) > NAME_LIMIT:
            raise invalid("display_name must be at most 255 characters", "display_name")
        values["display_name"] = data.display_name
    if data.website_turned_on is not UNSET:
        values["website_turned_on"] = data.website_turned_on
    if data.custom_domain is not UNSET:
        values["custom_domain"] = data.custom_domain or None
    if data.locales is not UNSET:
        if not data.locales or len(data.locales) != len(set(data.locales)):
            raise invalid("locales must be a non-empty list of distinct locales", "locales")
        values["locales"] = [check_locale(locale, "locales") for locale in data.locales]
    return values


async def create_help_center(uow: UnitOfWork, data: HelpCenterSettings) -> HelpCenterOut:
    """Management API: another help center (Intercom: one per brand)."""
    await workspace_help_center(uow)
    values = {"display_name": "Help Center", "website_turned_on": False, "custom_domain": None, "locales": ["en"]}
    values |= _settings_values(data)
    if "identifier" not in values:
        raise missing("identifier")
    now = clock.now()
    new_id = await storage.insert_help_center(uow, values | {"is_default": False, "created_at": now, "updated_at": now})
    return help_center_out(await storage.get_help_center(uow, new_id))


async def update_help_center(uow: UnitOfWork, help_center_id: str, data: HelpCenterSettings) -> HelpCenterOut:
    await workspace_help_center(uow)
    row = await help_center_row(uow, help_center_id)
    values = _settings_values(data)
    await storage.update_help_center(uow, row["id"], values | {"updated_at": clock.now()})
    # URLs, listing and languages of its content follow the help center at once (Fin's citations too).
    await articles.refresh_all(uow)
    return help_center_out(await storage.get_help_center(uow, row["id"]))


# Collections.
async def collection_row(uow: UnitOfWork, collection_id: str | int) -> Any:
    numeric = parse_numeric_id(collection_id)
    row = found(await storage.get_collection(uow, numeric) if numeric else None)
    return row


def group_content(name: str | None, description: str | None) -> dict[str, Any]:
    return {"type": "group_content", "name": name, "description": description}


async def collection_out(uow: UnitOfWork, row: Any, help_center: Any | None = None) -> CollectionOut:
    help_center = help_center or await storage.get_help_center(uow, row["help_center_id"])
    locales = list(help_center["locales"])
    default = locales[0]
    out = CollectionOut(
        id=str(row["id"]),
        workspace_id=row["workspace_id"],
        name=row["name"],
        url=content_url(help_center, default, "collections", row["id"], row["name"]),
        order=row["order"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        description=row["description"],
        icon=row["icon"],
        parent_id=None if row["parent_id"] is None else str(row["parent_id"]),
        # Only first-level collections name their help center (as Intercom's examples show).
        help_center_id=int(row["help_center_id"]) if row["parent_id"] is None else None,
    )
    if len(locales) > 1:
        content: dict[str, Any] = {
            "type": "group_translated_content",
            default: group_content(row["name"], row["description"]),
        }
        for locale, value in (row["translations"] or {}).items():
            if locale != default:
                content[locale] = group_content(value.get("name"), value.get("description"))
        out.default_locale = default
        out.translated_content = content
    return out


async def list_collections(
    uow: UnitOfWork, page: int | None, per_page: int | None, help_center_id: int | None
) -> CollectionList:
    await workspace_help_center(uow)
    number, size, offset = numbered_page(page, per_page, COLLECTIONS_PER_PAGE, MAX_PER_PAGE)
    total = await storage.count_collections(uow, help_center_id)
    rows = await storage.list_collections(uow, help_center_id, offset, size)
    centers = {int(r["id"]): r for r in await storage.list_help_centers(uow)}
    return CollectionList(
        data=[await collection_out(uow, r, centers[int(r["help_center_id"])]) for r in rows],
        pages=numbered_pages(number, size, total),
        total_count=total,
    )


async def get_collection(uow: UnitOfWork, collection_id: str) -> CollectionOut:
    return await collection_out(uow, await collection_row(uow, collection_id))


def _translations(value: Any, default: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """(other locales' content, the default locale's) from a request's `translated_content`."""
    if value is UNSET or value is None:
        return {}, {}
    others: dict[str, dict[str, Any]] = {}
    main: dict[str, Any] = {}
    for locale, content in value.items():
        if locale == "type":
            continue
        check_locale(locale, "translated_content")
        if content is None:
            continue
        if not isinstance(content, dict):
            raise invalid(f"translated_content.{locale} must be an object", "translated_content")
        entry = {key: content.get(key) for key in ("name", "description") if key in content}
        for key, text in entry.items():
            if text is not None and not isinstance(text, str):
                raise invalid(f"translated_content.{locale}.{key} must be a string", "translated_content")
        if locale == default:
            main = entry
        else:
            others[locale] = entry
    return others, main


def _checked_name(name: Any) -> str:
    if name is UNSET or name is None or not str(name).strip():
        raise HELP_CENTER_NAME_MISSING(field="name")
    if len(name) > NAME_LIMIT:
        raise invalid("name must be at most 255 characters", "name")
    return name


async def _parent(uow: UnitOfWork, value: Any, help_center_id: int, moving: int | None = None) -> int | None:
    """The parent collection's id, checked: same help center, no cycle, at most three levels."""
    if value is UNSET or value is None or value == "":
        return None
    numeric = parse_numeric_id(value) if isinstance(value, int | str) else None
    tree = {int(r["id"]): r for r in await storage.all_collections(uow)}
    parent = tree.get(numeric) if numeric else None
    if parent is None or int(parent["help_center_id"]) != help_center_id:
        raise invalid("parent_id must name a collection of the same help center", "parent_id")
    depth, current = 1, parent
    while current is not None:
        if moving is not None and int(current["id"]) == moving:
            raise invalid("parent_id cannot be the collection itself or one of its descendants", "parent_id")
        depth += 1
        current = tree.get(current["parent_id"]) if current["parent_id"] is not None else None
    below = _height(tree, moving) if moving is not None else 0
    if depth + below > MAX_DEPTH:
        raise invalid(f"collections nest at most {MAX_DEPTH} levels deep", "parent_id")
    return int(parent["id"])


def _height(tree: dict[int, Any], collection_id: int) -> int:
    children = [cid for cid, r in tree.items() if r["parent_id"] == collection_id]
    return max((1 + _height(tree, cid) for cid in children), default=0)


async def _help_center_for_create(uow: UnitOfWork, value: Any) -> Any:
    if value is UNSET or value is None:
        return await workspace_help_center(uow)
    numeric = parse_numeric_id(value) if isinstance(value, int | str) else None
    row = found(
        await storage.get_help_center(uow, numeric) if numeric else None,
        invalid("help_center_id must name a help center of the workspace", "help_center_id"),
    )
    return row


async def create_collection(uow: UnitOfWork, data: CreateCollectionRequest) -> CollectionOut:
    await workspace_help_center(uow)
    help_center = await _help_center_for_create(uow, data.help_center_id)
    default = help_center["locales"][0]
    others, main = _translations(data.translated_content, default)
    name = _checked_name(data.name if data.name not in (UNSET, None) else main.get("name", UNSET))
    description = data.description if data.description is not UNSET else main.get("description", "")
    parent_id = await _parent(uow, data.parent_id, int(help_center["id"]))
    # Siblings' order is check-then-write: concurrent creates in one help center queue here.
    await uow.serialise("collections", str(help_center["id"]))
    now = clock.now()
    new_id = await storage.insert_collection(
        uow,
        {
            "help_center_id": help_center["id"],
            "parent_id": parent_id,
            "name": name,
            "description": description,
            "translations": others,
            "icon": DEFAULT_ICON,
            "order": await storage.next_order(uow, int(help_center["id"]), parent_id),
            "created_at": now,
            "updated_at": now,
        },
    )
    return await collection_out(uow, await storage.get_collection(uow, new_id), help_center)


async def update_collection(uow: UnitOfWork, collection_id: str, data: UpdateCollectionRequest) -> CollectionOut:
    row = await collection_row(uow, collection_id)
    help_center = await storage.get_help_center(uow, row["help_center_id"])
    default = help_center["locales"][0]
    others, main = _translations(data.translated_content, default)
    values: dict[str, Any] = {}
    name = data.name if data.name is not UNSET else main.get("name", UNSET)
    if name is not UNSET:
        values["name"] = _checked_name(name)
    description = data.description if data.description is not UNSET else main.get("description", UNSET)
    if description is not UNSET:
        values["description"] = description
    if others:
        values["translations"] = {**(row["translations"] or {}), **others}
    if data.parent_id is not UNSET:
        await uow.serialise("collections", str(help_center["id"]))
        parent_id = await _parent(uow, data.parent_id, int(help_center["id"]), moving=int(row["id"]))
        if parent_id != row["parent_id"]:
            values["parent_id"] = parent_id
            values["order"] = await storage.next_order(uow, int(help_center["id"]), parent_id)
    await storage.update_collection(uow, row["id"], values | {"updated_at": clock.now()})
    return await collection_out(uow, await storage.get_collection(uow, row["id"]), help_center)


async def delete_collection(uow: UnitOfWork, collection_id: str) -> DeletedCollection:
    """Deletes the collection and every collection below it; their articles stay, without those
    parents (unlisted when they have no other), and Fin stops linking to the unlisted ones."""
    row = await collection_row(uow, collection_id)
    tree = {int(r["id"]): r for r in await storage.all_collections(uow)}
    subtree = [int(row["id"])]
    for current in subtree:
        subtree.extend(cid for cid, r in tree.items() if r["parent_id"] == current)
    affected = await articles.articles_in_collections(uow, subtree)
    await storage.delete_collections(uow, subtree)
    await articles.parents_removed(uow, affected)
    return DeletedCollection(id=str(row["id"]))
