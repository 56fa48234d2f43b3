"""Several pools and chat concurrency from a contact log's agent ids.

A centre with a phone team and a chat team whose agents hold three chats at
once is simulated (the engine numbers its agents, so the log has agent ids),
and its log is fitted back: the pools and their skills, the concurrency and
the effective staffing of each pool. Hand-built logs check the rules: noise
under 5 % of an agent's contacts, blended agents, an odd override, no agent
ids, names in any script.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from svcsim import load_scenario, scenario_from_dict, simulate
from svcsim.history import read_contact_log, simulated_log, write_log
from svcsim.history.concurrency import fit_concurrency
from svcsim.history.fit import calibrate_fit, fit_history, write_fit
from svcsim.history.pools import split_pools
from test_cli import run

PHONE = [6, 8, 9, 9, 7, 6]  # the phone team on duty, 09:00-12:00, half hours
CHAT = [3, 4, 5, 5, 4, 3]  # the chat team, three chats each at most
OPEN = slice(18, 24)
CHAT_MEAN_S = 600.0

TWO_TEAMS = {
    "name": "phone and chat teams", "horizon": {"days": 1, "interval": "30m"},
    "channels": {
        "phone": {"kind": "immediate",
                  "handle_time": {"dist": "lognormal", "mean": "4m", "cv": 0.8},
                  "patience": {"dist": "exponential", "mean": "2m"},
                  "arrivals": {"volumes": {"start": "09:00",
                                           "values": [50, 70, 80, 80, 65, 55]}}},
        "chat": {"kind": "immediate", "concurrency": 3,
                 "handle_time": {"dist": "lognormal", "mean": f"{CHAT_MEAN_S:g}s", "cv": 0.6},
                 "patience": {"dist": "exponential", "mean": "3m"},
                 "arrivals": {"volumes": {"start": "09:00",
                                          "values": [40, 55, 70, 70, 55, 45]}}}},
    "tiers": {"general": {"priority": 1}},
    "standards": [{"contacts": "*/*", "metric": "answer", "percent": 80, "within": "20s"}],
    "pools": [{"name": "voice", "skills": [{"contacts": "phone/*"}],
               "staffing": {"start": "09:00", "values": PHONE}},
              {"name": "chat team", "skills": [{"contacts": "chat/*"}],
               "staffing": {"start": "09:00", "values": CHAT}}],
}


@pytest.fixture(scope="module")
def two_teams(tmp_path_factory):
    seed = int(__import__("os").environ.get("SVCSIM_TEST_SEED", "20261122"))
    known = scenario_from_dict(TWO_TEAMS)
    result = simulate(known, replications=20, seed=seed, keep_contacts=True)
    folder = tmp_path_factory.mktemp("two_teams")
    path = write_log(simulated_log(result.contacts, known.first_weekday), folder / "log.csv")
    fit = calibrate_fit(fit_history(read_contact_log(path)), replications=20, seed=seed + 1)
    return fit, folder


def test_the_pools_and_their_skills_are_recovered(two_teams):
    fit, _ = two_teams
    assert fit.pools.pools == {"chat": ("chat",), "phone": ("phone",)}
    skills = {p["name"]: p["skills"] for p in fit.scenario_data()["pools"]}
    assert skills == {"chat": [{"contacts": ["chat/general"], "priority": 1}],
                      "phone": [{"contacts": ["phone/general"], "priority": 1}]}
    agents = fit.pools.agents.groupby("pool").size()
    assert agents.to_dict() == {"chat": max(CHAT), "phone": max(PHONE)}


def test_chat_concurrency_is_recovered_and_handle_time_is_the_session(two_teams):
    fit, _ = two_teams
    assert fit.concurrency.fitted == {"chat": 3}
    assert fit.scenario_data()["channels"]["chat"]["concurrency"] == 3
    assert "concurrency" not in fit.scenario_data()["channels"]["phone"]
    # the session's elapsed time, not divided by the chats held beside it
    chat = next(h for h in fit.handle if h.contact_type == "chat/general")
    assert chat.mean_low < CHAT_MEAN_S < chat.mean_high


def test_each_pools_calibrated_staffing_is_within_one_agent(two_teams, tmp_path):
    fit, _ = two_teams
    staffing = fit.staffing
    assert list(staffing.columns[:2]) == ["pool", "interval"]
    for pool, truth in (("phone", PHONE), ("chat", CHAT)):
        agents = staffing.loc[staffing["pool"] == pool, "agents"].to_numpy()
        assert np.abs(agents[OPEN] - np.array(truth)).max() <= 1, (pool, agents[OPEN])
        assert (agents[:OPEN.start] == 0).all() and (agents[OPEN.stop:] == 0).all()
    write_fit(fit, tmp_path / "fitted.yaml")
    scenario = load_scenario(tmp_path / "fitted.yaml")
    assert scenario.staffing()["chat"][OPEN].tolist() == \
        staffing.loc[staffing["pool"] == "chat", "agents"].to_numpy()[OPEN].tolist()
    assert {"fit_pools.csv", "fit_concurrency.csv", "fit_staffing.csv"} <= \
        {p.name for p in tmp_path.iterdir()}
    text = (tmp_path / "fitted.yaml").read_text()
    assert "pools from agent ids" in text and "chat 3 (" in text


@pytest.fixture(scope="module")
def blended(tmp_path_factory):
    """Blended agents (phone and chat at one priority, chat light) beside a
    phone team: a day's log simulated with 20 replications, fitted."""
    seed = int(__import__("os").environ.get("SVCSIM_TEST_SEED", "20261122"))
    data = copy.deepcopy(TWO_TEAMS)
    data["channels"]["chat"]["arrivals"]["volumes"]["values"] = [15, 20, 25, 25, 20, 15]
    data["pools"][1] = {"name": "blended", "skills": [{"contacts": ["chat/*", "phone/*"]}],
                        "staffing": {"start": "09:00", "values": CHAT}}
    known = scenario_from_dict(data)
    result = simulate(known, replications=20, seed=seed, keep_contacts=True)
    path = write_log(simulated_log(result.contacts, known.first_weekday),
                     tmp_path_factory.mktemp("blended") / "log.csv")
    return fit_history(read_contact_log(path)), seed


