"""The fluid backlog model for deferred work, on hand-computable cases."""

from __future__ import annotations

import numpy as np
import pytest

from svcsim.queueing.backlog import evaluate_level, required_level

QUARTER = 900.0
DAY = 96


def spike(at: int, work_s: float) -> np.ndarray:
    work = np.zeros(DAY)
    work[at] = work_s
    return work


def test_constant_work_around_the_clock_needs_exactly_its_load():
    # 10 items x 600 s every quarter hour = 6,000 agent-s per 900 s = 6.67 agents
    result = required_level(np.full(DAY, 6000.0), np.ones(DAY), QUARTER, 4 * 3600, 0.95)
    assert result.level == pytest.approx(6000 / 900, abs=0.01)
    assert result.on_time_share >= 0.95


def test_a_burst_is_served_at_the_capacity_rate():
    # 36,000 agent-s arrive at 08:00; 5 agents serve 18,000 agent-s an hour:
    # half is done within 1 h, all of it within 2 h.
    work, always = spike(32, 36_000.0), np.ones(DAY)
    assert evaluate_level(5, work, always, QUARTER, 3600, False).on_time_share == \
        pytest.approx(0.5)
    assert evaluate_level(5, work, always, QUARTER, 7200, False).on_time_share == \
        pytest.approx(1.0)
    # 95 % within 1 h needs 0.95 x 36,000 / 3,600 = 9.5 agents
    assert required_level(work, always, QUARTER, 3600, 0.95).level == \
        pytest.approx(9.5, abs=0.01)


def test_business_hours_deadline_continues_next_morning():
    # Open 08:00-20:00; 18,000 agent-s arrive at 19:00; 5 agents (18,000/h).
    # Wall clock 2 h: only the hour before closing counts -> half on time.
    # Business clock 2 h: 19:00-20:00 and 08:00-09:00 -> all on time.
    work = spike(76, 36_000.0)
    open_share = np.zeros(DAY)
    open_share[32:80] = 1.0
    wall = evaluate_level(5, work, open_share, QUARTER, 7200, business_clock=False)
    business = evaluate_level(5, work, open_share, QUARTER, 7200, business_clock=True)
    assert wall.on_time_share == pytest.approx(0.5)
    assert business.on_time_share == pytest.approx(1.0)


def test_work_carried_over_the_end_of_the_day_is_not_dropped():
    # 24 h deadline, work arriving all day, open only 08:00-20:00: the level
    # must serve the whole day's work in the open hours (total / open time).
    work = np.full(DAY, 3000.0)
    open_share = np.zeros(DAY)
    open_share[32:80] = 1.0
    result = required_level(work, open_share, QUARTER, 24 * 3600, 0.95)
    assert result.level == pytest.approx(work.sum() / (48 * QUARTER), abs=0.02)
    assert result.on_time[90] == pytest.approx(1.0)  # 22:30 arrivals, served next morning


def test_more_agents_are_never_worse():
    rng = np.random.default_rng(3)
    work = rng.gamma(2.0, 2000.0, DAY)
    open_share = np.zeros(DAY)
    open_share[28:84] = 1.0
    shares = [evaluate_level(level, work, open_share, QUARTER, 4 * 3600, True).on_time_share
              for level in np.linspace(1, 20, 40)]
    assert np.all(np.diff(shares) >= -1e-12)
    assert shares[-1] == pytest.approx(1.0)


def test_required_level_is_minimal():
    work = spike(40, 50_000.0) + 500.0
    result = required_level(work, np.ones(DAY), QUARTER, 3 * 3600, 0.9, tolerance=0.01)
    below = evaluate_level(result.level - 0.02, work, np.ones(DAY), QUARTER, 3 * 3600, False)
    assert result.on_time_share >= 0.9 > below.on_time_share


def test_no_work_needs_nobody_and_closed_calendars_are_explained():
    assert required_level(np.zeros(DAY), np.ones(DAY), QUARTER, 3600, 0.9).level == 0
    with pytest.raises(ValueError, match="never open"):
        required_level(np.ones(DAY), np.zeros(DAY), QUARTER, 3600, 0.9)
