"""The unit mapping of a survey that replaces another (户室关系对照, seed 004 §5.1.3): which
units of the base survey became which units of the new one.

A mapping is a set of links (old unit, new unit). Read as a whole it says, for every
group of linked units: matched (one old, one new), split (拆分: one old, several new) or
merged (合并: several old, one new); an old unit with no link is deleted (删除), a new unit
with none is added (新增). A group linking several old units with several new ones says
nothing clear and is refused. The authority confirms the summary before archiving, as the
seed shows it: 原户室套数, 新户室套数, 对照后户室套数, then each kind with its units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.errors import RuleViolation

__all__ = ["MappingSummary", "default_links", "summarise"]


@dataclass(frozen=True)
class MappingSummary:
    old_count: int  # 原测绘户室套数
    new_count: int  # 新测绘户室套数
    matched: list[tuple[str, str]]
    split: list[tuple[str, list[str]]]  # 原户室 → 拆分后户室
    merged: list[tuple[list[str], str]]  # 原户室 → 合并后户室
    added: list[str]
    deleted: list[str]

    @property
    def mapped_count(self) -> int:
        """对照后户室套数: the units the building has once the mapping takes effect."""
        return self.new_count

    def lines(self) -> list[str]:
        """The summary in the seed's words, one line each."""
        out = [f"原户室 {self.old_count} 套，新户室 {self.new_count} 套，对照后户室 {self.mapped_count} 套；"
               f"对应 {len(self.matched)} 套"]
        out.append(f"拆分户室：{len(self.split)} 套" + "".join(f"；{o} → {'、'.join(n)}" for o, n in self.split))
        out.append(f"合并户室：{len(self.merged)} 套" + "".join(f"；{'、'.join(o)} → {n}" for o, n in self.merged))
        out.append(f"新增户室：{len(self.added)} 套" + (f"；{'、'.join(self.added)}" if self.added else ""))
        out.append(f"删除户室：{len(self.deleted)} 套" + (f"；{'、'.join(self.deleted)}" if self.deleted else ""))
        return out


def default_links(old: Sequence[str], new: Sequence[str]) -> set[tuple[str, str]]:
    """The mapping proposed at first: a unit of the same number is the same unit."""
    present = set(new)
    return {(o, o) for o in old if o in present}


def summarise(old: Sequence[str], new: Sequence[str], links: Iterable[tuple[str, str]]) -> MappingSummary:
    """Read a mapping (unit numbers of the base survey, of the new one, and the links). Refused:
    MAPPING_UNKNOWN_UNIT (a link names a unit neither survey has), MAPPING_MANY_TO_MANY."""
    old_set, new_set = set(old), set(new)
    by_old: dict[str, set[str]] = defaultdict(set)
    by_new: dict[str, set[str]] = defaultdict(set)
    for o, n in links:
        if o not in old_set or n not in new_set:
            raise RuleViolation("MAPPING_UNKNOWN_UNIT", f"户室对照中的{o if o not in old_set else n}不是对照双方测绘的户室。")
        by_old[o].add(n)
        by_new[n].add(o)
    order_old = {u: i for i, u in enumerate(old)}
    order_new = {u: i for i, u in enumerate(new)}
    matched, split, merged = [], [], []
    seen: set[str] = set()
    for o in old:
        targets = by_old.get(o)
        if not targets or o in seen:
            continue
        if len(targets) > 1:
            shared = [n for n in targets if len(by_new[n]) > 1]
            if shared:
                _many_to_many(o, shared[0], by_old, by_new)
            split.append((o, sorted(targets, key=order_new.__getitem__)))
            seen.add(o)
            continue
        (n,) = targets
        sources = by_new[n]
        if len(sources) > 1:
            for s in sources:
                if len(by_old[s]) > 1:
                    _many_to_many(s, n, by_old, by_new)
            merged.append((sorted(sources, key=order_old.__getitem__), n))
            seen |= sources
            continue
        matched.append((o, n))
        seen.add(o)
    added = [n for n in new if n not in by_new]
    deleted = [o for o in old if o not in by_old]
    return MappingSummary(len(old), len(new), matched, split, merged, added, deleted)


def _many_to_many(o: str, n: str, by_old: dict[str, set[str]], by_new: dict[str, set[str]]) -> None:
    olds = "、".join(sorted(by_new[n]))
    news = "、".join(sorted(by_old[o]))
    raise RuleViolation("MAPPING_MANY_TO_MANY",
                        f"户室对照不能多对多：原户室{olds}与新户室{news}互相交叉，请拆成拆分或合并。")
