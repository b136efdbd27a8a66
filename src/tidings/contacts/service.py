"""Contacts (users and leads): the rules of every Contacts operation, their tags, and their events."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tidings.admins import storage as admin_storage
from tidings.companies import storage as company_storage
from tidings.contacts import storage
from tidings.contacts.lookup import contact_not_found, live_row
from tidings.contacts.related import EMBEDDED_LIMIT, related_of
from tidings.contacts.schemas import (
    Addressable,
    AddressableList,
    AppliedBy,
    Avatar,
    ContactArchived,
    ContactBlocked,
    ContactDeleted,
    ContactList,
    ContactOut,
    ContactTagList,
    ContactTagOut,
    ContactWrite,
    Location,
    MergeRequest,
    SearchRequest,
    SocialProfiles,
    TagIdRequest,
)
from tidings.contacts.search import contact_fields
from tidings.contacts.storage import contacts, email_key
from tidings.core import clock
from tidings.core.errors import CONFLICT, found, invalid, missing
from tidings.core.schemas import present
from tidings.core.search import Searchable, compile_query, search_page
from tidings.core.uow import UnitOfWork
from tidings.custom_objects import references
from tidings.data_attributes import service as attributes
from tidings.events.record import event_item, record_event
from tidings.notes import storage as note_storage
from tidings.segments import service as segment_service
from tidings.subscriptions import storage as subscription_storage
from tidings.tags import service as tag_service
from tidings.tags import tagging as taggings
from tidings.tags.schemas import TagOut

ROLES = ("user", "lead")
SEARCH_PER_PAGE = 50
LIST_PER_PAGE = 50
MAX_PER_PAGE = 150
# Contacts' owner type for custom object references.
OWNER_TYPE = "contact"
LOCATION_FIELDS = ("country", "region", "city", "country_code", "continent_code")
DEVICE_FIELDS = (
    "android_app_name",
    "android_app_version",
    "android_device",
    "android_os_version",
    "android_sdk_version",
    "android_last_seen_at",
    "ios_app_name",
    "ios_app_version",
    "ios_device",
    "ios_os_version",
    "ios_sdk_version",
    "ios_last_seen_at",
)


# ---------------------------------------------------------------- wire shape


def _addressable(kind: str, listed: tuple[list[str], int], url: str, plural: str) -> AddressableList:
    """The first EMBEDDED_LIMIT of a contact's objects of one kind, given (those ids, how many in all)."""
    ids, total = listed
    shown = ids[:EMBEDDED_LIMIT]
    return AddressableList(
        data=[Addressable(type=kind, id=i, url=f"/{plural}/{i}") for i in shown],
        url=url,
        total_count=total,
        has_more=total > len(shown),
    )


NOTHING: tuple[list[str], int] = ([], 0)


