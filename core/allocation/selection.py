"""保障房选房: how a selection round (场次) is resolved, forecast and checked.

The rule (seed 000, DOMAIN.md "How a round is resolved") is serial
dictatorship: families are served strictly in rank (排位) order; at its turn a
family takes the house it confirmed (确认正选) if that house is still free,
otherwise the first house on its wish list (意向) that is still free. A family
that gave up (主动放弃) takes nothing; a family left with nothing is "not
allocated" (may apply for 补选). The result is unique for given lists, so a
rerun gives the same result.

Everything here is pure: stdlib only, no I/O. Ids are strings inside; the JSON
validator remembers each id's original JSON value (string or integer) so the
output can give ids back in the type they came in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple

from core.errors import RuleViolation

# ------------------------------------------------------------------ data


class ResultStatus(StrEnum):
    """How a family came out of a round (RoundFamily.result_status); in this order on every count."""

    CONFIRMED = "confirmed"  # took the house it confirmed (确认正选)
    ALLOCATED = "allocated"  # took the first free house of its wishes
    NOT_ALLOCATED = "not_allocated"  # nothing left for it (may apply for 补选)
    GAVE_UP = "gave_up"  # gave up (主动放弃): takes nothing by choice


STATUS_LABELS: dict[str, str] = {
    ResultStatus.CONFIRMED: "已确认",
    ResultStatus.ALLOCATED: "已分配",
    ResultStatus.NOT_ALLOCATED: "未分配",
    ResultStatus.GAVE_UP: "已放弃",
}

#: The results that give the family a house.
HOUSED = frozenset({ResultStatus.CONFIRMED, ResultStatus.ALLOCATED})

# The members as plain module globals for _turn, which runs once per family (100,000 in a
# round): an enum member looked up on its class costs about 4 % of resolve's time there.
_CONFIRMED, _ALLOCATED, _NOT_ALLOCATED, _GAVE_UP = (
    ResultStatus.CONFIRMED, ResultStatus.ALLOCATED, ResultStatus.NOT_ALLOCATED, ResultStatus.GAVE_UP)


class BlockReason(StrEnum):
    """Why a house on a family's list was not available at its turn (Forecast.blocked)."""

    TAKEN = "taken"
    NOT_IN_POOL = "not_in_pool"


@dataclass(frozen=True)
class FamilyInput:
    id: str
    rank: int  # 排位: 1 is served first
    wishes: tuple[str, ...]  # 意向, best first
    confirm: str | None = None  # the house it confirmed (确认正选); must be on its wishes
    gave_up: bool = False  # 主动放弃选房


@dataclass(frozen=True)
class RoundInput:
    houses: tuple[str, ...]  # the pool (房源) still free when the round starts, in board order
    families: tuple[FamilyInput, ...]  # any order; served by rank
    # Original JSON values of ids (e.g. the integer 101 for "101"); filled by
    # validate_round_input, empty for rounds built in code. Not part of equality.
    house_json_ids: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    family_json_ids: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def json_house(self, house: str | None) -> Any:
        """The house id as it appeared in the input JSON (None stays None)."""
        return None if house is None else self.house_json_ids.get(house, house)

    def json_family(self, family: str) -> Any:
        """The family id as it appeared in the input JSON."""
        return self.family_json_ids.get(family, family)


@dataclass(frozen=True)
class FamilyResult:
    family: str
    rank: int
    house: str | None
    status: ResultStatus

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class RoundResult:
    results: tuple[FamilyResult, ...]  # rank order
    free_after: tuple[str, ...]  # pool order
    warnings: tuple[str, ...]  # Chinese sentences, in the order the round met them

    def for_family(self, family_id: str) -> FamilyResult:
        for result in self.results:
            if result.family == family_id:
                return result
        raise KeyError(family_id)


class Blocked(NamedTuple):
    """A house on a family's list it could not have at its turn, and why."""

    house: str
    taken_by_family: str | None  # None when the house is not in the pool
    taken_by_rank: int | None
    reason: BlockReason

    @property
    def message(self) -> str:
        if self.reason == BlockReason.NOT_IN_POOL:
            return f"房源 {self.house} 不在本场次房源池中。"
        return f"房源 {self.house} 已被排位第 {self.taken_by_rank} 位的家庭 {self.taken_by_family} 选定。"


