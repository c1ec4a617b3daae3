"""Justifications one entry at a time: a check-in's previous day across epochs."""

from __future__ import annotations

from typing import Any

import pytest

from milestone.audit.justify import BlockContext, check_justification
from milestone.rules.activities import calculate_checkin_reward
from milestone.rules.params import get_preset

PARAMS = get_preset("minimal")
OWNER = "0x" + "ab" * 20


def checkin(day: int, streak: int, previous: list[int] | None) -> dict[str, Any]:
    reward = calculate_checkin_reward(
        streak, PARAMS.checkin_base_reward, PARAMS.checkin_streak_bonus,
        PARAMS.checkin_streak_cap,
    )
    return {
        "seq": 7, "kind": "activity.checkin", "created_at": 0, "epoch": day,
        "postings": [["budget:activity", "STONE", -reward], [OWNER, "STONE", reward]],
        "justification": {"rule": "checkin", "day": day, "streak": streak, "previous": previous},
    }


def failures(entry: dict[str, Any], **context: Any) -> list[str]:
    found: list[str] = []
    ctx = BlockContext(PARAMS, entry["epoch"], {}, frozenset(), lambda _: None, None, **context)
    check_justification(entry, ctx, lambda code, message: found.append(code))
    return found


def test_a_streak_on_a_real_previous_check_in_is_justified() -> None:
    assert failures(checkin(5, 2, [4, 1]), checkins={OWNER: (4, 1)}, checkins_complete=True) == []


@pytest.mark.parametrize("complete", [True, False])
def test_a_previous_check_in_never_made_is_caught_when_every_earlier_one_is_known(
    complete: bool
) -> None:
    found = failures(checkin(5, 2, [4, 1]), checkins={}, checkins_complete=complete)
    assert found == (["justification_mismatch"] if complete else [])


def test_a_streak_not_following_the_previous_one_is_caught() -> None:
    assert set(failures(checkin(5, 3, [4, 1]))) == {"justification_mismatch"}


def test_a_second_check_in_the_same_day_is_repeated() -> None:
    assert failures(checkin(5, 2, [4, 1]), checkins={OWNER: (5, 2)}) == ["checkin_repeated"]
