"""The draw itself: pure, seeded, reproducible."""

from __future__ import annotations

import random
from collections.abc import Iterable

from madoguchi.lottery import LotteryApplication


def draw_order(applications: Iterable[LotteryApplication], seed: int) -> dict[str, list[str]]:
    """For every slot applied for, its applicants (one entry per group) in drawn order.

    Inputs are sorted before shuffling so the result depends only on the seed and the set of applications,
    never on the order the store returned them in: replaying a recorded seed gives the same allocation.
    """
    by_slot: dict[str, set[str]] = {}
    for application in applications:
        by_slot.setdefault(application.slot_key, set()).add(application.owner)
    rng = random.Random(seed)
    order: dict[str, list[str]] = {}
    for key in sorted(by_slot):
        owners = sorted(by_slot[key])
        rng.shuffle(owners)
        order[key] = owners
    return order
