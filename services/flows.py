"""Every domain's case flows, registered with the case engine (``services.cases.register_flow``).

The terminal, the CLI and the tests import this once; until they do, a move a type's domain owns
(``core.cases`` ``domain_moves``) is refused rather than made by the engine alone.
"""

from __future__ import annotations

from services.allocation import flows as allocation_flows
from services.presale import flows as presale_flows
from services.resale import flows as resale_flows

__all__ = ["allocation_flows", "presale_flows", "resale_flows"]
