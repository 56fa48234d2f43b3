"""Pools from a contact log: which agents serve which channels.

Where the log has ``agent_id``, each agent with ``MIN_CONTACTS`` or more
answered contacts is described by the channels it served, leaving out a
channel under ``NOISE`` of its contacts (a transfer, a one-off cover); agents
with the same set of channels form one pool, with those channels as skills.
Agents with fewer contacts join the pool that covers most of theirs (the
narrowest on a tie). A
channel no pool's set holds (served only as noise, or never answered) goes
to the pool that answered most of it, or the largest pool.

A log without agent ids, or one where every agent serves every channel,
keeps one pool, ``agents``, serving everything (as before agents were read).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from svcsim.scenario.names import MAX_LENGTH

NOISE = 0.05
"""A channel under this share of an agent's answered contacts is not its skill."""
MIN_CONTACTS = 20
"""Answered contacts an agent needs for its channels to define a pool."""
ONE_POOL = "agents"


@dataclass(frozen=True)
class PoolSplit:
    """Pools found in a log.

    Attributes
    ----------
    pools : dict of str to tuple of str
        Pool name -> the channels it serves, in the order they are written.
    agents : pandas.DataFrame
        One row per agent id: ``agent_id``, ``answered``, ``pool``, and the
        share of its answered contacts on each channel (``share_<channel>``).
        Empty without agent ids.
    note : str
        How the pools were found, for the scenario's comments and the report.
    """

    pools: dict[str, tuple[str, ...]]
    agents: pd.DataFrame
    note: str

    @property
    def several(self) -> bool:
        return len(self.pools) > 1

    def pool_of(self, agent_ids: pd.Series) -> pd.Series:
        """The pool of each agent id (empty for none or unknown; the one
        pool's name for every contact when there is one pool)."""
        if not self.several:
            return pd.Series(next(iter(self.pools)), index=agent_ids.index)
        mapping = dict(zip(self.agents["agent_id"], self.agents["pool"], strict=True))
        return agent_ids.map(mapping).fillna("")


def split_pools(contacts: pd.DataFrame) -> PoolSplit:
    """Group agents into pools by the channels they served.

    Parameters
    ----------
    contacts : pandas.DataFrame
        :attr:`ContactLog.contacts`.
    """
    channels = sorted(contacts["channel"].unique())
    answered = contacts[(contacts["outcome"] == "answered") & (contacts["agent_id"] != "")]
    if not len(answered):
        return PoolSplit({ONE_POOL: tuple(channels)}, pd.DataFrame(),
                         "one pool serves every contact type: the log has no agent ids")
    counts = pd.crosstab(answered["agent_id"], answered["channel"]).reindex(
        columns=channels, fill_value=0)
    total = counts.sum(axis=1)
    shares = counts.div(total, axis=0)
    skills = shares.ge(NOISE)
    voting = total >= MIN_CONTACTS
    sets = {agent: tuple(ch for ch in channels if skills.loc[agent, ch])
            for agent in counts.index[voting]}
    found = sorted(set(sets.values()), key=lambda s: (-len(s), s))
    if not found:  # nobody with enough contacts: every agent's channels together
        found = [tuple(ch for ch in channels if counts[ch].sum() > 0)]
    pools = {s: list(s) for s in found}
    assigned = {agent: sets[agent] if agent in sets else _closest(counts.loc[agent], found)
                for agent in counts.index}
    agent_pool = pd.Series(assigned)
    for ch in channels:  # every channel needs a pool
        if not any(ch in s for s in found):
            by_pool = counts[ch].groupby(agent_pool.map(found.index)).sum()
            size = agent_pool.map(found.index).value_counts()
            home = int(by_pool.idxmax()) if by_pool.max() > 0 else int(size.idxmax())
            pools[found[home]].append(ch)
    if len(found) == 1:
        return PoolSplit({ONE_POOL: tuple(channels)}, _agent_table(shares, total, ONE_POOL),
                         f"one pool serves every contact type: every one of the "
                         f"{int(voting.sum())} agents with {MIN_CONTACTS} or more answered "
                         "contacts serves the same channels")
    names = _names([pools[s] for s in found])
    table = _agent_table(shares, total, agent_pool.map(lambda s: names[found.index(s)]))
    sizes = table.groupby("pool").size()
    note = (f"pools from agent ids: agents grouped by the channels they answered (a channel "
            f"under {NOISE:.0%} of an agent's contacts left out as noise; {int(voting.sum())} "
            f"agents with {MIN_CONTACTS} or more answered contacts define them): "
            + "; ".join(f"{name} ({', '.join(pools[s])}): {int(sizes.get(name, 0))} agents"
                        for name, s in zip(names, found, strict=True)))
    return PoolSplit({name: tuple(pools[s]) for name, s in zip(names, found, strict=True)},
                     table, note)


def _closest(counts: pd.Series, found: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The pool set that covers most of an agent's contacts; on a tie the
    one with fewest channels (an agent seen on the phone alone is a phone
    agent, not a blended one)."""
    return max(found, key=lambda s: (counts[list(s)].sum(), -len(s)))


def _names(pools: list[list[str]]) -> list[str]:
    """Pool names from their channels (``phone+chat``), ``pool N`` when too long."""
    names = []
    for k, channels in enumerate(pools, start=1):
        name = "+".join(channels)
        names.append(name if len(name) <= MAX_LENGTH and name not in names else f"pool {k}")
    return names


def _agent_table(shares: pd.DataFrame, total: pd.Series, pool) -> pd.DataFrame:
    table = shares.add_prefix("share_").round(4)
    table.insert(0, "answered", total.astype(int))
    table.insert(1, "pool", pool)
    return table.rename_axis("agent_id").reset_index()