@dataclass(frozen=True)
class Forecast:
    """推算: what a family would get now, and which better-ranked family blocks each better wish."""

    family: str
    rank: int
    house: str | None
    status: ResultStatus
    # Each house on its list before the one it gets (all of its list when it
    # gets nothing) that was not available at its turn, in list order, once
    # each. Empty for a family that gave up: it takes nothing by choice.
    blocked: tuple[Blocked, ...]
    warnings: tuple[str, ...] = ()
    # True when the family has neither a formal wish nor a confirmed house: it can
    # get nothing, and the clerk must hear why (the pre-selection does not count).
    list_empty: bool = False

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def explain(self) -> tuple[str, ...]:
        """The forecast as Chinese sentences a clerk can read out, result first."""
        if self.status == ResultStatus.GAVE_UP:
            head = f"家庭 {self.family} 已放弃选房，不分配房源。"
        elif self.house is None and self.list_empty:
            head = (f"家庭 {self.family} 的正选意向为空，将分配不到房源："
                    "推算和运行只按正选意向分配，预选意向须在正选时间内同步到正选意向才算数。")
        elif self.house is None:
            head = f"按当前意向，家庭 {self.family} 将分配不到房源。"
        else:
            head = f"按当前意向，家庭 {self.family} 将选中房源 {self.house}。"
        return (head, *(b.message for b in self.blocked))


# ------------------------------------------------------------------ the rule


def _served_order(families: Iterable[FamilyInput]) -> list[FamilyInput]:
    # Ranks are unique in validated input; the id breaks ties so that even a
    # hand-built round with equal ranks resolves the same way every time.
    return sorted(families, key=lambda f: (f.rank, f.id))


def _turn(
    family: FamilyInput, pool: frozenset[str], free: set[str], warnings: list[str]
) -> tuple[str | None, ResultStatus]:
    """One family's turn: take a house out of ``free`` and say how it was obtained."""
    if family.gave_up:
        return None, _GAVE_UP
    for house in dict.fromkeys(family.wishes):  # each missing house warned once
        if house not in pool:
            warnings.append(f"家庭 {family.id} 的意向房源 {house} 不在本场次房源池中，已跳过。")
    if family.confirm is not None:
        if family.confirm in free:
            free.discard(family.confirm)
            return family.confirm, _CONFIRMED
        warnings.append(f"家庭 {family.id} 确认的房源 {family.confirm} 已不可选，改按意向顺序分配。")
    for house in family.wishes:
        if house in free:
            free.discard(house)
            return house, _ALLOCATED
    return None, _NOT_ALLOCATED


def resolve(round: RoundInput) -> RoundResult:  # noqa: A002 - the domain's word
    """Resolve a round by serial dictatorship (see the module docstring).

    Deterministic and independent of the order of ``round.families``; runs in
    O(total wishes) after sorting by rank, using a set of free houses.
    """
    pool = frozenset(round.houses)
    free = set(pool)
    warnings: list[str] = []
    results = []
    for family in _served_order(round.families):
        house, status = _turn(family, pool, free, warnings)
        results.append(FamilyResult(family.id, family.rank, house, status))
    free_after = tuple(h for h in dict.fromkeys(round.houses) if h in free)
    return RoundResult(tuple(results), free_after, tuple(warnings))


def forecast(round: RoundInput, family_id: str) -> Forecast:  # noqa: A002
    """推算: run the rule over the families ranked before ``family_id``, then its own turn.

    Serial dictatorship only looks backwards, so the forecast equals what
    ``resolve`` gives the family. Each better wish it misses is explained by the
    better-ranked family that takes it, or by its absence from the pool.
    """
    order = _served_order(round.families)
    position = next((i for i, f in enumerate(order) if f.id == family_id), None)
    if position is None:
        raise RuleViolation("ALLOC_UNKNOWN_FAMILY", f"本场次没有编号为 {family_id} 的家庭。", field="family")
    pool = frozenset(round.houses)
    free = set(pool)
    taken_by: dict[str, FamilyInput] = {}
    for earlier in order[:position]:
        house, _ = _turn(earlier, pool, free, [])
        if house is not None:
            taken_by[house] = earlier
    family = order[position]
    warnings: list[str] = []
    house, status = _turn(family, pool, free, warnings)
    blocked: list[Blocked] = []
    if status != ResultStatus.GAVE_UP:
        for wish in dict.fromkeys(family.wishes):
            if wish == house:
                break
            if wish not in pool:
                blocked.append(Blocked(wish, None, None, BlockReason.NOT_IN_POOL))
            elif wish in taken_by:
                blocked.append(Blocked(wish, taken_by[wish].id, taken_by[wish].rank, BlockReason.TAKEN))
            # else: free, but the family confirmed a later house instead.
    list_empty = not family.wishes and family.confirm is None
    return Forecast(family.id, family.rank, house, status, tuple(blocked), tuple(warnings), list_empty)


