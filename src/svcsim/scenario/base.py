"""The base of every scenario object: immutable, validated, strict about keys."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from svcsim.scenario.errors import did_you_mean


class Spec(BaseModel):
    """An immutable, validated piece of a scenario.

    Unknown keys are errors, with a suggestion when a known key is close.
    """

    # Infinite and NaN numbers are refused everywhere: no count, share or time is one.
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                              allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = set()
        for name, field in cls.model_fields.items():
            known.add(field.alias or name)
        unknown = [key for key in data if key not in known and key not in cls.model_fields]
        if unknown:
            key = str(unknown[0])
            allowed = ", ".join(sorted(known))
            raise ValueError(
                f"unknown key '{key}'{did_you_mean(key, known)}; allowed keys: {allowed}"
            )
        return data
