"""Arrivals: a non-homogeneous Poisson process per contact type.

The rate is constant within an interval (the forecast volume / interval
length), so the number of arrivals in an interval is Poisson and their times
are uniform within it: exact for a piecewise-constant rate. A forecast that
is itself uncertain (``forecast_cv``) multiplies each day's rates by one
gamma draw with mean 1; where part of that uncertainty is shared by every
contact type (``shared_forecast_cv``), the day's factor is the shared draw
times the type's own, whose cv carries the rest. Self-service deflection
removes each arrival with the deflection probability before it reaches a
queue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from svcsim.scenario import ContactType


@dataclass(frozen=True)
class ArrivalDraw:
    """Arrival times (s from the start of the run) of one contact type."""

    times_s: np.ndarray
    deflected: np.ndarray  # arrivals per interval removed by self-service


def day_factors(rng: np.random.Generator, cv: float, days: int) -> np.ndarray:
    """``days`` gamma factors with mean 1 and coefficient of variation ``cv``
    (> 0): a day's volume against its forecast."""
    shape = 1.0 / cv**2
    return rng.gamma(shape, 1.0 / shape, days)


def draw_arrivals(
    contact: ContactType,
    volumes: np.ndarray,
    interval_s: float,
    rng: np.random.Generator,
    offset_s: float = 0.0,
    shared: np.ndarray | None = None,
) -> ArrivalDraw:
    """Draw one cycle of arrivals.

    Parameters
    ----------
    contact : ContactType
        Supplies ``forecast_cv`` and ``deflection``.
    volumes : numpy.ndarray
        Expected contacts per interval.
    interval_s : float
        Interval length, seconds.
    rng : numpy.random.Generator
        This contact type's arrival stream.
    offset_s : float
        Time of the cycle's start, seconds (for warm-up and drain cycles).
    shared : numpy.ndarray, optional
        The day factors shared by every contact type this cycle (one per
        day, mean 1, cv ``contact.shared_cv``); used when the contact type
        has a ``forecast_cv``.
    """
    rates = np.asarray(volumes, dtype=float)
    if contact.forecast_cv > 0:
        per_day = int(round(86400 / interval_s))
        days = max(1, int(np.ceil(len(rates) / per_day)))
        together = shared is not None and contact.shared_cv > 0
        # (1 + cv^2) = (1 + shared^2)(1 + own^2) for independent mean-1 factors
        own = np.sqrt(max((1 + contact.forecast_cv**2) / (1 + contact.shared_cv**2) - 1, 0.0)) \
            if together else contact.forecast_cv
        factors = day_factors(rng, own, days) if own > 1e-12 else np.ones(days)
        if together:
            factors = factors * shared[:days]
        rates = rates * np.repeat(factors, per_day)[: len(rates)]
    counts = rng.poisson(rates)
    deflected = rng.binomial(counts, contact.deflection) if contact.deflection > 0 else \
        np.zeros_like(counts)
    kept = counts - deflected
    starts = np.repeat(np.arange(len(kept)) * interval_s, kept)
    times = np.sort(starts + rng.uniform(0.0, interval_s, len(starts))) + offset_s
    return ArrivalDraw(times, deflected)
