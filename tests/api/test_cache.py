"""The bounded answer cache of finalized proofs."""

from __future__ import annotations

from milestone.api.cache import AnswerCache


def test_keeps_the_most_recently_used_answers_up_to_its_bound() -> None:
    cache = AnswerCache(2)
    cache.put((0, 1), b"a")
    cache.put((0, 2), b"b")
    assert cache.get((0, 1)) == b"a"  # now the most recent
    cache.put((0, 3), b"c")
    assert cache.get((0, 2)) is None and cache.get((0, 1)) == b"a" and len(cache) == 2


def test_a_cache_of_no_entries_keeps_nothing() -> None:
    cache = AnswerCache(0)
    cache.put((0, 1), b"a")
    assert cache.get((0, 1)) is None and len(cache) == 0
