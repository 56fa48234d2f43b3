"""Tables a planner reads in a terminal."""

from __future__ import annotations

import numpy as np
import pandas as pd

from svcsim.queueing.requirements import Requirements
from svcsim.scenario import Scenario

# NOTE: pandas counts a Chinese character as one column; a terminal draws it
# in two. Measuring by east-asian width keeps tables with Chinese names aligned.
pd.set_option("display.unicode.east_asian_width", True)


def _text(table: pd.DataFrame, empty: str = "  (none)") -> str:
    """The table as aligned text, or ``empty`` (a sentence) when it has no
    rows: never pandas' "Empty DataFrame / Columns: [...]" block."""
    return empty if table.empty else table.to_string(index=False)


def _pct(value: float) -> str:
    return "" if not np.isfinite(value) else f"{100 * value:5.1f}%"


def _duration(seconds: float) -> str:
    """A wait as a planner reads it: 4.2s, 3.5m, 3.3h."""
    if not np.isfinite(seconds):
        return ""
    for unit, size in (("h", 3600.0), ("m", 60.0)):
        if seconds >= 2 * size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.1f}s"


def _num(value: float, digits: int = 0) -> str:
    return "" if not np.isfinite(value) else f"{value:,.{digits}f}"


def requirements_by_pool_text(req: Requirements, scenario: Scenario) -> str:
    """Per pool, per interval with work: volume, AHT, agents required on duty and
    scheduled, occupancy and predicted service level; then a summary."""
    blocks = [f"Staffing requirements: {scenario.name} "
              f"({scenario.horizon.days} day(s), {scenario.interval_s / 60:g}-minute intervals)"]
    for pool in scenario.pools:
        rows = req.pools[(req.pools["pool"] == pool.name)
                         & ((req.pools["volume"] > 0) | (req.pools["required_agents"] > 0))]
        blocks.append(f"\n{pool.name}  (shrinkage {100 * pool.shrinkage:g}%)")
        if rows.empty:
            blocks.append("  no work")
            continue
        table = pd.DataFrame({
            "interval": rows["start"],
            "volume": rows["volume"].map(lambda v: _num(v, 1)),
            "AHT s": rows["aht_s"].map(_num),
            "required": rows["required_agents"],
            "scheduled": rows["scheduled_agents"],
            "occupancy": rows["occupancy"].map(_pct),
            "service level": rows["service_level"].map(_pct),
        })
        blocks.append(_text(table))
    summary = req.summary()
    hours = pd.DataFrame({
        "pool": summary["pool"],
        "contacts": summary["volume"].map(lambda v: _num(v)),
        "peak required": summary["peak_required"],
        "peak scheduled": summary["peak_scheduled"],
        "agent-hours on duty": summary["on_duty_hours"].map(lambda v: _num(v, 1)),
        "agent-hours scheduled": summary["scheduled_hours"].map(lambda v: _num(v, 1)),
    })
    blocks.append("\nSummary (required = on duty; scheduled = required / (1 - shrinkage))")
    blocks.append(_text(hours))
    return "\n".join(blocks)


def requirements_by_contact_text(req: Requirements) -> str:
    """Per contact type (and stage), per interval with work."""
    rows = req.contacts[(req.contacts["volume"] > 0) | (req.contacts["required_agents"] > 0)]
    table = pd.DataFrame({
        "interval": rows["start"],
        "contact type": rows["contact_type"],
        "stage": rows["stage"],
        "pool": rows["pool"],
        "method": rows["method"],
        "volume": rows["volume"].map(lambda v: _num(v, 1)),
        "AHT s": rows["aht_s"].map(_num),
        "required": rows["required_agents"].map(lambda v: _num(v, 2)),
        "service level": rows["service_level"].map(_pct),
        "ASA s": rows["asa_s"].map(lambda v: _num(v, 1)),
        "abandon": rows["abandon_rate"].map(_pct),
    })
    return _text(table, "No contact type has work in any interval.")


