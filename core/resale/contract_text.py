"""What a city's resale documents say: party names, the filing article, the
disputes article.

The policy profiles (``core.resale.policies``) say what a city checks; this
module says what a city's printed contract, receipt and notice state, keyed
by the same city code. Sources:

* seed 001 (Shenzhen): the counter is the 住房公积金管理中心房屋交易业务网点;
  a submitted filing "审核通过的，合同备案并加盖备案章";
* seed 002 (Zhongshan): the parties are 转让方 / 受让方; both SMS codes
  verified "即为完成存量房买卖合同网签备案";
* seed 003 (Wuhan) 提示3: the net-signing information "自动完成备案" once the
  transfer registration is applied for; 提示4: either side may revoke before
  registration, and disputes are then settled between the parties.

The disputes article is the parties' choice of arbitration (before a named
commission) or the court, recorded on the contract form or left for them to
tick on the printed contract.

The hall a document sends the citizen to is ``core.hall``'s.

Pure: stdlib only.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.hall import HALLS, HallContact

__all__ = [
    "CITY_TEXTS",
    "DISPUTE_ARBITRATION",
    "DISPUTE_COURT",
    "DISPUTE_LABELS",
    "CityText",
    "city_text",
    "dispute_clause",
    "dispute_options",
    "dispute_text",
    "structure_text",
]

@dataclass(frozen=True)
class CityText:
    """The words of one city's resale documents."""

    code: str
    seller: str  # 出卖人 / 转让方
    buyer: str  # 买受人 / 受让方
    filing: str  # the article on filing (备案)
    revocation: str | None  # what happens when the net-signing is revoked, where the city allows it

    @property
    def hall(self) -> HallContact:
        """The city's default hall (``core.hall``), before the hall's settings."""
        return HALLS[self.code]


CITY_TEXTS: dict[str, CityText] = {
    "shenzhen": CityText(
        code="shenzhen", seller="出卖人", buyer="买受人",
        filing=("本合同经甲、乙双方签署后，由甲方或房屋交易业务网点窗口人员上传备案材料并提交备案申请；"
                "审核通过的，合同备案并加盖备案章。"),
        revocation=None,
    ),
    "zhongshan": CityText(
        code="zhongshan", seller="转让方", buyer="受让方",
        filing=("甲、乙双方手机短信验证码分别验证成功、合同状态显示已签约的，即完成存量房买卖合同网签备案，"
                "双方可到相关部门办理不动产转移登记手续。"),
        revocation=None,
    ),
    "wuhan": CityText(
        code="wuhan", seller="出卖人", buyer="买受人",
        filing=("交易双方向不动产登记部门提交已签章的本合同申请办理不动产转移登记手续后，"
                "本合同网签信息自动完成备案。"),
        revocation=("在申请不动产转移登记前，任意一方可申请撤销网签，系统自动向另一方发出短信提醒；"
                    "撤销网签的，交易双方之间所涉房屋交易纠纷按法律规定及相关约定自行协商解决。"),
    ),
}


def city_text(code: str) -> CityText:
    """The texts of city ``code`` (a policy profile's code)."""
    try:
        return CITY_TEXTS[code]
    except KeyError:
        raise ValueError(f"no document texts for city {code!r}") from None


DISPUTE_ARBITRATION = "arbitration"
DISPUTE_COURT = "court"
#: How a dispute the parties cannot settle is resolved: the parties' choice, recorded on the
#: contract form (none recorded: they tick one on the printed contract).
DISPUTE_LABELS: dict[str, str] = {DISPUTE_ARBITRATION: "仲裁", DISPUTE_COURT: "诉讼"}


def _check_choice(choice: str | None) -> None:
    if choice is not None and choice not in DISPUTE_LABELS:
        raise ValueError(f"unknown dispute choice {choice!r}")


def dispute_clause(choice: str | None = None) -> str:
    """The disputes article's sentence, which the ways to choose from follow
    (``dispute_options``), each with a box: ticked for the parties' choice
    when the form records one, otherwise both left for the parties to tick (the
    choice is theirs, not the hall's)."""
    _check_choice(choice)
    head = "本合同履行中发生争议的，由甲、乙双方协商解决；协商不成的，"
    if choice is None:
        return head + "按下列方式之一解决（由甲、乙双方在选定的方式前的方框内打“√”）："
    return head + "按下列甲、乙双方选定的方式（已打“√”）解决："


def dispute_options(commission: str | None = None) -> tuple[tuple[str, str], ...]:
    """The ways to resolve a dispute as the contract prints them, (choice, sentence) in order:
    arbitration before the named commission (a blank to fill in when none is named), or the
    court where the house lies."""
    body = commission or "＿＿＿＿＿＿仲裁委员会"
    return ((DISPUTE_ARBITRATION, f"提交{body}仲裁；"), (DISPUTE_COURT, "依法向房屋所在地人民法院起诉。"))


def dispute_text(choice: str | None, commission: str | None = None) -> str:
    """The recorded choice as a screen or a change record shows it: "仲裁（武汉仲裁委员会）",
    "诉讼", or "未选定" (the parties tick one on the printed contract)."""
    _check_choice(choice)
    if choice is None:
        return "未选定（由双方在合同上勾选）"
    return DISPUTE_LABELS[choice] + (f"（{commission}）" if choice == DISPUTE_ARBITRATION and commission else "")


def structure_text(structure: str) -> str:
    """A building structure as the contract's sentence names it:
    "钢筋混凝土结构" → "钢筋混凝土" (the sentence already says 房屋结构为)."""
    text = (structure or "").strip()
    return text.removesuffix("结构") or text
