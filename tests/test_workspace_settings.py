"""Away status reasons, brands, email settings and macros: set up in the management API, read
through the official SDK."""

from __future__ import annotations

import pytest
from intercom.core.api_error import ApiError

from tests.support.live import LiveServer, Workspace
from tests.support.setup import assert_error, management, setup


def owner_id(client) -> str:  # type: ignore[no-untyped-def]
    return client.unstable.admins.identify_admin().id


class TestAwayStatusReasons:
    def test_listed_in_order_deleted_ones_included(self, server: LiveServer, workspace: Workspace, client) -> None:
        assert client.unstable.away_status_reasons.list_away_status_reasons() == []
        lunch = setup(server, workspace, "POST", "away_status_reasons", {"label": "On lunch", "emoji": "🍔"})
        brk = setup(
            server, workspace, "POST", "away_status_reasons", {"label": "On a break", "emoji": "☕", "order": 0}
        )
        setup(server, workspace, "DELETE", f"away_status_reasons/{lunch['id']}")
        reasons = client.unstable.away_status_reasons.list_away_status_reasons()
        assert [(r.label, r.emoji, r.deleted) for r in reasons] == [
            ("On a break", "☕", False),
            ("On lunch", "🍔", True),
        ]
        assert reasons[0].id == brk["id"]
        assert isinstance(reasons[0].created_at, int)

    def test_set_away_checks_the_reason(self, server: LiveServer, workspace: Workspace, client) -> None:
        admin = owner_id(client)
        live = setup(server, workspace, "POST", "away_status_reasons", {"label": "Focus", "emoji": "🎧"})
        gone = setup(server, workspace, "POST", "away_status_reasons", {"label": "Old", "emoji": "🕰"})
        setup(server, workspace, "DELETE", f"away_status_reasons/{gone['id']}")
        body = {"away_mode_enabled": True, "away_mode_reassign": False}
        deleted = workspace.http.put(f"/admins/{admin}/away", json={**body, "away_status_reason_id": int(gone["id"])})
        assert_error(deleted, 400, "parameter_invalid", "Away status reason is deleted")
        unknown = workspace.http.put(f"/admins/{admin}/away", json={**body, "away_status_reason_id": 999999})
        assert_error(unknown, 400, "parameter_invalid")
        away = client.unstable.admins.set_away_admin(
            id=int(admin), away_mode_enabled=True, away_mode_reassign=False, away_status_reason_id=int(live["id"])
        )
        assert away.away_mode_enabled is True

    def test_mandatory_reason(self, server: LiveServer, workspace: Workspace, client) -> None:
        admin = owner_id(client)
        setup(server, workspace, "PUT", "away_settings", {"reason_mandatory": True})
        refused = workspace.http.put(
            f"/admins/{admin}/away", json={"away_mode_enabled": True, "away_mode_reassign": False}
        )
        assert_error(refused, 400, "away_status_reason_mandatory", "Away status reason is mandatory")
        back = client.unstable.admins.set_away_admin(id=int(admin), away_mode_enabled=False, away_mode_reassign=False)
        assert back.away_mode_enabled is False

    def test_bad_set_up_is_refused(self, server: LiveServer, workspace: Workspace) -> None:
        response = management(
            server, "POST", f"/workspaces/{workspace.id}/away_status_reasons", json={"label": " ", "emoji": "x"}
        )
        assert_error(response, 400, "parameter_invalid")
        missing = management(server, "DELETE", f"/workspaces/{workspace.id}/away_status_reasons/77")
        assert_error(missing, 404, "not_found")


class TestBrandsAndEmails:
    def test_default_brand_and_address(self, workspace: Workspace, client) -> None:
        brands = client.unstable.brands.list_brands()
        assert brands.type == "list"
        assert len(brands.data) == 1
        default = brands.data[0]
        default_center = workspace.http.get("/help_center/help_centers").json()["data"][0]
        assert default.help_center_id == default_center["id"]
        assert default.id == workspace.id
        assert default.is_default is True
        assert default.name == "test"
        emails = client.unstable.emails.list_emails()
        assert [e.email for e in emails.data] == [f"support@{workspace.id}.tidings.local"]
        address = emails.data[0]
        assert default.default_address_settings_id == address.id
        assert address.brand_id == workspace.id
        assert address.verified is True
        assert address.domain == f"{workspace.id}.tidings.local"
        assert address.forwarded_email_last_received_at is None
        assert client.unstable.brands.retrieve_brand(id=workspace.id).id == workspace.id
        assert client.unstable.emails.retrieve_email(id=address.id).email == address.email

    def test_extra_brand_and_address(self, server: LiveServer, workspace: Workspace, client) -> None:
        center = setup(server, workspace, "POST", "help_centers", {"identifier": "premium-help"})
        premium = setup(server, workspace, "POST", "brands", {"name": "Premium", "help_center_id": center["id"]})
        hello = setup(
            server, workspace, "POST", "email_settings", {"email": "hello@Premium.example", "brand_id": premium["id"]}
        )
        assert hello["verified"] is False
        assert hello["domain"] == "premium.example"
        setup(server, workspace, "PUT", f"email_settings/{hello['id']}", {"verified": True, "forwarding_enabled": True})
        brand = client.unstable.brands.retrieve_brand(id=premium["id"])
        assert (brand.name, brand.is_default, brand.help_center_id) == ("Premium", False, center["id"])
        assert brand.default_address_settings_id == hello["id"]
        email = client.unstable.emails.retrieve_email(id=hello["id"])
        assert (email.verified, email.forwarding_enabled, email.brand_id) == (True, True, premium["id"])
        assert [b.id for b in client.unstable.brands.list_brands().data] == [workspace.id, premium["id"]]
        unknown = management(
            server, "POST", f"/workspaces/{workspace.id}/brands", json={"name": "X", "help_center_id": "999"}
        )
        assert_error(unknown, 400, "parameter_invalid")
        duplicate = management(
            server, "POST", f"/workspaces/{workspace.id}/email_settings", json={"email": "hello@Premium.example"}
        )
        assert_error(duplicate, 400, "parameter_invalid")

    def test_unknown_ids(self, server: LiveServer, workspace: Workspace) -> None:
        assert_error(workspace.http.get("/brands/nope"), 404, "not_found", "Brand not found")
        assert_error(workspace.http.get("/emails/²"), 404, "not_found", "Email setting not found")
        other = server.new_workspace("other")
        assert_error(workspace.http.get(f"/brands/{other.id}"), 404, "not_found", "Brand not found")