def _ci(level: float, low: float, high: float) -> str:
    if not np.isfinite(level):
        return ""
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"{100 * level:5.1f}%"
    return f"{100 * level:5.1f}% [{100 * low:5.1f}, {100 * high:5.1f}]"


def standards_text(result, scenario: Scenario) -> str:
    """The standards and per-contact-type attainment of a simulation."""
    head = (f"Simulated: {scenario.name}, {result.replications} replications, seed "
            f"{result.seed}; attainment with {100 * result.level:g}% confidence interval")
    standards = result.standards
    table = pd.DataFrame({
        "standard": standards["standard"],
        "scope": standards["scope"],
        "target": standards["target"].map(lambda t: f"{100 * t:g}%"),
        "attainment [CI]": [_ci(a, lo, hi) for a, lo, hi in zip(
            standards["attainment"], standards["attainment_low"], standards["attainment_high"],
            strict=True)],
        "intervals on target": standards["intervals_meeting_target"].map(_pct),
        "lowest interval": standards["lowest_interval"].map(_pct),
        "verdict": standards["verdict"],
    })
    per_type = result.contact_types
    types = pd.DataFrame({
        "channel": per_type["channel"],
        "tier": per_type["tier"],
        "offered": per_type["offered"].map(lambda v: _num(v)),
        "abandoned": per_type["abandon_rate"].map(_pct),
        "ASA": per_type["asa_s"].map(_duration),
        "service level [CI]": [_ci(a, lo, hi) for a, lo, hi in zip(
            per_type["service_level"], per_type["service_level_low"],
            per_type["service_level_high"], strict=True)],
        "against": per_type["standard"],
    })
    return "\n".join([head, "", _text(table), "",
                      "By tier and channel (over the horizon)", _text(types)])


def _who(roster, scenario: Scenario) -> str:
    """The roster's agents, and over several days the shifts they work."""
    if scenario.horizon.days == 1:
        return f"{roster.headcount} agents"
    return f"{roster.headcount} agents working {roster.shift_count} shifts"


def roster_text(roster, scenario: Scenario) -> str:
    """The roster's pools summary, its shifts and, if any, why it falls short."""
    pools = roster.pools
    summary = pd.DataFrame({
        "pool": pools["pool"], "status": pools["status"],
        "agents": pools["headcount"].map(lambda v: f"{v:.0f}" if np.isfinite(v) else "none found"),
        "shifts": pools["shifts"], "added for rest": pools["added_for_rest"],
        "paid hours": pools["paid_hours"].map(lambda v: _num(v, 1)),
        "cost": pools["cost"].map(lambda v: _num(v, 0)),
        "bound": pools["headcount_bound"].map(lambda v: _num(v, 0)),
        "gap": pools["gap"].map(_pct),
        "short (agent-h)": pools["shortfall_agent_hours"].map(lambda v: _num(v, 1)),
        "solve s": pools["runtime_s"].map(lambda v: _num(v, 1)),
    })
    shifts = roster.shifts.drop(columns=["crosses_midnight"])
    if scenario.horizon.days == 1:
        shifts = shifts.drop(columns=["day"])
        summary = summary.drop(columns=["shifts", "added for rest"])
    lines = [f"Roster: {scenario.name}: {_who(roster, scenario)}, "
             f"{roster.paid_hours:,.1f} paid hours, cost {roster.cost:,.0f} "
             f"(status {roster.status})", "", _text(summary), "",
             _text(shifts, "No shifts: the roster has no agents on duty.")]
    if roster.explanations:
        lines += ["", "The requirement cannot be met in full:"]
        lines += [f"  - {text}" for text in roster.explanations]
    return "\n".join(lines)


def _clip(text: str, width: int = 72) -> str:
    """One table line's worth of ``text`` (the CSV keeps all of it)."""
    return text if len(text) <= width else text[:width - 3].rstrip(" ;") + "..."