def test_a_blended_team_beside_a_phone_team_is_split_and_calibrated(blended):
    """The two pools share phone calls, so abandonment and service level
    alone cannot tell which staffed them; the share of calls each took up
    (from the agent ids) pins each within one agent."""
    fitted, seed = blended
    fit = calibrate_fit(copy.copy(fitted), replications=20, seed=seed + 1)
    assert fit.pools.pools == {"chat+phone": ("chat", "phone"), "phone": ("phone",)}
    staffing = fit.staffing
    for pool, truth in (("phone", PHONE), ("chat+phone", CHAT)):
        agents = staffing.loc[staffing["pool"] == pool, "agents"].to_numpy()
        assert np.abs(agents[OPEN] - np.array(truth)).max() <= 1, (pool, agents[OPEN])


def test_the_share_each_pool_took_up_pulls_a_leaning_split_back(blended, monkeypatch):
    """Started one agent off toward the phone team in every half hour (as
    sizing each pool alone for its share of the calls used to start it),
    calibration comes back: moving an agent between the pools barely moves
    abandonment and service level, but moves the share of calls the phone
    team answers by several points, which the agent ids show. Back means no
    lean left: each pool's mean error over the open half hours under half an
    agent (it started a whole agent off)."""
    from svcsim.history import staffing as module

    fit, seed = blended
    true = {"phone": np.array(PHONE), "chat+phone": np.array(CHAT)}
    n = fit.n_intervals

    def leaning(fit, observed):
        start = {p: np.zeros(n, dtype=int) for p in true}
        for pool, step in (("phone", 1), ("chat+phone", -1)):
            start[pool][OPEN] = true[pool] + step
        return start

    monkeypatch.setattr(module, "erlang_start", leaning)
    table = module.calibrate(fit, replications=20, seed=seed + 1).table
    for pool, truth in true.items():
        agents = table.loc[table["pool"] == pool, "agents"].to_numpy()[OPEN]
        assert abs(np.mean(agents - truth)) < 0.5, (pool, agents)
        assert np.abs(agents - truth).max() <= 1, (pool, agents)
    assert (table.loc[table["pool"] == "phone", "erlang_agents"].to_numpy()[OPEN]
            == true["phone"] + 1).all()


def test_fit_from_the_command_line_writes_both_pools(two_teams, tmp_path):
    _, folder = two_teams
    out = tmp_path / "fitted.yaml"
    result = run("fit", str(folder / "log.csv"), "--out", str(out), "--no-calibrate")
    assert result.returncode == 0, result.stderr
    assert "pools from agent ids" in result.stdout and "chat 3 (" in result.stdout
    scenario = load_scenario(out)
    assert sorted(p.name for p in scenario.pools) == ["chat", "phone"]
    assert next(c for c in scenario.resolved_contact_types if c.name == "chat/general") \
        .concurrency == 3
    pools = pd.read_csv(tmp_path / "fit_pools.csv")
    assert set(pools["pool"]) == {"chat", "phone"}


