"""Reading a workspace from an Intercom-compatible server with the official SDK (`python-intercom`).

Every object comes back as plain JSON (the GET shape); lists are paged to the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from intercom import Intercom

PER_PAGE = 50


def plain(model: Any) -> Any:
    return model.model_dump(mode="json", by_alias=True)


def _paging(per_page: int, starting_after: str | None) -> dict[str, Any]:
    query: dict[str, Any] = {"per_page": per_page}
    if starting_after:
        query["starting_after"] = starting_after
    return {"additional_query_parameters": query}


def _next_cursor(page: dict[str, Any]) -> str | None:
    following = (page.get("pages") or {}).get("next")
    return following.get("starting_after") if isinstance(following, dict) else None


class Source:
    def __init__(self, base_url: str, token: str, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = Intercom(token=token, base_url=self.base_url, httpx_client=httpx.Client(timeout=timeout))
        self.api = self.client.unstable

    def identity(self) -> str:
        """Which app this is: the source key the import map is kept under."""
        me = plain(self.api.admins.identify_admin())
        app = me.get("app") or {}
        return f"{self.base_url}#{app.get('id_code') or me.get('id')}"

    def admins(self) -> list[dict[str, Any]]:
        return plain(self.api.admins.list_admins())["admins"]

    def teams(self) -> list[dict[str, Any]]:
        return plain(self.api.teams.list_teams())["teams"]

    def tags(self) -> list[dict[str, Any]]:
        return plain(self.api.tags.list_tags())["data"]

    def data_attributes(self) -> list[dict[str, Any]]:
        found = []
        for model in ("contact", "company"):
            for attribute in plain(self.api.data_attributes.lis_data_attributes(model=model))["data"]:
                if attribute.get("custom") and not attribute.get("archived"):
                    found.append(attribute)
        return found

    def companies(self) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            listed = plain(self.api.companies.list_all_companies(page=page, per_page=PER_PAGE))
            yield from listed["data"]
            if page >= ((listed.get("pages") or {}).get("total_pages") or 1):
                return
            page += 1

    def contacts(self) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            listed = plain(self.api.contacts.list_contacts(request_options=_paging(PER_PAGE, cursor)))
            yield from listed["data"]
            cursor = _next_cursor(listed)
            if not cursor:
                return

    def contact_tags(self, contact_id: str) -> list[dict[str, Any]]:
        return plain(self.api.contacts.list_tags_for_a_contact(contact_id))["data"]

    def contact_companies(self, contact_id: str) -> list[dict[str, Any]]:
        return plain(self.api.contacts.list_companies_for_a_contact(contact_id)).get("companies") or []

    def conversations(self) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            listed = plain(self.api.conversations.list_conversations(per_page=PER_PAGE, starting_after=cursor))
            for brief in listed["conversations"]:
                yield plain(self.api.conversations.retrieve_conversation(int(brief["id"]), display_as="plaintext"))
            cursor = _next_cursor(listed)
            if not cursor:
                return

    def ticket_types(self) -> list[dict[str, Any]]:
        return plain(self.api.ticket_types.list_ticket_types())["data"]

    def tickets(self) -> Iterator[dict[str, Any]]:
        cursor = None
        query = {"field": "created_at", "operator": ">", "value": "0"}
        while True:
            paging: dict[str, Any] = {"per_page": PER_PAGE}
            if cursor:
                paging["starting_after"] = cursor
            listed = plain(self.api.tickets.search_tickets(query=query, pagination=paging))
            yield from listed["tickets"]
            cursor = _next_cursor(listed)
            if not cursor:
                return

    def content_import_sources(self) -> list[dict[str, Any]]:
        return plain(self.api.ai_content.list_content_import_sources())["data"]

    def external_pages(self) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            listed = plain(
                self.api.ai_content.list_external_pages(
                    request_options={"additional_query_parameters": {"page": page, "per_page": PER_PAGE}}
                )
            )
            yield from listed["data"]
            if page >= ((listed.get("pages") or {}).get("total_pages") or 1):
                return
            page += 1
