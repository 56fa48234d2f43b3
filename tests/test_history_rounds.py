"""Calibration rounds on hand-built losses: which pools move in one
simulation, which are judged together, and that an interval never returns
to a staffing it left (so noise cannot make a search oscillate)."""

from __future__ import annotations

import numpy as np

from svcsim.history.rounds import Component, candidates, components_of, groups_of, transfers
from svcsim.history.staffing import _split

# a phone team, a blended phone+chat team, an email desk that shares nothing,
# and a chat team linked to the phone team only through the blended one
TYPES = {"phone": ["phone/a"], "blended": ["chat/a", "phone/a"], "email": ["email/a"],
         "chat": ["chat/a"]}
POOLS = list(TYPES)


def test_pools_that_share_nothing_move_in_one_simulation():
    groups = groups_of(TYPES, POOLS)
    assert groups == [["phone", "email", "chat"], ["blended"]]
    # the current staffing, then each group one agent either side: 5, not 3 per pool
    assert candidates(groups) == [(), ((0, -1),), ((0, 1),), ((1, -1),), ((1, 1),)]
    # an agent from one group to the other, predicted from those five
    assert transfers(groups, ["phone", "blended"]) == [((0, 1), (1, -1)), ((1, 1), (0, -1))]
    assert transfers(groups, ["email"]) == []


def test_pools_linked_through_shared_work_are_judged_together():
    assert components_of(TYPES, POOLS) == [["phone", "blended", "chat"], ["email"]]
    assert components_of({"a": ["x"], "b": ["y"]}, ["a", "b"]) == [["a"], ["b"]]


def _step(component, losses, agents, tolerance=0.01):
    groups = [["phone"], ["blended"]]
    open_ = {p: np.ones(len(a), dtype=bool) for p, a in agents.items()}
    return component.step(losses, np.full(len(agents["phone"]), tolerance), agents, open_,
                          groups)


def test_an_interval_takes_one_move_and_never_returns_to_a_staffing_it_left():
    component = Component.start(["phone", "blended"], 2)
    agents = {"phone": np.array([8, 8]), "blended": np.array([4, 4])}
    # interval 0: the blended team up is best; interval 1: nothing gains enough
    losses = {(): np.array([0.5, 0.1]), ((0, -1),): np.array([0.6, 0.105]),
              ((0, 1),): np.array([0.3, 0.3]), ((1, -1),): np.array([0.9, 0.3]),
              ((1, 1),): np.array([0.2, 0.095])}
    taken = _step(component, losses, agents)
    assert taken.tolist() == [4, 0]
    assert agents["phone"].tolist() == [8, 8] and agents["blended"].tolist() == [5, 4]
    # next round noise says "back down": (8, 4) was left, so interval 0 stays
    losses = {(): np.array([0.2, 0.1]), ((0, -1),): np.array([0.3, 0.3]),
              ((0, 1),): np.array([0.3, 0.3]), ((1, -1),): np.array([0.1, 0.3]),
              ((1, 1),): np.array([0.3, 0.3])}
    taken = _step(component, losses, agents)
    assert taken.tolist() == [0, 0] and agents["blended"].tolist() == [5, 4]
    # a transfer the other way (phone down from (8, 5)) is a new staffing: allowed
    losses[((0, -1),)] = np.array([0.05, 0.3])
    taken = _step(component, losses, agents)
    assert agents["phone"].tolist() == [7, 8] and agents["blended"].tolist() == [5, 4]


def test_a_transfer_moves_two_pools_and_keeps_the_total():
    component = Component.start(["phone", "blended"], 1)
    agents = {"phone": np.array([9]), "blended": np.array([3])}
    losses = {(): np.array([0.5]), ((0, -1),): np.array([0.6]), ((0, 1),): np.array([0.6]),
              ((1, -1),): np.array([0.6]), ((1, 1),): np.array([0.6]),
              ((1, 1), (0, -1)): np.array([0.2])}
    assert _step(component, losses, agents).tolist() == [5]
    assert (agents["phone"].tolist(), agents["blended"].tolist()) == ([8], [4])


def test_an_open_pool_keeps_one_agent():
    component = Component.start(["phone", "blended"], 1)
    agents = {"phone": np.array([1]), "blended": np.array([3])}
    losses = {(): np.array([0.5]), ((0, -1),): np.array([0.1]), ((0, 1),): np.array([0.9]),
              ((1, -1),): np.array([0.9]), ((1, 1),): np.array([0.9])}
    assert _step(component, losses, agents).tolist() == [0]
    assert agents["phone"].tolist() == [1]


def test_a_shared_start_is_split_by_busy_agents_at_least_one_each():
    # 12 agents, busy 6.8 and 3.0: 8.33 and 3.67, largest remainder to the second
    assert _split(12, np.array([6.8, 3.0]), np.array([True, True])).tolist() == [8, 4]
    assert _split(3, np.array([5.0, 0.0]), np.array([True, True])).tolist() == [2, 1]
    assert _split(4, np.array([0.0, 0.0]), np.array([True, False])).tolist() == [4, 0]
    assert _split(5, np.array([1.0, 1.0, 1.0]), np.array([True, True, True])).sum() == 5