# ------------------------------------------------------------------ JSON input

_TOP_FIELDS = ("houses", "families")
_FAMILY_FIELDS = ("id", "rank", "wishes", "confirm", "gave_up")
_FAMILY_REQUIRED = ("id", "rank", "wishes")


def _id(value: Any, where: str, field_name: str) -> str:
    """Normalise a JSON id (string or integer, never bool/float/null) to str."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RuleViolation("ALLOC_BAD_TYPE", f"{where}的编号必须是字符串或整数。", field=field_name)
    text = str(value)
    if not text.strip():
        raise RuleViolation("ALLOC_BAD_ID", f"{where}的编号不能为空。", field=field_name)
    return text


def validate_round_input(obj: Any) -> RoundInput:
    """Check parsed JSON of a round and build a RoundInput, or refuse.

    Shape: ``{"houses": [id, ...], "families": [{"id", "rank", "wishes": [id, ...],
    "confirm": id | null (optional), "gave_up": bool (optional)}, ...]}``. Ids are
    strings or integers; ``101`` and ``"101"`` are the same id (so both in one
    list are duplicates). A wish may name a house outside the pool (resolve skips
    it with a warning); a confirmed house must be on the family's wishes, and a
    family that gave up cannot also confirm. Unknown fields anywhere are refused.
    """
    if not isinstance(obj, dict):
        raise RuleViolation("ALLOC_BAD_JSON_SHAPE", "选房数据必须是一个含 houses 和 families 的 JSON 对象。")
    for key in obj:
        if key not in _TOP_FIELDS:
            raise RuleViolation("ALLOC_UNKNOWN_FIELD", f"选房数据含有无法识别的字段 {key}。", field=str(key))
    for key in _TOP_FIELDS:
        if key not in obj:
            raise RuleViolation("ALLOC_MISSING_FIELD", f"选房数据缺少 {key} 字段。", field=key)
    if not isinstance(obj["houses"], list):
        raise RuleViolation("ALLOC_BAD_JSON_SHAPE", "houses 必须是房源编号的列表。", field="houses")
    if not isinstance(obj["families"], list):
        raise RuleViolation("ALLOC_BAD_JSON_SHAPE", "families 必须是家庭的列表。", field="families")

    house_json_ids: dict[str, Any] = {}
    for i, raw in enumerate(obj["houses"]):
        house = _id(raw, f"房源池第 {i + 1} 套房源", f"houses[{i}]")
        if house in house_json_ids:
            raise RuleViolation("ALLOC_DUPLICATE_HOUSE", f"房源 {house} 在房源池中出现了不止一次。", field=f"houses[{i}]")
        house_json_ids[house] = raw

    family_json_ids: dict[str, Any] = {}
    seen_ranks: dict[int, str] = {}
    families = []
    for i, raw in enumerate(obj["families"]):
        at = f"families[{i}]"
        if not isinstance(raw, dict):
            raise RuleViolation("ALLOC_BAD_JSON_SHAPE", f"第 {i + 1} 个家庭必须是一个 JSON 对象。", field=at)
        who = f"第 {i + 1} 个家庭"
        if "id" in raw:
            family = _id(raw["id"], who, f"{at}.id")
            who = f"家庭 {family}"
        for key in raw:
            if key not in _FAMILY_FIELDS:
                raise RuleViolation("ALLOC_UNKNOWN_FIELD", f"{who}含有无法识别的字段 {key}。", field=f"{at}.{key}")
        for key in _FAMILY_REQUIRED:
            if key not in raw:
                raise RuleViolation("ALLOC_MISSING_FIELD", f"{who}缺少 {key} 字段。", field=f"{at}.{key}")
        if family in family_json_ids:
            raise RuleViolation("ALLOC_DUPLICATE_FAMILY", f"家庭编号 {family} 出现了不止一次。", field=f"{at}.id")
        family_json_ids[family] = raw["id"]

        rank = raw["rank"]
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
            raise RuleViolation("ALLOC_BAD_RANK", f"{who}的排位必须是正整数。", field=f"{at}.rank")
        if rank in seen_ranks:
            raise RuleViolation("ALLOC_DUPLICATE_RANK",
                                f"{who}与家庭 {seen_ranks[rank]} 的排位同为第 {rank} 位。", field=f"{at}.rank")
        seen_ranks[rank] = family

        if not isinstance(raw["wishes"], list):
            raise RuleViolation("ALLOC_BAD_JSON_SHAPE", f"{who}的 wishes 必须是房源编号的列表。", field=f"{at}.wishes")
        wishes = tuple(_id(w, f"{who}的第 {j + 1} 个意向房源", f"{at}.wishes[{j}]")
                       for j, w in enumerate(raw["wishes"]))

        gave_up = raw.get("gave_up", False)
        if not isinstance(gave_up, bool):
            raise RuleViolation("ALLOC_BAD_TYPE", f"{who}的 gave_up 必须是 true 或 false。", field=f"{at}.gave_up")
        confirm = raw.get("confirm")
        if confirm is not None:
            confirm = _id(confirm, f"{who}确认的房源", f"{at}.confirm")
            if confirm not in wishes:
                raise RuleViolation("ALLOC_CONFIRM_NOT_IN_WISHES",
                                    f"{who}确认的房源 {confirm} 不在其意向列表中。", field=f"{at}.confirm")
            if gave_up:
                raise RuleViolation("ALLOC_CONFIRM_GAVE_UP",
                                    f"{who}已放弃选房，不能同时确认房源 {confirm}。", field=f"{at}.confirm")
        families.append(FamilyInput(family, rank, wishes, confirm, gave_up))

    return RoundInput(tuple(house_json_ids), tuple(families),
                      house_json_ids=MappingProxyType(house_json_ids),
                      family_json_ids=MappingProxyType(family_json_ids))


# ------------------------------------------------------------------ wish-list lint


class WishWarning(NamedTuple):
    code: str
    message: str  # one Chinese sentence


def lint_wishes(
    wishes: Iterable[str],
    *,
    eligible_layouts: set[str] | None,
    layout_of: Mapping[str, str],
    taken: set[str],
    position_in_round: int,
    free_count: int,
) -> list[WishWarning]:
    """Advice on a family's wish list while the clerk edits it (nothing is refused).

    ``layout_of`` maps every house of the round's pool to its layout (户型); a
    house it does not know is not in the pool. ``eligible_layouts`` is what the
    family may choose (None: no restriction). ``taken`` holds houses already
    chosen on the status board (房源播报). ``position_in_round`` is the family's
    1-based position among the round's families, ``free_count`` the number of
    houses still free.

    Flags, in list order: WISH_DUPLICATE (a house listed twice), WISH_NOT_IN_POOL,
    WISH_NOT_ELIGIBLE (a layout the family may not choose), WISH_TAKEN; then
    WISH_LIST_TOO_SHORT.

    Why the length rule: the k-1 families served before a family at position k
    each take at most one house. In the worst case each takes a different house
    from this family's list, so only a list with at least k distinct houses
    that it may actually get (in the pool, eligible, not taken) is sure to leave
    one for it (pigeonhole). When fewer than k houses are free no list can be
    sure; listing every free house is then the best possible, so the bar is
    min(k, free_count) and we warn when the valid distinct wishes fall below it.
    (Eligibility may make even that bar unreachable; the warning then is still
    true: the family is not sure of a house.)
    """
    if position_in_round < 1:
        raise ValueError("position_in_round is 1-based")
    found: list[WishWarning] = []
    seen: set[str] = set()
    duplicated: set[str] = set()
    valid: set[str] = set()
    for house in wishes:
        if house in seen:
            if house not in duplicated:
                duplicated.add(house)
                found.append(WishWarning("WISH_DUPLICATE", f"房源 {house} 在意向列表中重复出现。"))
            continue
        seen.add(house)
        if house not in layout_of:
            found.append(WishWarning("WISH_NOT_IN_POOL", f"房源 {house} 不在本场次房源池中。"))
            continue
        layout = layout_of[house]
        if eligible_layouts is not None and layout not in eligible_layouts:
            found.append(WishWarning("WISH_NOT_ELIGIBLE", f"房源 {house} 的户型 {layout} 不在该家庭可选户型之内。"))
            continue
        if house in taken:
            found.append(WishWarning("WISH_TAKEN", f"房源 {house} 已被其他家庭选定。"))
            continue
        valid.add(house)
    needed = min(position_in_round, max(free_count, 0))
    if len(valid) < needed:
        found.append(WishWarning(
            "WISH_LIST_TOO_SHORT",
            f"该家庭排在本场次第 {position_in_round} 位，意向中有效房源只有 {len(valid)} 套，"
            f"至少需要 {needed} 套才能确保选中房源。",
        ))
    return found