def verdict_words(verdict: str, confidence: float) -> str:
    """A certified verdict as the headline says it."""
    level = f"{100 * confidence:g} %"
    return {"met": f"met ({level} confidence)", "not shown": f"not shown at {level}"}.get(
        verdict, verdict)


def plan_headline(result, scenario: Scenario) -> list[str]:
    """What the plan needs, how sure the solver is of it, and how sure the
    simulation is of each standard."""
    roster = result.roster
    gap = roster.gap
    if not roster.found:
        solver = "no roster found in the time limit for " + ", ".join(
            roster.pools.loc[roster.pools["status"] == "TIME_LIMIT", "pool"]) + \
            " (status TIME_LIMIT, gap unknown)"
    else:
        solver = (f"roster {roster.status}, gap "
                  + ("unknown" if not np.isfinite(gap) else f"{100 * gap:.1f} %")
                  + (", not proved" if not (gap <= roster.settings.gap_limit) else ""))
    standards = result.simulation.standards
    verdicts = [verdict_words(v, result.confidence) for v in standards["verdict"]]
    lines = [f"Plan: {scenario.name}: {_who(roster, scenario)}, cost {roster.cost:,.0f} "
             f"({solver}; analytic requirement alone: {result.analytic_headcount})"]
    above = [f"{row.standard}: {verdict}, " + _above(row)
             for row, verdict in zip(standards.itertuples(), verdicts, strict=True)]
    lines += [f"  {line}" for line in above]
    lines.append(f"  ({result.simulation.replications} replications; one-sided "
                 f"{100 * result.confidence:g} % confidence at each standard's scope)")
    if getattr(result, "risk", None) is not None:
        from svcsim.history.risk import risk_lines

        lines += risk_lines(result.risk)
    return lines


def _above(row) -> str:
    """How far a standard sits above (or below) its target at its scope: the
    lowest interval for a standard held in every interval."""
    if row.scope == "interval" and np.isfinite(row.lowest_interval):
        return (f"lowest interval {_pct(row.lowest_interval).strip()} against "
                f"{_pct(row.target).strip()} ({100 * (row.lowest_interval - row.target):+.1f} "
                f"points; {_pct(row.attainment).strip()} over the horizon)")
    return (f"{_pct(row.attainment).strip()} against {_pct(row.target).strip()} "
            f"({100 * (row.attainment - row.target):+.1f} points)")


def plan_text(result, scenario: Scenario) -> str:
    """How the planner got there, and what the final roster reaches."""
    history = result.history.drop_duplicates("iteration")[["iteration", "action", "headcount",
                                                           "cost", "roster_status",
                                                           "roster_gap", "replications"]]
    verdicts = result.history.groupby("iteration", sort=False)["verdict"].agg(
        lambda v: ", ".join(f"{n} {word}" for word, n in v.value_counts().items()))
    history = history.assign(cost=history["cost"].map(lambda v: _num(v, 0)),
                             action=history["action"].map(_clip),
                             roster_gap=history["roster_gap"].map(
                                 lambda v: "unknown" if not np.isfinite(v) else _pct(v)),
                             verdicts=history["iteration"].map(verdicts).to_numpy())
    history = history.rename(columns={"roster_status": "status", "roster_gap": "gap",
                                      "replications": "reps"})
    lines = plan_headline(result, scenario) + [
        "", _text(history), "",
        "Verdicts are certified at each standard's scope (every interval, day or the week): "
        "'met' when the one-sided\nconfidence bound clears the target in every unit, 'missed' "
        "when an upper bound lies below it,\n'not shown' when the interval straddles it; "
        "the repair chases every standard not met.", "",
        standards_text(result.simulation, scenario)]
    service = result.roster.service
    if not service.empty:
        held = pd.DataFrame({
            "standard (pool)": service["standard"],
            "day": service["unit"] + 1 if scenario.horizon.days > 1 else "all",
            "target": service["target"].map(_pct),
            "attainment": service["attainment"].map(_pct),
            "lowest interval": service["lowest_interval"].map(_pct),
        })
        lines += ["", "Held over the day (or week), not interval by interval: analytic "
                  "attainment of this roster", _text(held),
                  f"Holding every standard in every interval would need "
                  f"{result.interval_headcount} agents."]
    if result.notes:
        lines += ["", "Notes:"] + [f"  - {note}" for note in result.notes]
    if result.roster.explanations:
        lines += [f"  - {text}" for text in result.roster.explanations]
    return "\n".join(lines)


