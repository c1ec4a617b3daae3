"""The freeze step's refusals: an epoch not closed, a gap, a chain that moved elsewhere; and an
epoch without driving, which settles."""

from __future__ import annotations

from collections.abc import Callable

State = Callable[[], dict[str, list[tuple[object, ...]]]]
