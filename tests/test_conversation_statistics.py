"""Conversation statistics and waiting_since, computed from a history (no server needed)."""

from __future__ import annotations

from tidings.conversations.statistics import Moment, compute, waiting_since


def moment(part_type: str, author: str, at: int, state: str = "open", author_id: str = "1") -> Moment:
    return Moment(part_type=part_type, author_type=author, author_id=author_id, created_at=at, state=state)


def test_reply_runs_give_median_and_waiting_since() -> None:
    history = [
        moment("comment", "user", 100),
        moment("comment", "user", 110),
        moment("comment", "admin", 160),  # answers the run that started at 100: 60 s
        moment("comment", "user", 200),
        moment("note", "admin", 210),  # a note is no reply
        moment("comment", "admin", 300),  # 100 s
        moment("comment", "user", 400),
        moment("comment", "admin", 420),  # 20 s
    ]
    stats = compute(history)
    assert stats["stat_median_time_to_reply"] == 60
    assert stats["stat_time_to_admin_reply"] == 60
    assert stats["stat_first_admin_reply_at"] == 160
    assert stats["stat_last_admin_reply_at"] == 420
    assert stats["stat_last_contact_reply_at"] == 400
    assert stats["stat_count_conversation_parts"] == 7
    assert waiting_since(history) is None
    assert waiting_since([*history, moment("comment", "lead", 500), moment("comment", "user", 510)]) == 500


def test_reopens_closes_and_assignments_after_first_contact_reply() -> None:
    history = [
        moment("comment", "admin", 10),  # admin-initiated: nothing counts before the contact writes
        moment("assignment", "admin", 20),
        moment("close", "admin", 30, "closed"),
        moment("comment", "user", 100),  # reopens, but it is the first contact reply itself: not counted
        moment("assignment", "admin", 150),
        moment("assignment", "admin", 170, author_id="2"),
        moment("comment", "admin", 200),
        moment("close", "admin", 250, "closed", author_id="2"),
        moment("open", "admin", 260),
        moment("close", "admin", 300, "closed", author_id="3"),
    ]
    stats = compute(history)
    assert stats["stat_first_contact_reply_at"] == 100
    assert stats["stat_count_assignments"] == 2
    assert (stats["stat_first_assignment_at"], stats["stat_last_assignment_at"]) == (150, 170)
    assert stats["stat_time_to_assignment"] == 70
    assert stats["stat_last_assignment_admin_reply_at"] == 200
    assert (stats["stat_first_close_at"], stats["stat_last_close_at"]) == (250, 300)
    assert stats["stat_last_closed_by_id"] == "3"
    assert (stats["stat_time_to_first_close"], stats["stat_time_to_last_close"]) == (150, 200)
    assert stats["stat_count_reopens"] == 1
    assert stats["stat_handling_time"] == 150


def test_no_contact_reply_yet() -> None:
    stats = compute([moment("comment", "admin", 10)])
    assert stats["stat_first_contact_reply_at"] is None
    assert stats["stat_time_to_admin_reply"] is None
    assert stats["stat_last_admin_reply_at"] == 10
    assert stats["stat_count_reopens"] == 0