# -- the rules, on hand-built logs -----------------------------------------------------
def _log(rows: list[tuple[str, str, float, float]], path, with_agents: bool = True):
    """A contact log of answered contacts: (agent, channel, start s, handle s)."""
    start = pd.Timestamp("2026-03-02")
    table = pd.DataFrame({
        "arrival_time": [start + pd.Timedelta(seconds=s) for _, _, s, _ in rows],
        "channel": [ch for _, ch, _, _ in rows], "outcome": "answered", "wait_s": 0.0,
        "handle_s": [h for *_, h in rows], "agent_id": [a for a, *_ in rows]})
    if not with_agents:
        table = table.drop(columns="agent_id")
    table.to_csv(path, index=False)
    return read_contact_log(path)


def _calls(agent: str, channel: str, n: int, every_s: float = 300.0, handle_s: float = 240.0,
           offset: float = 0.0):
    return [(agent, channel, offset + k * every_s, handle_s) for k in range(n)]


def test_agents_are_grouped_by_the_channels_they_serve(tmp_path):
    rows = []
    for a in ("A1", "A2", "A3"):
        rows += _calls(a, "电话", 40)
    rows += _calls("A3", "在线客服", 1, offset=50_000)  # 1 of 41: noise, not a skill
    for b in ("B1", "B2"):
        rows += _calls(b, "在线客服", 40)
    rows += _calls("C1", "电话", 20) + _calls("C1", "在线客服", 20, offset=20_000)
    rows += _calls("D1", "电话", 3)  # too few to define a pool: joins one that covers them
    split = split_pools(_log(rows, tmp_path / "log.csv").contacts)
    assert split.pools == {"在线客服+电话": ("在线客服", "电话"), "在线客服": ("在线客服",),
                           "电话": ("电话",)}
    pool = dict(zip(split.agents["agent_id"], split.agents["pool"], strict=True))
    assert pool["A3"] == pool["A1"] == pool["D1"] != pool["B1"]
    assert len(split.pools[pool["C1"]]) == 2
    # the names are valid svcsim pool names: the scenario loads
    data = {"name": "x", "horizon": {"days": 1, "interval": "30m"},
            "channels": {ch: {"kind": "immediate", "handle_time": {"dist": "exponential",
                                                                   "mean": "4m"},
                              "arrivals": {"volumes": {"start": "08:00", "values": [5]}}}
                         for ch in ("电话", "在线客服")},
            "tiers": {"general": {"priority": 1}},
            "pools": [{"name": name, "skills": [{"contacts": [f"{c}/*" for c in chans]}],
                       "headcount": 1} for name, chans in split.pools.items()]}
    assert len(scenario_from_dict(data).pools) == 3


def test_one_pool_without_agent_ids_or_when_every_agent_serves_everything(tmp_path):
    rows = _calls("A1", "phone", 30) + _calls("A1", "chat", 30, offset=20_000)
    rows += _calls("A2", "phone", 30) + _calls("A2", "chat", 30, offset=20_000)
    every = split_pools(_log(rows, tmp_path / "a.csv").contacts)
    assert every.pools == {"agents": ("chat", "phone")}
    assert "every one of the 2 agents" in every.note
    none = split_pools(_log(rows, tmp_path / "b.csv", with_agents=False).contacts)
    assert none.pools == {"agents": ("chat", "phone")} and "no agent ids" in none.note
    assert fit_concurrency(_log(rows, tmp_path / "b.csv", with_agents=False).contacts) \
        .fitted == {}


def test_concurrency_is_the_count_five_percent_of_agents_reach(tmp_path):
    rows = []
    for k in range(40):  # 40 agents, each holding up to 3 chats of 10 minutes
        for start in range(0, 6000, 600):
            rows += [(f"a{k}", "chat", start + d, 590.0) for d in (0, 60, 120)]
    rows += [("a0", "chat", 9000 + d, 300.0) for d in (0, 10, 20, 30)]  # one override to 4
    # each call taken the moment the last ends, logged half a second long: one at a time
    rows += [(f"p{k}", "phone", s, 240.5) for k in range(5) for s in range(0, 9600, 240)]
    fitted = fit_concurrency(_log(rows, tmp_path / "log.csv").contacts)
    assert fitted.fitted == {"chat": 3}
    table = fitted.table.set_index("channel")
    assert table.loc["chat", "max_4"] == 1 and table.loc["chat", "max_3"] == 39
    assert table.loc["phone", "concurrency"] == 1
