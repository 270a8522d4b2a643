"""The hall a printed document sends the citizen to: name, address, telephone.

One default per city (the city codes of the resale policy profiles), from the
seeds where they give it:

* Shenzhen (seed 001): the counter is the 住房公积金管理中心房屋交易业务网点;
* Zhongshan (seed 002): 市房地产交易管理事务中心, 中山市石岐街道民族东路1号,
  咨询电话 0760-88363077;
* Wuhan (seed 003): names no counter, address or telephone.

Where a seed gives none the default is a demo value, printed marked
"（示例）" until the hall configures its own (``Settings.hall_name`` /
``hall_address`` / ``hall_phone``). A hall's settings describe that hall, in
the hall's city; a document of another city names that city's hall.

Pure: stdlib only.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXAMPLE_MARK", "HALLS", "HallContact", "hall_contact"]

EXAMPLE_MARK = "（示例）"


@dataclass(frozen=True)
class HallContact:
    """The hall named on a document. ``examples`` names the fields that are
    demo values (no seed gives them and the hall has not configured them)."""

    name: str
    address: str
    phone: str
    examples: frozenset[str] = frozenset()

    def printed(self, field: str) -> str:
        """A field as the document prints it: a demo value marked "（示例）"."""
        value = getattr(self, field)
        return value + EXAMPLE_MARK if field in self.examples else value


_DEMO = frozenset({"address", "phone"})

HALLS: dict[str, HallContact] = {
    "shenzhen": HallContact("深圳市住房公积金管理中心房屋交易业务网点", "深圳市", "12345", examples=_DEMO),
    "zhongshan": HallContact("中山市房地产交易管理事务中心", "中山市石岐街道民族东路1号", "0760-88363077"),
    "wuhan": HallContact("武汉市住房保障和房屋管理局房屋交易窗口", "武汉市", "12345",
                         examples=frozenset({"name", "address", "phone"})),
}


def hall_contact(city: str, *, hall_city: str, name: str | None = None, address: str | None = None,
                 phone: str | None = None) -> HallContact:
    """The hall printed on a document of ``city``.

    The hall's own settings (``name`` / ``address`` / ``phone``) apply to the
    documents of its own city (``hall_city``) only; a field it left unset
    keeps the city's default, still marked when that is a demo value."""
    try:
        default = HALLS[city]
    except KeyError:
        raise ValueError(f"no hall for city {city!r}") from None
    if city != hall_city:
        return default
    given = {"name": name, "address": address, "phone": phone}
    values = {k: v or getattr(default, k) for k, v in given.items()}
    return HallContact(**values, examples=frozenset(k for k in default.examples if not given[k]))
