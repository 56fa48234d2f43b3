"""Analytic queueing: Erlang C and Erlang A (pure functions, times in seconds,
rates per second) and per-interval staffing requirements from a scenario."""

from svcsim.queueing.curves import ServicePlan, service_plan
from svcsim.queueing.erlang import ErlangResult, erlang_a, erlang_b, erlang_c, required_agents
from svcsim.queueing.requirements import Requirements, requirements

__all__ = [
    "ErlangResult",
    "Requirements",
    "ServicePlan",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "required_agents",
    "requirements",
    "service_plan",
]
