"""Charts of a study: what each variant needs, and today's roster under it."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from svcsim.report.figures import PALETTE, plt


def comparison_figure(result, study_name: str) -> Figure:
    """Left: planned agents per variant, base first. Right: the base roster's
    attainment of each standard the study changes or moves under each
    variant, with its CI, against the variant's target, labelled (up to two
    standards) with its verdict and the share of intervals on target."""
    from svcsim.standards.compare import moved_standards, standard_positions

    plans, day = result.plans, result.day_one
    variants = list(plans["variant"])
    shown = moved_standards(day)
    legend_h = 0.2 * len(shown) if len(shown) > 1 else 0.0  # the legend sits below
    fig, (need, today) = plt.subplots(1, 2, figsize=(13, 0.55 * len(variants) + 2.6 + legend_h),
                                      gridspec_kw={"width_ratios": [1, 1.4]})
    y = np.arange(len(variants))[::-1]
    colors = [PALETTE[7] if v == "base" else PALETTE[0] for v in variants]
    need.barh(y, plans["headcount"], color=colors)
    for yy, count, change, todays, name, of in zip(y, plans["headcount"],
                                                   plans["headcount_change"],
                                                   plans["todays_roster"], plans["variant"],
                                                   plans["roster_of"], strict=True):
        label = f"{count}" + (f" ({change:+d})" if change else "") + (
            ", today's roster suffices" if todays else "") + (
            f", the roster of {of}" if name == "base" and of != name else "")
        need.text(count, yy, f" {label}", va="center", fontsize=9)
    need.set_yticks(y, variants)
    need.set_xlim(0, plans["headcount"].max() * (1.75 if plans["todays_roster"].any() else 1.25))
    need.set_xlabel("agents planned to meet the variant's standards")
    need.set_title("What it needs")
    index = standard_positions(day)
    standards = shown
    offsets = np.linspace(-0.25, 0.25, len(standards)) if len(standards) > 1 else [0.0]
    for k, offset in zip(standards, offsets, strict=True):
        rows = day[index == k]
        ys = [y[variants.index(v)] + offset for v in rows["variant"]]
        x = 100 * rows["attainment"].to_numpy()
        err = [x - 100 * rows["attainment_low"].to_numpy(),
               100 * rows["attainment_high"].to_numpy() - x]
        label = rows["standard"].iloc[0] + (
            " (today; variants change it)" if rows["standard"].nunique() > 1 else "")
        today.errorbar(x, ys, xerr=err, fmt="o", color=PALETTE[k % len(PALETTE)], capsize=3,
                       label=label if len(standards) > 1 else None)
        today.scatter(100 * rows["target"], ys, marker="|", s=200, color="black", zorder=3)
        if len(standards) > 2:
            continue  # labels would crowd: the printed table has them
        for yy, row in zip(ys, rows.itertuples(), strict=True):
            share = 100 * row.intervals_meeting_target  # 99.7 is not shown as 100
            today.annotate(f"{row.verdict}; {share:.3g}% of intervals "
                           "on target", (100 * row.attainment, yy), textcoords="offset points",
                           xytext=(0, 7), fontsize=7, color="0.25",
                           ha="right" if row.attainment > 0.97 else "center")  # inside the axes
    today.set_yticks(y, variants)
    today.set_ylim(-0.6, len(variants) - 0.3)  # room for the labels above the top row
    today.margins(x=0.2)
    today.set_xlim(right=min(today.get_xlim()[1], 102))
    today.set_xlabel("% within standard, today's roster (95% CI); | = the variant's target")
    today.set_title("Day one with today's roster")
    today.grid(axis="x", alpha=0.3)
    if len(standards) > 1:  # below the axis, clear of the points
        today.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8,
                     frameon=False)
    fig.suptitle(study_name)
    fig.tight_layout()
    return fig


def sweep_figure(table, result, loaded) -> Figure:
    """Left: agents planned against the swept value (a line per value of a
    second swept field). Middle: what each point's plan buys, its simulated
    attainment of each standard against its agents. Right: today's roster's
    attainment of each standard against the swept value. Dashed: today's
    targets."""
    swept = list(next(iter(loaded.points.values())))
    x, series = swept[0], (swept[1] if len(swept) > 1 else None)
    groups = [(None, table)] if series is None else list(table.groupby(series, sort=False))
    fig, (need, buys, today) = plt.subplots(1, 3, figsize=(16, 4.4))
    labels = [standard.label for standard in loaded.base.standards]
    for k, (value, rows) in enumerate(groups):
        label = None if series is None else f"{series} {value}"
        need.plot(rows[x], rows["headcount"], "o-", color=PALETTE[k % len(PALETTE)],
                  label=label)
        for m, standard in enumerate(labels):
            color = PALETTE[(k + m) % len(PALETTE)]
            name = standard + (f" ({label})" if label else "")
            order = rows.sort_values("headcount")
            buys.plot(order["headcount"], 100 * order[f"planned: {standard}"], "o:",
                      color=color, label=name)
            for point in order.to_dict("records"):
                swept_value = point[x]
                buys.annotate(f"{swept_value:g}" if isinstance(swept_value, float)
                              else str(swept_value),
                              (point["headcount"], 100 * point[f"planned: {standard}"]),
                              textcoords="offset points", xytext=(4, 4), fontsize=7,
                              color=color)
            today.plot(rows[x], 100 * rows[f"today: {standard}"], "o-", color=color, label=name)
    for ax in (buys, today):
        for standard in loaded.base.standards:
            ax.axhline(100 * standard.target, color="black", lw=0.8, ls="--")
        ax.set_ylabel("% within standard")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, frameon=False)
    need.set_xlabel(x)
    need.set_ylabel("agents planned")
    need.set_title("What each point needs")
    need.grid(alpha=0.3)
    buys.set_xlabel(f"agents planned (labels: {x})")
    buys.set_title("What each point's plan reaches")
    today.set_xlabel(x)
    today.set_title("Today's roster at each point")
    if series is not None:
        need.legend(fontsize=8, frameon=False)
    fig.suptitle(f"{loaded.study.name} (dashed: today's targets)")
    fig.tight_layout()
    return fig


def frontier_figure(result, study_name: str) -> Figure:
    """Agents (left) and cost (right) against each standard's target, a line
    per standard; each step labelled with what it adds, today's target ringed,
    a target not met in simulation hollow."""
    points = result.points
    fig, (agents, cost) = plt.subplots(1, 2, figsize=(13, 4.6))
    for k, (standard, rows) in enumerate(points.groupby("standard", sort=False)):
        color = PALETTE[k % len(PALETTE)]
        x = 100 * rows["target"].to_numpy()
        for ax, column, fmt in ((agents, "headcount", "{:+,.0f}"), (cost, "cost", "{:+,.0f}")):
            y = rows[column].to_numpy(dtype=float)
            ax.plot(x, y, "-", color=color, label=standard)
            met = rows["met"].to_numpy(dtype=bool)
            ax.scatter(x[met], y[met], color=color, zorder=3)
            ax.scatter(x[~met], y[~met], facecolor="white", edgecolor=color, zorder=3)
            today = rows["today"].to_numpy(dtype=bool)
            ax.scatter(x[today], y[today], s=220, facecolor="none", edgecolor="black",
                       lw=1.5, zorder=4)
            for i in range(len(x) - 1):
                ax.annotate(fmt.format(y[i + 1] - y[i]), ((x[i] + x[i + 1]) / 2,
                            (y[i] + y[i + 1]) / 2), textcoords="offset points", xytext=(-4, 6),
                            ha="right", fontsize=8, color=color)
    period = {1: "a day", 7: "a week"}.get(result.horizon_days,
                                          f"over {result.horizon_days} days")
    agents.set_ylabel("agents planned (people)")
    agents.set_title("Agents each target needs")
    cost.set_ylabel(f"roster cost, {period}")
    cost.set_title("What it costs")
    cost.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    agents.yaxis.get_major_locator().set_params(integer=True)
    for ax in (agents, cost):
        ax.set_xlabel("target, % within the standard's threshold")
        ax.grid(alpha=0.3)
    agents.legend(fontsize=8, frameon=False, loc="upper left")
    headline = result.headline()
    fig.suptitle(study_name + ("\n" + "\n".join(headline) if headline else ""), fontsize=11)
    fig.text(0.5, 0.005, "ringed: today's target; hollow: not met in simulation; labels: "
             "what each step adds", ha="center", fontsize=8, color="0.35")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def scorecard_figure(result, title: str) -> Figure:
    """Radar of each dimension's points (0-10), the total in the title."""
    table = result.dimensions
    names = list(table["dimension"])
    angles = np.linspace(0, 2 * np.pi, len(names), endpoint=False)
    values = table["points"].to_numpy(dtype=float)
    fig = plt.figure(figsize=(9, 6.5))
    ax = fig.add_axes((0.27, 0.1, 0.46, 0.72), projection="polar")  # room for the labels
    ring = np.append(angles, angles[0])
    ax.plot(ring, np.append(values, values[0]), color=PALETTE[0], lw=2)
    ax.fill(ring, np.append(values, values[0]), color=PALETTE[0], alpha=0.25)
    ax.set_xticks(angles, [f"{n}\n{p:g} pts x {100 * w:g}%" for n, p, w
                           in zip(names, values, table["weight"], strict=True)], fontsize=9)
    for label, angle in zip(ax.get_xticklabels(), angles, strict=True):
        # labels beside the circle read away from it, not across the plot
        x = np.cos(angle)
        label.set_horizontalalignment("left" if x > 0.1 else "right" if x < -0.1 else "center")
    ax.set_ylim(0, 10)
    ax.set_yticks([0, 5, 10])
    ax.set_rlabel_position(60)
    ax.tick_params(axis="x", pad=10)
    fig.suptitle(f"{title}: {result.total:.1f} / 100")
    return fig


__all__ = ["comparison_figure", "frontier_figure", "scorecard_figure", "sweep_figure"]
