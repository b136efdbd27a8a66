"""Hand-over to humans: the Fin exchange becomes an Intercom conversation in the default team's inbox.

The first hand-over opens a conversation for the user with the exchange as its parts (the user's
messages as the user's, with their attachments, Fin's as the Fin bot's, a caller's human agent's as
the first admin's);
a later hand-over of the same Fin conversation appends what was said since. Either way the
conversation is then assigned to the workspace's default team (the first team; a "Support" team is
created when the workspace has none). The Conversations area records its webhooks
(`conversation.user.created`, `conversation.user.replied`, `conversation.admin.assigned`...).
"""

from __future__ import annotations

from typing import Any

from tidings.admins.storage import first_admin_id
from tidings.conversations.engine import Author, add_part, start_conversation
from tidings.core import clock
from tidings.core.uow import UnitOfWork
from tidings.fin import storage
from tidings.teams import storage as team_storage

DEFAULT_TEAM_NAME = "Support"
FIN_BOT = Author.bot("fin", "Fin")


async def default_team(uow: UnitOfWork) -> int:
    teams = await team_storage.list_teams(uow)
    if teams:
        return int(teams[0]["id"])
    return await team_storage.insert_team(uow, DEFAULT_TEAM_NAME, [], clock.now())


async def _author(uow: UnitOfWork, message: Any, contact_id: str) -> Author:
    if message["author"] == "user":
        return Author.contact(contact_id, "user")
    if message["author"] == "agent":
        admin_id = await first_admin_id(uow)
        if admin_id is not None:
            return Author.admin(admin_id)
    return FIN_BOT


async def hand_over(uow: UnitOfWork, conversation: Any, reason: str) -> str:
    """Copy the exchange not yet copied into the Intercom conversation, assign it; returns its id."""
    messages = [m for m in await storage.list_messages(uow, conversation["id"]) if not m["handed_over"]]
    intercom_id = conversation["intercom_conversation_id"]
    contact_id = conversation["contact_id"]
    if intercom_id is None:
        opening = next((m for m in messages if m["author"] == "user"), None)
        numeric = await start_conversation(
            uow,
            contact_id=contact_id,
            body=opening["body"] if opening else reason,
            attachment_urls=opening["attachment_urls"] if opening else None,
            ai_agent_participated=True,
        )
        intercom_id = str(numeric)
        messages = [m for m in messages if opening is None or m["id"] != opening["id"]]
    for message in messages:
        author = await _author(uow, message, contact_id)
        await add_part(
            uow, int(intercom_id), author, "comment", message["body"], attachment_urls=message["attachment_urls"]
        )
    team_id = await default_team(uow)
    await add_part(
        uow,
        int(intercom_id),
        FIN_BOT,
        "assignment",
        f"Fin handed over: {reason}",
        assigned_to=("team", str(team_id)),
        changes={"team_assignee_id": team_id},
    )
    await storage.mark_handed_over(uow, conversation["id"])
    await storage.update_conversation(uow, conversation["id"], {"intercom_conversation_id": intercom_id})
    return intercom_id
