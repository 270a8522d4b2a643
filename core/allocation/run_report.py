"""What a round run (or its simulation) hands back: one typed report.

The rule (core.allocation.selection.resolve) works on string ids; a report
gives every id back as it came in — a family as its ``Family.id`` (an
integer) when the round was loaded from the database, a house as its code,
or, for a round read from a JSON file, each id in the JSON type it had. The
counter's screen, the CLI, the run's journal and the benchmark all read the
same report; the counting per status is done here, once.

Pure: stdlib only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, NamedTuple

from core.allocation.selection import ResultStatus, RoundInput, RoundResult

__all__ = ["ResultLine", "RoundReport"]


class ResultLine(NamedTuple):
    """One family's result, in rank order. A NamedTuple: a run builds 100,000 of them."""

    family: Any  # the family id as given (int or str)
    rank: int
    house: Any  # the house id as given (str or int), None when it got none
    status: ResultStatus

    def as_json(self) -> dict[str, Any]:
        """The line as a JSON object (keys in this order; the journal's pick hashes its canonical form)."""
        return {"family": self.family, "rank": self.rank, "house": self.house, "status": str(self.status)}


@dataclass(frozen=True)
class RoundReport:
    """The result of a round: every family's line, the houses still free, the warnings met."""

    results: tuple[ResultLine, ...]  # rank order
    free_after: tuple[Any, ...]  # house ids as given, pool order
    warnings: tuple[str, ...]  # Chinese sentences, in the order the round met them

    @classmethod
    def of(cls, round_input: RoundInput, result: RoundResult) -> RoundReport:
        """The report of ``result``, with ids in the types ``round_input`` received them.

        A round loaded from the database names its houses by code already (no
        house id map): then only the family ids are looked up, without a
        method call per id — this runs once per family of a 100,000-family run.
        """
        family = round_input.family_json_ids
        houses = round_input.house_json_ids
        if houses:
            lines = tuple([
                ResultLine(family.get(r.family, r.family), r.rank,
                           None if r.house is None else houses.get(r.house, r.house), r.status)
                for r in result.results
            ])
            free_after = tuple([houses.get(h, h) for h in result.free_after])
        else:
            lines = tuple([ResultLine(family.get(r.family, r.family), r.rank, r.house, r.status)
                           for r in result.results])
            free_after = tuple(result.free_after)
        return cls(lines, free_after, tuple(result.warnings))

    @property
    def families(self) -> int:
        return len(self.results)

    @property
    def housed(self) -> int:
        """Families given a house (confirmed or allocated)."""
        return sum(1 for line in self.results if line.house is not None)

    def counts(self) -> dict[ResultStatus, int]:
        """Families per result status, every status present, in ResultStatus order
        (已确认, 已分配, 未分配, 已放弃) — the order every summary shows them in."""
        found = Counter(line.status for line in self.results)
        return {status: found.get(status, 0) for status in ResultStatus}

    def to_json(self) -> dict[str, Any]:
        """The JSON form (``wangqian round run --json``, ``allocate simulate --json``):
        ``{"results": [{"family", "rank", "house", "status"}, ...], "free_after": [...], "warnings": [...]}``."""
        return {
            "results": [line.as_json() for line in self.results],
            "free_after": list(self.free_after),
            "warnings": list(self.warnings),
        }