def _out(
    row: Any, related: dict[str, dict[str, tuple[list[str], int]]], expanded_references: dict[str, Any]
) -> ContactOut:
    cid = row["id"]
    mine = related.get(cid, {})
    device = row["device"] or {}
    location = row["location"] or {}
    email = row["email"] or ""
    return ContactOut(
        id=cid,
        workspace_id=row["workspace_id"],
        external_id=row["external_id"],
        role=row["role"],
        email=email,
        email_domain=row["email_domain"] or "",
        phone=row["phone"],
        formatted_phone=row["phone"],
        name=row["name"],
        avatar=Avatar(image_url=row["avatar"]) if row["avatar"] else None,
        owner_id=row["owner_id"],
        social_profiles=SocialProfiles(data=[]),
        has_hard_bounced=row["has_hard_bounced"],
        marked_email_as_spam=row["marked_email_as_spam"],
        unsubscribed_from_emails=row["unsubscribed_from_emails"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        signed_up_at=row["signed_up_at"],
        last_seen_at=row["last_seen_at"],
        last_replied_at=row["last_replied_at"],
        last_contacted_at=row["last_contacted_at"],
        last_email_opened_at=row["last_email_opened_at"],
        last_email_clicked_at=row["last_email_clicked_at"],
        language_override=row["language_override"],
        browser=row["browser"],
        browser_version=row["browser_version"],
        browser_language=row["browser_language"],
        os=row["os"],
        location=Location(**{k: location.get(k) for k in LOCATION_FIELDS}),
        **{name: device.get(name) for name in DEVICE_FIELDS},
        custom_attributes={**(row["custom_attributes"] or {}), **expanded_references},
        tags=_addressable("tag", mine.get("tags", NOTHING), f"/contacts/{cid}/tags", "tags"),
        notes=_addressable("note", mine.get("notes", NOTHING), f"/contacts/{cid}/notes", "notes"),
        companies=_addressable("company", mine.get("companies", NOTHING), f"/contacts/{cid}/companies", "companies"),
        opted_out_subscription_types=_addressable(
            "subscription", mine.get("opt_out", NOTHING), f"/contacts/{cid}/subscriptions", "subscription_types"
        ),
        opted_in_subscription_types=_addressable(
            "subscription", mine.get("opt_in", NOTHING), f"/contacts/{cid}/subscriptions", "subscription_types"
        ),
    )


async def hydrate(uow: UnitOfWork, rows: list[Any]) -> list[ContactOut]:
    """Contacts as Intercom shows them, with their tags, notes, companies, subscriptions and custom object
    references: one statement for all of that (`contacts.related`), one more for the referenced custom
    object instances when some contact has references; whatever the number of contacts or their size."""
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    related: dict[str, dict[str, tuple[list[str], int]]] = defaultdict(dict)
    references_read: list[dict[str, Any]] = []
    for item in await related_of(uow, ids):
        if item["kind"] == "ref":
            references_read.append(
                {"owner_id": item["owner_id"], "attribute": item["detail"], "instance_id": item["item"]}
            )
            continue
        listed = related[item["owner_id"]].setdefault(item["kind"], ([], int(item["total"])))
        listed[0].append(item["item"])
    expanded = await references.expand_reference_rows(uow, references_read)
    return [_out(r, related, expanded.get(r["id"], {})) for r in rows]


async def contact_out(uow: UnitOfWork, row: Any) -> ContactOut:
    return (await hydrate(uow, [row]))[0]


def reference(row: Any) -> dict[str, Any]:
    return {"type": "contact", "id": row["id"], "external_id": row["external_id"]}


# ---------------------------------------------------------------- create, read, update, delete


async def _check_owner(uow: UnitOfWork, owner_id: int | None) -> None:
    if owner_id is not None and await admin_storage.get_admin(uow, owner_id) is None:
        raise invalid(f"owner_id {owner_id} is not an admin of this workspace", "owner_id")


async def serialise_identity(uow: UnitOfWork, role: str, email: str | None, external_id: str | None) -> None:
    """Queue behind concurrent writers of the same contact identity (external_id; a user's email)
    until this transaction ends: a check-then-write both would otherwise pass. Keys are taken in a
    fixed order, so two writers never wait on each other."""
    identities = [("contact-external-id", external_id)] if external_id else []
    if email and role == "user":
        identities.append(("contact-email", email_key(email) or ""))
    for key in sorted(identities):
        await uow.serialise(*key)


async def _refuse_conflict(
    uow: UnitOfWork, role: str, email: str | None, external_id: str | None, except_id: str | None = None
) -> None:
    await serialise_identity(uow, role, email, external_id)
    clash = await storage.conflicting_contact(uow, role=role, email=email, external_id=external_id, except_id=except_id)
    if clash is not None:
        raise CONFLICT(f"A contact matching those details already exists with id={clash['id']}")


def _email_fields(email: str | None) -> dict[str, Any]:
    if email is not None and email.strip() and "@" not in email:
        raise invalid("email is not a valid email address", "email")
    email = email.strip() if email and email.strip() else None
    return {
        "email": email,
        "email_key": email_key(email),
        "email_domain": email.rsplit("@", 1)[-1].lower() if email else None,
    }


async def create(uow: UnitOfWork, data: ContactWrite) -> ContactOut:
    fields = present(data)
    role = fields.pop("role", None) or "user"
    if role not in ROLES:
        raise invalid("role must be either user or lead", "role")
    email = fields.get("email")
    external_id = fields.get("external_id")
    if role == "user" and not email and not external_id:
        raise invalid("A user needs an email or an external_id", "email")
    if "email" in fields:
        _email_fields(email)
    await _refuse_conflict(uow, role, email, external_id)
    await _check_owner(uow, fields.get("owner_id"))
    given = fields.pop("custom_attributes", None)
    plain, instance_ids = await references.split_custom_attributes(uow, OWNER_TYPE, given)
    custom = await attributes.check_custom_attributes(uow, "contact", plain)
    extra = {k: v for k, v in fields.items() if k not in ("email", "external_id", "name") and v is not None}
    return await insert_and_announce(
        uow,
        role=role,
        email=email.strip() if email else None,
        external_id=external_id or None,
        name=fields.get("name"),
        custom_attributes={k: v for k, v in custom.items() if v is not None},
        instance_ids=instance_ids,
        unsubscribed_from_emails=bool(extra.pop("unsubscribed_from_emails", False)),
        **extra,
    )


async def insert_and_announce(
    uow: UnitOfWork, *, role: str, instance_ids: dict[str, list[int]] | None = None, **values: Any
) -> ContactOut:
    """Insert a checked contact and record `contact.{role}.created` with it as the API shows it.

    The one way a contact comes to be: `create` uses it, and so do other areas that create contacts
    (a ticket for an unknown email), so every new contact is announced. `values` are columns
    (`storage.insert_contact`); `instance_ids` its custom object references, already checked.
    """
    flags = {"has_hard_bounced": False, "marked_email_as_spam": False, "unsubscribed_from_emails": False}
    contact_id = await storage.insert_contact(
        uow, role=role, **{**flags, "archived": False, "blocked": False, **values}
    )
    await references.save_references(uow, OWNER_TYPE, contact_id, instance_ids or {})
    row = await storage.get_contact(uow, contact_id)
    # A new contact has no tags, notes, companies or subscriptions yet: only references need reading.
    out = await contact_out(uow, row) if instance_ids else _out(row, {}, {})
    await record_event(uow, f"contact.{role}.created", as_rendered(out), subject_type="contact", subject_id=contact_id)
    return out


def as_rendered(out: Any) -> Any:
    """`out` for `record_event`'s lazy `item`: serialised only if someone wants the event."""

    async def render() -> Any:
        return out

    return render


async def get(uow: UnitOfWork, contact_id: str) -> ContactOut:
    return await contact_out(uow, await live_row(uow, contact_id))


async def get_by_external_id(uow: UnitOfWork, external_id: str) -> ContactOut:
    row = found(await storage.find_contact(uow, external_id=external_id), contact_not_found())
    return await contact_out(uow, row)


async def update(uow: UnitOfWork, contact_id: str, data: ContactWrite) -> ContactOut:
    row = await live_row(uow, contact_id)
    fields = present(data)
    values: dict[str, Any] = {}
    role = fields.pop("role", row["role"]) or row["role"]
    if role not in ROLES:
        raise invalid("role must be either user or lead", "role")
    if role == "lead" and row["role"] == "user":
        raise invalid("A user cannot be changed into a lead", "role")
    topics: list[str] = []
    if role != row["role"]:
        values["role"] = role
        values["signed_up_at"] = row["signed_up_at"] or clock.now()
        topics.append("contact.lead.signed_up")
    if "email" in fields:
        values.update(_email_fields(fields.pop("email")))
        if values["email_key"] != row["email_key"]:
            topics.append("contact.email.updated")
    if "external_id" in fields:
        values["external_id"] = fields.pop("external_id") or None
    if "email" in values or "external_id" in values or "role" in values:
        await _refuse_conflict(
            uow,
            role,
            values.get("email", row["email"]),
            values.get("external_id", row["external_id"]),
            except_id=row["id"],
        )
    if "owner_id" in fields:
        await _check_owner(uow, fields["owner_id"])
    instance_ids: dict[str, list[int]] = {}
    if "custom_attributes" in fields:
        # References to custom object instances are checked and kept apart (`custom_objects.references`).
        plain, instance_ids = await references.split_custom_attributes(uow, OWNER_TYPE, fields.pop("custom_attributes"))
        given = await attributes.check_custom_attributes(uow, "contact", plain)
        merged = {**(row["custom_attributes"] or {}), **given}
        values["custom_attributes"] = {k: v for k, v in merged.items() if v is not None}
    if "unsubscribed_from_emails" in fields:
        values["unsubscribed_from_emails"] = bool(fields.pop("unsubscribed_from_emails"))
    values.update(fields)
    values["updated_at"] = clock.now()
    await storage.update_contact(uow, row["id"], values)
    await references.save_references(uow, OWNER_TYPE, row["id"], instance_ids)
    out = await contact_out(uow, await storage.get_contact(uow, row["id"]))
    item = as_rendered(out)
    for topic in (f"contact.{role}.updated", *topics):
        await record_event(uow, topic, item, subject_type="contact", subject_id=row["id"])
    return out


async def delete(uow: UnitOfWork, contact_id: str) -> ContactDeleted:
    row = await live_row(uow, contact_id)
    await references.clear_owner_references(uow, OWNER_TYPE, row["id"])
    await storage.delete_contact(uow, row["id"])
    deleted = ContactDeleted(id=row["id"], external_id=row["external_id"], deleted=True)
    await record_event(uow, "contact.deleted", deleted)
    return deleted


async def archive(uow: UnitOfWork, contact_id: str, archived: bool) -> ContactArchived:
    row = await live_row(uow, contact_id)
    await storage.update_contact(uow, row["id"], {"archived": archived, "updated_at": clock.now()})
    await record_event(uow, "contact.archived" if archived else "contact.unarchive", reference(row))
    return ContactArchived(id=row["id"], external_id=row["external_id"], archived=archived)


async def block(uow: UnitOfWork, contact_id: str) -> ContactBlocked:
    row = await live_row(uow, contact_id)
    await storage.update_contact(uow, row["id"], {"blocked": True, "updated_at": clock.now()})
    return ContactBlocked(id=row["id"], external_id=row["external_id"], blocked=True)


# ---------------------------------------------------------------- merge


async def merge(uow: UnitOfWork, data: MergeRequest) -> ContactOut:
    if not data.from_:
        raise missing("from")
    if not data.into:
        raise missing("into")
    lead = await live_row(uow, data.from_)
    user = await live_row(uow, data.into)
    if lead["role"] != "lead":
        raise invalid("The contact to merge from must be a lead", "from")
    if user["role"] != "user":
        raise invalid("The contact to merge into must be a user", "into")
    now = clock.now()
    for tagging in await storage.tags_of(uow, [lead["id"]]):
        if await storage.find_tagging(uow, user["id"], tagging["id"]) is None:
            await storage.tag_contact(uow, user["id"], tagging["id"], tagging["applied_by_admin_id"], now)
    for company in await company_storage.companies_of(uow, [lead["id"]]):
        if await company_storage.find_attachment(uow, user["id"], company["id"]) is None:
            await company_storage.attach(uow, user["id"], company["id"], now)
    await note_storage.move_notes(uow, lead["id"], user["id"])
    kept = {s["id"] for s in await subscription_storage.consents_of(uow, [user["id"]])}
    for consent in await subscription_storage.consents_of(uow, [lead["id"]]):
        if consent["id"] not in kept:
            await subscription_storage.set_consent(uow, user["id"], consent["id"], consent["given_consent"], now)
    values: dict[str, Any] = {
        "custom_attributes": {**(lead["custom_attributes"] or {}), **(user["custom_attributes"] or {})},
        "updated_at": now,
    }
    for name in ("name", "phone", "avatar", "owner_id", "last_seen_at"):
        if user[name] is None and lead[name] is not None:
            values[name] = lead[name]
    if user["email"] is None and lead["email"] is not None:
        values.update(_email_fields(lead["email"]))
    await storage.update_contact(uow, user["id"], values)
    await storage.update_contact(uow, lead["id"], {"merged_into_id": user["id"], "updated_at": now})
    await references.clear_owner_references(uow, OWNER_TYPE, lead["id"])
    out = await contact_out(uow, await storage.get_contact(uow, user["id"]))
    await record_event(uow, "contact.merged", {**event_item(out), "merged_from": {"type": "contact", "id": lead["id"]}})
    return out


# ---------------------------------------------------------------- list and search


def visible(uow: UnitOfWork) -> Any:
    """Contacts lists and searches show: not merged away, not archived."""
    return uow.select(contacts).where(contacts.c.merged_into_id.is_(None), contacts.c.archived.is_(False))


async def _page(uow: UnitOfWork, stmt: Any, fields: Searchable, **kwargs: Any) -> ContactList:
    page = await search_page(uow, stmt, fields, max_per_page=MAX_PER_PAGE, **kwargs)
    return ContactList(data=await hydrate(uow, page.rows), total_count=page.total_count, pages=page.pages)


async def list_page(uow: UnitOfWork, per_page: int | None, starting_after: str | None) -> ContactList:
    fields = contact_fields(uow.dialect)
    pagination = {"per_page": per_page, "starting_after": starting_after}
    return await _page(uow, visible(uow), fields, pagination=pagination, default_per_page=LIST_PER_PAGE)


async def search(uow: UnitOfWork, data: SearchRequest) -> ContactList:
    types = await attributes.custom_types(uow, "contact")
    fields = contact_fields(uow.dialect, await segment_service.saved_queries(uow, "contact", types))
    condition = compile_query(fields, data.query, uow.dialect, types)
    return await _page(
        uow,
        visible(uow),
        fields,
        condition=condition,
        sort=data.sort,
        pagination=data.pagination,
        default_per_page=SEARCH_PER_PAGE,
    )


# ---------------------------------------------------------------- tags


def _tag_out(row: Any) -> ContactTagOut:
    admin = row["applied_by_admin_id"]
    return ContactTagOut(
        id=str(row["id"]),
        name=row["name"],
        applied_at=row["applied_at"],
        applied_by=AppliedBy(id=str(admin)) if admin is not None else None,
    )


async def list_tags(uow: UnitOfWork, contact_id: str) -> ContactTagList:
    row = await live_row(uow, contact_id)
    return ContactTagList(data=[_tag_out(t) for t in await storage.tags_of(uow, [row["id"]])])


async def _tag_event(uow: UnitOfWork, contact: Any, tag: Any, action: str) -> None:
    item = {
        "type": "contact_tag",
        "created_at": clock.now(),
        "tag": event_item(TagOut.from_row(tag)),
        "contact": reference(contact),
    }
    await record_event(uow, f"contact.{contact['role']}.tag.{action}", item, subject_id=contact["id"])


async def _tagging(uow: UnitOfWork, contact_id: str, tag_id: int) -> Any:
    return next((t for t in await storage.tags_of(uow, [contact_id]) if t["id"] == tag_id), None)


TAGGABLE = taggings.Taggable("contact", _tagging, storage.tag_contact, storage.untag_contact)


async def attach_tag(uow: UnitOfWork, contact_id: str, data: TagIdRequest) -> ContactTagOut:
    contact = await live_row(uow, contact_id)
    if data.id is None or data.id == "":
        raise missing("id")
    tag = await tag_service.row_by_id(uow, data.id)
    applied, created = await taggings.attach(uow, TAGGABLE, contact["id"], tag, uow.admin_id)
    if created:
        await _tag_event(uow, contact, tag, "created")
    return _tag_out(applied)


async def detach_tag(uow: UnitOfWork, contact_id: str, tag_id: str) -> ContactTagOut:
    contact = await live_row(uow, contact_id)
    tag = await tag_service.row_by_id(uow, tag_id)
    applied = await taggings.detach(uow, TAGGABLE, contact["id"], tag)
    if applied is None:
        return ContactTagOut(id=str(tag["id"]), name=tag["name"], applied_at=None, applied_by=None)
    await _tag_event(uow, contact, tag, "deleted")
    return _tag_out(applied)


async def tag_by_reference(uow: UnitOfWork, reference_: dict[str, Any], tag: Any, untag: bool) -> None:
    """Tag or untag the contact a `POST /tags` `users` entry names (by id, external_id/user_id, or email)."""
    contact = found(
        await storage.find_contact(
            uow,
            id=reference_.get("id"),
            external_id=reference_.get("external_id") or reference_.get("user_id"),
            email=reference_.get("email"),
        ),
        contact_not_found(),
    )
    if untag:
        if await taggings.detach(uow, TAGGABLE, contact["id"], tag) is not None:
            await _tag_event(uow, contact, tag, "deleted")
    elif (await taggings.attach(uow, TAGGABLE, contact["id"], tag, uow.admin_id))[1]:
        await _tag_event(uow, contact, tag, "created")
