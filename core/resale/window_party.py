"""Who is at the window, as the clerk typed it (产权校验's 办理人 section).

The clerk types up to three things about the party: the 办理人证件号码 (the
person standing at the window), the 权利人名称 and the 权利人证件号码 as the
certificate shows them (for an organisation: its unified social credit code).
These pure rules say which typed number names whom and refuse input that
leaves someone unnamed; the service then looks the numbers up exactly in the
register.  Refusals carry the form's field key (``AGENT_FIELD`` …) so the
screen can show each one under the box it is about.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import RuleViolation
from core.identity import check_person_name, mask_id, normalize
from core.resale.title_check import CAPACITY_LABELS, Capacity

__all__ = [
    "AGENT_FIELD",
    "TYPED_ID_FIELD",
    "TYPED_NAME_FIELD",
    "WindowKeys",
    "refuse_blank_typed",
    "require_agent_number",
    "shown_number",
    "typed_owner_name",
    "window_keys",
]

#: The form's boxes a refusal about the party can name.
AGENT_FIELD = "agent_id"  # 办理人证件号码
TYPED_NAME_FIELD = "typed_name"  # 权利人名称 as on the certificate
TYPED_ID_FIELD = "typed_id"  # 权利人证件号码 / 统一社会信用代码 as on the certificate

# Long enough for any document number or credit code the register holds; a
# longer paste is clipped in the sentence so the refusal stays one line's read.
_SHOWN_CHARS = 24


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def refuse_blank_typed(capacity: Capacity | str, typed_name: str | None, typed_id_number: str | None) -> None:
    """Typed but left empty: refused.

    Filling a blank from the register would make the name and number
    comparison check the register against itself.  ``None`` means "not typed
    at all" (callers such as the demo loader that present the register's own
    facts) and is left alone.
    """
    org = Capacity(capacity) is Capacity.ORG_AGENT
    if typed_name is not None and _blank(typed_name):
        raise RuleViolation("HOUSE_CHECK_NAME_REQUIRED", f"请按产权证书输入权利人{'名称' if org else '姓名'}。",
                            field=TYPED_NAME_FIELD)
    if typed_id_number is not None and _blank(typed_id_number):
        raise RuleViolation("HOUSE_CHECK_ID_REQUIRED",
                            f"请按产权证书输入权利人{'统一社会信用代码' if org else '证件号码'}。", field=TYPED_ID_FIELD)


def typed_owner_name(capacity: Capacity | str, typed_name: str | None) -> str | None:
    """The 权利人名称 as typed, checked as a person's name and normalised
    (``core.identity.check_person_name``) when the owner is a person (the owner
    in person, or a proxy's principal); an organisation's name is left as typed.
    ``None`` (not typed) stays ``None``."""
    if typed_name is None or Capacity(capacity) is Capacity.ORG_AGENT:
        return typed_name
    return check_person_name(typed_name, who="权利人", field=TYPED_NAME_FIELD)


def require_agent_number(capacity: Capacity | str, agent_number: str | None) -> None:
    """The 办理人证件号码 is required unless the owner comes in person.

    A proxy or an organisation's agent is someone other than the owner the
    certificate names, so only their own number says who stands at the window.
    """
    capacity = Capacity(capacity)
    if capacity is not Capacity.OWNER and not normalize(agent_number or ""):
        raise RuleViolation("HOUSE_CHECK_AGENT_ID_REQUIRED",
                            f"{CAPACITY_LABELS[capacity]}办理的，请输入办理人本人的证件号码。", field=AGENT_FIELD)


@dataclass(frozen=True)
class WindowKeys:
    """The normalised numbers that name the party, and where each was typed.

    ``person_number`` names the person at the window (one of their own
    documents); ``person_field`` is the box it came from, where a refusal
    about it belongs.  ``credit_code`` names the organisation an agent acts
    for (None for the other capacities).
    """

    person_number: str
    person_field: str
    credit_code: str | None = None


def window_keys(capacity: Capacity | str, agent_number: str | None, typed_name: str | None,
                typed_id: str | None) -> WindowKeys:
    """Which typed number identifies whom, for the capacity chosen.

    Refuses in the form's order: a missing agent number (non-owners), then a
    blank 权利人名称 or 证件号码.  Then: the owner in person is named by the
    办理人证件号码 when one was typed (e.g. the document shown at the window
    is not the one on the certificate), else by the 权利人证件号码; a proxy or
    an organisation's agent by the 办理人证件号码; an organisation by the
    credit code typed as its 证件号码.
    """
    capacity = Capacity(capacity)
    require_agent_number(capacity, agent_number)
    refuse_blank_typed(capacity, typed_name or "", typed_id or "")
    agent, typed = normalize(agent_number or ""), normalize(typed_id or "")
    if capacity is Capacity.OWNER:
        return WindowKeys(agent, AGENT_FIELD) if agent else WindowKeys(typed, TYPED_ID_FIELD)
    credit_code = typed if capacity is Capacity.ORG_AGENT else None
    return WindowKeys(agent, AGENT_FIELD, credit_code)


def shown_number(number: str, *, masked: bool = True) -> str:
    """A typed number as a refusal sentence may show it: masked (a personal
    number) or whole (a credit code), without control characters and clipped.

    The sentence is read out and echoed on a terminal; what the clerk typed
    stays plain text there (no markup is interpreted: that is the display's
    job), but a control character would act on the terminal itself.
    """
    printable = "".join(ch for ch in normalize(number) if ch.isprintable())
    text = mask_id(printable) if masked else printable
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