def _sizes(row) -> tuple[str, str]:
    """A study row's answer and its own plan as ``N agents``, with their
    costs when the headcounts are the same (the answer is then the cheaper)."""
    if row.headcount != row.own_plan_headcount:
        return f"{row.headcount} agents", f"{row.own_plan_headcount} agents"
    return (f"{row.headcount} agents, cost {row.cost:,.0f}",
            f"{row.own_plan_headcount} agents, cost {row.own_plan_cost:,.0f}")


def comparison_text(result, study_name: str) -> str:
    """What each variant needs, and what today's roster reaches under it (the
    standards the study changes or moves; the CSV has every one)."""
    from svcsim.standards.compare import BASE, moved_standards, standard_positions

    plans = result.plans
    need = pd.DataFrame({
        "variant": plans["variant"], "agents": plans["headcount"],
        "change": plans["headcount_change"].map(lambda v: f"{v:+d}"),
        "cost": plans["cost"].map(lambda v: _num(v, 0)),
        "cost change": plans["cost_change"].map(lambda v: f"{v:+,.0f}"),
        "met in simulation": plans["met"].map({True: "yes", False: "NO"}),
    })
    enough = [f"{row.variant}: the plan of {row.roster_of} ({_sizes(row)[0]}) does as well in "
              f"simulation under today's standards as today's own plan of {_sizes(row)[1]}, on "
              f"every standard staffing moves"
              for row in plans.itertuples()
              if row.variant == BASE and row.roster_of != BASE]
    enough += [f"{row.variant}: today's roster does as well in simulation as its own plan of "
               f"{_sizes(row)[1]}, on every standard staffing moves"
               for row in plans.itertuples() if row.todays_roster]
    day = result.day_one
    shown = moved_standards(day)
    positions = standard_positions(day)
    left_out = positions.nunique() - len(shown)
    day = day[positions.isin(shown)]
    today = pd.DataFrame({
        "variant": day["variant"], "standard": day["standard"],
        "target": day["target"].map(_pct),
        "attainment [CI]": [f"{_pct(a)} [{_pct(lo)}, {_pct(hi)}]".replace("%", "") for a, lo, hi
                            in zip(day["attainment"], day["attainment_low"],
                                   day["attainment_high"], strict=True)],
        "intervals on target": day["intervals_meeting_target"].map(_pct),
        "verdict": day["verdict"],
        "change [CI], points": [
            f"{100 * c:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]" if np.isfinite(c)
            else "new standard" for c, lo, hi
            in zip(day["change"], day["change_low"], day["change_high"], strict=True)],
    })
    lines = [f"Study: {study_name}", "",
             "What each variant needs (planned and verified in simulation)",
             _text(need)]
    lines += enough
    lines += _not_staffing_limited(plans)
    lines += ["", "Day one: today's (base) roster under each variant, changes against the base "
              "with common random numbers", _text(today, "  (no standard to show)"),
              "(attainment over the horizon; the verdict is at the standard's scope: held in "
              "every interval, it is missed when some interval's CI lies below the target)"]
    if left_out:
        which = "1 standard" if left_out == 1 else f"{left_out} standards"
        lines.append(f"({which} that no variant changes or moves by 0.05 points left out; "
                     "day_one.csv has every one)")
    return "\n".join(lines)