class TestMacros:
    def test_rendering_and_visibility(self, server: LiveServer, workspace: Workspace, client) -> None:
        admin = int(owner_id(client))
        team = setup(server, workspace, "POST", "teams", {"name": "Billing", "admin_ids": [admin]})
        other = setup(server, workspace, "POST", "teams", {"name": "Sales", "admin_ids": []})
        template = "Hi {{user.name | fallback: 'there'}}, order #{{order.number}} & more!\n\nBye <3"
        everyone = setup(server, workspace, "POST", "macros", {"name": "Order status", "body": template})
        mine = setup(
            server,
            workspace,
            "POST",
            "macros",
            {"name": "Billing", "body": "Refund", "visible_to": "specific_teams", "visible_to_team_ids": [team["id"]]},
        )
        hidden = setup(
            server,
            workspace,
            "POST",
            "macros",
            {"name": "Sales", "body": "Demo", "visible_to": "specific_teams", "visible_to_team_ids": [other["id"]]},
        )
        macro = client.unstable.macros.get_macro(id=everyone["id"])
        assert macro.body == (
            '<p>Hi <attribute key="user.name" default="there"/>, order #<attribute key="order.number"/> &amp; more!</p>'
            "<p>Bye &lt;3</p>"
        )
        assert macro.body_text == 'Hi {{user.name|fallback:"there"}}, order #{{order.number}} & more!\n\nBye <3'
        assert macro.available_on == ["inbox", "messenger"]
        assert macro.visible_to == "everyone"
        raw = workspace.http.get(f"/macros/{everyone['id']}").json()
        assert raw["created_at"].endswith(".000Z")
        assert raw["type"] == "macro"
        assert client.unstable.macros.get_macro(id=mine["id"]).visible_to_team_ids == [team["id"]]
        assert_error(workspace.http.get(f"/macros/{hidden['id']}"), 404, "not_found", "Macro not found")
        listed = client.unstable.macros.list_macros()
        assert {m.id for m in listed.data} == {everyone["id"], mine["id"]}

    def test_paging_newest_first_and_updated_since(self, server: LiveServer, workspace: Workspace, client) -> None:
        ids = [setup(server, workspace, "POST", "macros", {"name": f"m{i}", "body": "x"})["id"] for i in range(5)]
        workspace.control.advance(1.1)  # timestamps are in seconds: the update must land in a later one
        touched = setup(server, workspace, "PUT", f"macros/{ids[0]}", {"name": "m0 again"})
        seen, cursor = [], None
        while True:
            page = workspace.http.get(
                "/macros", params={"per_page": 2, **({"starting_after": cursor} if cursor else {})}
            )
            body = page.json()
            seen += [m["id"] for m in body["data"]]
            assert body["pages"]["per_page"] == 2
            if body["pages"]["next"] is None:
                break
            cursor = body["pages"]["next"]["starting_after"]
        assert seen[0] == ids[0]
        assert sorted(seen) == sorted(ids)
        assert touched["name"] == "m0 again"
        assert len(workspace.http.get("/macros", params={"updated_since": 0}).json()["data"]) == 5
        assert workspace.http.get("/macros", params={"updated_since": 4_000_000_000}).json()["data"] == []
        assert_error(workspace.http.get("/macros", params={"updated_since": "soon"}), 400, "parameter_invalid")
        assert_error(workspace.http.get("/macros", params={"starting_after": "!!"}), 400, "client_error")

    def test_sdk_not_found(self, client) -> None:
        with pytest.raises(ApiError, match="404"):
            client.unstable.macros.get_macro(id="123456")
