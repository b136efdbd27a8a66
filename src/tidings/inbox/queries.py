"""The inbox's reads: the conversation list with its filters, the sidebar's counts, search.

All run in the signed-in teammate's unit of work (scoped to their workspace). The list is keyset
paged on (updated_at, id), newest first, as the Conversations API lists them, and served by the
`ix_conversations_workspace_updated` index; the counts are one aggregate over the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, and_, case, cast, func, or_, select, union

from tidings.contacts.storage import contacts
from tidings.conversations.storage import conversation_contacts, conversation_parts, conversations
from tidings.core import clock
from tidings.core.uow import UnitOfWork
from tidings.custom_channel.storage import FIN_HANDED_OVER, custom_channel_conversations
from tidings.fin.storage import fin_conversations
from tidings.teams import storage as team_storage

PAGE_SIZE = 50
MAX_QUERY = 200
STATES = ("open", "snoozed", "closed", "all")
ASSIGNEES = ("all", "me", "teams", "unassigned")
PREVIEW_TYPES = ("comment", "open", "quick_reply", "note")
c = conversations.c


@dataclass(frozen=True, slots=True)
class ListFilter:
    state: str = "open"
    assignee: str = "all"
    handed_over: bool = False
    priority: bool = False
    query: str = ""

    @classmethod
    def parse(cls, state: str | None, assignee: str | None, fin: str | None, priority: str | None, q: str | None):
        return cls(
            state=state if state in STATES else "open",
            assignee=assignee if assignee in ASSIGNEES else "all",
            handed_over=fin == "1",
            priority=priority == "1",
            query=(q or "").strip()[:MAX_QUERY],
        )

    def params(self, **changes: Any) -> dict[str, str]:
        """The filter as query parameters (for links), with `changes` applied."""
        values = {
            "state": self.state,
            "assignee": self.assignee,
            "fin": "1" if self.handed_over else "",
            "priority": "1" if self.priority else "",
            "q": self.query,
            **changes,
        }
        return {k: v for k, v in values.items() if v}


def state_condition(state: str, now: int) -> Any:
    """A snooze that has run out reads as open (as the API shows it)."""
    woken = (c.state == "snoozed") & (c.snoozed_until <= now)
    if state == "open":
        return (c.state == "open") | woken
    if state == "snoozed":
        return (c.state == "snoozed") & ~woken
    if state == "closed":
        return c.state == "closed"
    return None


def handed_over_condition(uow: UnitOfWork) -> Any:
    """Conversations Fin handed to the team: through the Fin Agent API or the custom channel."""
    from_fin = uow.select(fin_conversations, cast(fin_conversations.c.intercom_conversation_id, BigInteger)).where(
        fin_conversations.c.intercom_conversation_id.is_not(None)
    )
    from_channel = select(custom_channel_conversations.c.conversation_id).where(
        custom_channel_conversations.c.workspace_id == uow.workspace_id,
        custom_channel_conversations.c.fin_state == FIN_HANDED_OVER,
    )
    return c.id.in_(from_fin) | c.id.in_(from_channel)


async def is_handed_over(uow: UnitOfWork, conversation_id: int) -> bool:
    row = await uow.one_or_none(
        uow.select(conversations, c.id).where(c.id == conversation_id, handed_over_condition(uow))
    )
    return row is not None


async def my_team_ids(uow: UnitOfWork, admin_id: int) -> list[int]:
    return [int(t["id"]) for t in await team_storage.list_teams(uow) if admin_id in [int(a) for a in t["admin_ids"]]]


def assignee_condition(assignee: str, admin_id: int, team_ids: list[int]) -> Any:
    if assignee == "me":
        return c.admin_assignee_id == admin_id
    if assignee == "teams":
        return c.team_assignee_id.in_(team_ids) if team_ids else c.id.is_(None)
    if assignee == "unassigned":
        return c.admin_assignee_id.is_(None)
    return None


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_condition(uow: UnitOfWork, text: str) -> Any:
    """The words appear in the opening message, the title or a part, or in a participant's name or
    email: a substring match, case-insensitive.

    Each place is its own query of matching conversation ids, so that each can use its own
    index: on PostgreSQL, trigram indexes on the lower-cased texts (`pg_trgm`, migration 0840) make
    a search read the rows that match rather than every message of the workspace."""
    pattern = _like(text)

    def like(column: Any) -> Any:
        return func.lower(column).like(pattern, escape="\\")

    searched = conversations.alias("searched")
    in_opening = uow.select(searched, searched.c.id).where(or_(like(searched.c.source_body), like(searched.c.title)))
    in_parts = uow.select(conversation_parts, conversation_parts.c.conversation_id).where(
        like(conversation_parts.c.body)
    )
    by_contact = (
        uow.select(conversation_contacts, conversation_contacts.c.conversation_id)
        .join(contacts, contacts.c.id == conversation_contacts.c.contact_id)
        .where(or_(like(contacts.c.name), like(contacts.c.email)))
    )
    if uow.dialect == "postgresql":
        # One set of ids, each part from its trigram index, not OR-ed tests: the planner joins the
        # matches to the page instead of testing every conversation of the workspace.
        return c.id.in_(union(in_opening, in_parts, by_contact))
    # SQLite has no such index: the opening message is tested on the rows the page walks (it stops
    # at a page's worth of matches), the parts and contacts are matched once.
    return or_(like(c.source_body), like(c.title), c.id.in_(in_parts), c.id.in_(by_contact))


async def list_conditions(uow: UnitOfWork, selected: ListFilter, admin_id: int, team_ids: list[int]) -> list[Any]:
    conditions = [
        state_condition(selected.state, clock.now()),
        assignee_condition(selected.assignee, admin_id, team_ids),
    ]
    if selected.handed_over:
        conditions.append(handed_over_condition(uow))
    if selected.priority:
        conditions.append(c.priority == "priority")
    if selected.query:
        conditions.append(search_condition(uow, selected.query))
    return [condition for condition in conditions if condition is not None]


@dataclass(frozen=True, slots=True)
class ListPage:
    rows: list[Any]
    previews: dict[int, dict[str, Any]]  # each conversation's latest message part (comment, note...)
    contacts: dict[int, dict[str, Any]]  # each conversation's first participant (name, email)
    next_cursor: tuple[int, int] | None  # None at the end


async def conversation_page(
    uow: UnitOfWork, selected: ListFilter, admin_id: int, team_ids: list[int], before: tuple[int, int] | None
) -> ListPage:
    """One page of rows, newest first, with each row's preview line and contact: one statement.

    The page (keyset paged on the `ix_conversations_workspace_updated` index) is a subquery; the
    outer query joins each of its rows to its latest message part and its first participant, found
    by correlated subqueries on the per-conversation indexes. One round trip rather than three: under load, every round
    trip costs the request a scheduling delay, far more than these statements take to run."""
    stmt = uow.select(
        conversations,
        c.id,
        c.title,
        c.state,
        c.snoozed_until,
        c.read,
        c.priority,
        c.admin_assignee_id,
        c.team_assignee_id,
        c.source_subject,
        c.source_body,
        c.waiting_since,
        c.updated_at,
    ).where(*await list_conditions(uow, selected, admin_id, team_ids))
    if before is not None:
        updated_at, conversation_id = before
        stmt = stmt.where(or_(c.updated_at < updated_at, and_(c.updated_at == updated_at, c.id < conversation_id)))
    page = stmt.order_by(c.updated_at.desc(), c.id.desc()).limit(PAGE_SIZE + 1).subquery("page")
    # Correlated to the page's rows, outside the paged subquery: run for its rows only, whatever
    # plan the database picks for the page (SQLite sorts a selective filter's matches, and would
    # run subqueries of the paged select for every match).
    p = conversation_parts.c
    cc = conversation_contacts.c
    latest_part = (
        select(func.max(p.id))
        .where(p.conversation_id == page.c.id, p.part_type.in_(PREVIEW_TYPES), p.body.is_not(None))
        .scalar_subquery()
    )
    first_contact = (
        select(cc.contact_id).where(cc.conversation_id == page.c.id).order_by(cc.id).limit(1).scalar_subquery()
    )
    part = conversation_parts.alias("preview")
    person = contacts.alias("person")
    joined = page.outerjoin(part, and_(part.c.id == latest_part, part.c.workspace_id == uow.workspace_id))
    joined = joined.outerjoin(person, and_(person.c.id == first_contact, person.c.workspace_id == uow.workspace_id))
    found = await uow.all(
        select(
            page,
            part.c.part_type.label("preview_part_type"),
            part.c.body.label("preview_body"),
            part.c.author_type.label("preview_author_type"),
            person.c.id.label("contact_id"),
            person.c.name.label("contact_name"),
            person.c.email.label("contact_email"),
        )
        .select_from(joined)
        .order_by(page.c.updated_at.desc(), page.c.id.desc())
    )
    more = len(found) > PAGE_SIZE
    rows = found[:PAGE_SIZE]
    previews = {
        row["id"]: {
            "part_type": row["preview_part_type"],
            "body": row["preview_body"],
            "author_type": row["preview_author_type"],
        }
        for row in rows
        if row["preview_part_type"] is not None
    }
    people = {
        row["id"]: {"id": row["contact_id"], "name": row["contact_name"], "email": row["contact_email"]}
        for row in rows
        if row["contact_id"] is not None
    }
    return ListPage(rows, previews, people, (rows[-1]["updated_at"], rows[-1]["id"]) if more else None)


async def sidebar_counts(uow: UnitOfWork, admin_id: int, team_ids: list[int]) -> dict[str, dict[str, int]]:
    """Open conversations (and unread among them) per view: all, mine, my teams, unassigned, Fin's, priority."""
    views = {
        "all": c.id.is_not(None),
        "me": assignee_condition("me", admin_id, team_ids),
        "teams": assignee_condition("teams", admin_id, team_ids),
        "unassigned": assignee_condition("unassigned", admin_id, team_ids),
        "fin": handed_over_condition(uow),
        "priority": c.priority == "priority",
    }
    unread = c.read.is_(False)
    columns = []
    for name, condition in views.items():
        columns.append(func.sum(case((condition, 1), else_=0)).label(f"{name}_total"))
        columns.append(func.sum(case((condition & unread, 1), else_=0)).label(f"{name}_unread"))
    row = await uow.one_or_none(uow.select(conversations, *columns).where(state_condition("open", clock.now())))
    return {
        name: {
            "total": int((row or {}).get(f"{name}_total") or 0),
            "unread": int((row or {}).get(f"{name}_unread") or 0),
        }
        for name in views
    }