def _not_staffing_limited(plans: pd.DataFrame) -> list[str]:
    """A line per standard some plan could not meet because more agents did
    not move it, naming the variants (or every one)."""
    variants: dict[str, list[str]] = {}
    for row in plans.itertuples():
        labels = row.not_staffing_limited if isinstance(row.not_staffing_limited, str) else ""
        for label in filter(None, labels.split("; ")):
            variants.setdefault(label, []).append(row.variant)
    if not variants:
        return []
    lines = ["Missed however many agents the plan asked for (more did not move them in "
             "simulation, or the shift rules allow no more; each plan's notes say which):"]
    for label, names in variants.items():
        which = "every variant" if len(names) == len(plans) else ", ".join(names)
        lines.append(f"  {label} ({which})")
    return lines


def sweep_text(table: pd.DataFrame, base, study_name: str) -> str:
    """The sweep's points: what each needs and what today's roster reaches."""
    shown = table.copy()
    for column in shown.columns:
        if column.startswith(("today: ", "planned: ")):
            shown[column] = shown[column].map(_pct)
    shown["cost"] = shown["cost"].map(lambda v: _num(v, 0))
    shown["paid_hours"] = shown["paid_hours"].map(lambda v: _num(v, 1))
    shown["met"] = shown["met"].map({True: "yes", False: "NO"})
    shown = shown.rename(columns={"headcount": "agents", "paid_hours": "paid hours",
                                  "met": "met in simulation"})
    return "\n".join([
        f"Sweep: {study_name} (base: {base['headcount']} agents, cost {base['cost']:,.0f})", "",
        "Agents and cost each point needs (planned, verified in simulation); 'planned:' is that "
        "plan's attainment, 'today:' the base roster's, of the point's version of each standard",
        _text(shown)])


def frontier_text(result, study_name: str) -> str:
    """Agents and cost at each target of each standard, and what the targets
    above today's cost."""
    points = result.points
    shown = pd.DataFrame({
        "standard": points["standard"],
        "target": [_pct(t) + (" (today)" if today else "")
                   for t, today in zip(points["target"], points["today"], strict=True)],
        "agents": points["headcount"],
        "change": points["headcount_change"].map(lambda v: f"{v:+d}"),
        "cost": points["cost"].map(lambda v: _num(v, 0)),
        "cost change": points["cost_change"].map(lambda v: f"{v:+,.0f}"),
        "met in simulation": points["met"].map({True: "yes", False: "NO"}),
    })
    if "plan_of" in points and (points["plan_of"] != points["target"]).any():
        shown["plan"] = [f"the {_pct(of).strip()} plan" if of != target else "own"
                         for of, target in zip(points["plan_of"], points["target"], strict=True)]
    lines = [f"Frontier: {study_name}", "",
             "Agents and cost each target needs (planned, verified in simulation; the other "
             "standards as today)", _text(shown)]
    if "plan" in shown:
        lines.append("(a stricter target's plan, met in simulation, is kept where it needs "
                     "fewer agents, or as many for less cost)")
    if result.headline():
        lines += [""] + result.headline()
    return "\n".join(lines)


def scorecard_text(scored, name: str) -> str:
    """The dimensions, weakest first, the total out of 100 and any alerts."""
    table = scored.dimensions
    shown = pd.DataFrame({
        "dimension": table["dimension"],
        "value": [_duration(v) if unit == "seconds" else _pct(v).strip()
                  for v, unit in zip(table["value"], table["unit"], strict=True)],
        "points": table["points"].map(lambda v: f"{v:g}/10"),
        "weight": table["weight"].map(lambda v: f"{100 * v:g}%"),
        "score": table["score"].map(lambda v: f"{v:.1f}"),
        "lost": table["lost"].map(lambda v: f"{v:.1f}"),
    })
    lines = [f"Scorecard: {name}: {scored.total:.1f} / 100 (weakest dimensions first)", "",
             _text(shown)]
    if scored.alerts:
        lines += ["", "Alerts:"] + [f"  - {alert}" for alert in scored.alerts]
    return "\n".join(lines)
