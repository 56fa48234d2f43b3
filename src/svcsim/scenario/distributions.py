"""Duration distributions (handle time, after-contact work, patience, delays).

One object serves both worlds: the simulator calls ``sample(rng, n)`` and the
analytic queueing code reads ``mean`` (seconds) and ``cv`` (coefficient of
variation, dimensionless). Written in scenario files as a mapping with a
``dist`` key, e.g. ``{dist: lognormal, mean: 4m, cv: 0.6}``.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from svcsim.scenario.base import Spec
from svcsim.scenario.files import read_csv_numbers, resolve_path
from svcsim.scenario.units import Duration


class _Distribution(Spec):
    name: str | None = Field(None, description="optional label, e.g. a phase name")

    @property
    def mean(self) -> float:
        """Mean duration, seconds."""
        raise NotImplementedError

    @property
    def variance(self) -> float:
        """Variance, seconds squared."""
        raise NotImplementedError

    @property
    def cv(self) -> float:
        """Coefficient of variation (standard deviation / mean)."""
        return math.sqrt(self.variance) / self.mean if self.mean > 0 else 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` durations in seconds."""
        raise NotImplementedError


class Exponential(_Distribution):
    """Exponential with the given mean (cv = 1); the Erlang C / A assumption."""

    dist: Literal["exponential"]
    mean_s: Duration = Field(alias="mean", gt=0)

    @property
    def mean(self) -> float:
        return self.mean_s

    @property
    def variance(self) -> float:
        return self.mean_s**2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_s, n)


class _MeanCV(_Distribution):
    mean_s: Duration = Field(alias="mean", gt=0)
    cv_: float = Field(alias="cv", gt=0, le=10, description="standard deviation / mean")

    @property
    def mean(self) -> float:
        return self.mean_s

    @property
    def variance(self) -> float:
        return (self.mean_s * self.cv_) ** 2


class Lognormal(_MeanCV):
    """Lognormal given by its mean and coefficient of variation (the usual shape
    of measured handle times)."""

    dist: Literal["lognormal"]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        sigma2 = math.log1p(self.cv_**2)
        mu = math.log(self.mean_s) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), n)


class Gamma(_MeanCV):
    """Gamma given by its mean and coefficient of variation."""

    dist: Literal["gamma"]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        shape = 1.0 / self.cv_**2
        return rng.gamma(shape, self.mean_s / shape, n)


class Deterministic(_Distribution):
    """Always the same duration."""

    dist: Literal["deterministic"]
    value: Duration

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value)


class Uniform(_Distribution):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: Duration
    high: Duration

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high:g}s) must not be below low ({self.low:g}s)")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class Empirical(_Distribution):
    """Resampled measured durations, listed inline or read from a CSV column."""

    dist: Literal["empirical"]
    samples: tuple[Duration, ...] | None = Field(None, description="measured durations")
    csv: str | None = Field(None, description="CSV file, relative to the scenario file")
    column: str = Field("duration_s", description="CSV column holding seconds")

    @model_validator(mode="before")
    @classmethod
    def _read_csv(cls, data: object, info: ValidationInfo) -> object:
        if not isinstance(data, dict):
            return data
        if ("samples" in data) == ("csv" in data):
            raise ValueError("give exactly one of 'samples' (a list) or 'csv' (a file)")
        if "csv" in data:
            path = resolve_path(str(data["csv"]), info)
            data = {**data, "samples": read_csv_numbers(path, data.get("column", "duration_s"))}
        return data

    @field_validator("samples")
    @classmethod
    def _not_empty(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is not None and len(value) == 0:
            raise ValueError("list at least one measured duration")
        return value

    @property
    def _values(self) -> np.ndarray:
        return np.asarray(self.samples, dtype=float)

    @property
    def mean(self) -> float:
        return float(self._values.mean())

    @property
    def variance(self) -> float:
        return float(self._values.var())

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(self._values, n)


class Phases(_Distribution):
    """A sum of independent phases, e.g. greet + listen + resolve + re-confirm +
    close, as the service-efficiency training decomposes an interaction."""

    dist: Literal["phases"]
    phases: tuple[Distribution, ...] = Field(min_length=1)

    @property
    def mean(self) -> float:
        return sum(phase.mean for phase in self.phases)

    @property
    def variance(self) -> float:
        return sum(phase.variance for phase in self.phases)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.sum([phase.sample(rng, n) for phase in self.phases], axis=0)


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Deterministic | Uniform | Empirical | Phases,
    Field(discriminator="dist"),
]
"""Any duration distribution, chosen by its ``dist`` key."""

Phases.model_rebuild()
