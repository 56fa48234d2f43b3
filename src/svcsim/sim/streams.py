"""Random streams for the simulator.

Every (replication, contact type, purpose) has its own generator, keyed by a
stable hash of the names (never list position or Python's salted ``hash``),
so adding a contact type leaves every other stream's numbers unchanged and
two scenarios compared with the same seed share common random numbers.
"""

from __future__ import annotations

import zlib

import numpy as np

SeedLike = int | np.random.Generator | np.random.SeedSequence | None


def root_entropy(seed: SeedLike) -> int:
    """Normalise a seed to one integer of entropy (a Generator yields one draw)."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # fresh, unrepeatable
    if isinstance(seed, np.random.Generator):
        return int(seed.integers(0, 2**63))
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.entropy)  # type: ignore[arg-type]
    if isinstance(seed, (int, np.integer)) and seed >= 0:
        return int(seed)
    raise ValueError(f"seed must be a non-negative integer, a numpy Generator or None, got {seed!r}")


def _key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def stream(entropy: int, replication: int, *names: str) -> np.random.Generator:
    """The generator for one replication and one named purpose, e.g.
    ``stream(e, 3, "phone/vip", "handle")``."""
    key = (replication, *(_key(name) for name in names))
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=key))
