"""Every action × every role, called for real (issue: access table enforced and tested cell by cell).

For each action of ``core.access.ACTIONS`` and each role, an operator of that role (with its
enterprise or bank where the role needs one) calls the service with placeholder arguments.
A role the table refuses must be refused with ``ROLE_FORBIDDEN`` before anything else
happens; a role the table allows must not be refused for its role (the placeholder
arguments then fail in whatever way they fail: a case not found, a bad value). The table
must name every action the services have, and ``docs/access.md`` must be its rendering."""

from __future__ import annotations

import ast
import importlib
import inspect
import typing
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from core import access
from core.errors import RuleViolation
from core.roles import Actor, Admission, Role
from storage.engine import Database
from storage.models import Developer, Operator
from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "services"

#: Refusals that mean "this role may not": the only ones a refused cell may give.
FORBIDDEN = "ROLE_FORBIDDEN"


def _service_actions() -> set[str]:
    """The services' functions taking (db, actor, …): public, top level."""
    found = set()
    for path in sorted(SERVICES.rglob("*.py")):
        module = ".".join(path.relative_to(SERVICES).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                names = [a.arg for a in node.args.args]
                if names[:2] == ["db", "actor"]:
                    found.add(f"{module}.{node.name}")
    return found


def test_the_table_names_every_action_of_the_services() -> None:
    actions = _service_actions()
    assert sorted(actions - set(access.ACTIONS)) == [], "actions without a line in core/access.py"
    assert sorted(set(access.ACTIONS) - actions) == [], "lines in core/access.py for no action"


def test_the_page_is_the_table() -> None:
    page = (ROOT / "docs" / "access.md").read_text(encoding="utf-8")
    assert page == access.markdown(), ("docs/access.md is not core/access.py's table: "
                                       "python3 -c \"from core.access import markdown; print(markdown(), end='')\" "
                                       "> docs/access.md")


# ------------------------------------------------------------------ cell by cell

_PLACEHOLDER_BY_TYPE: dict[object, object] = {
    str: "0", int: 0, float: 0.0, bool: False, Decimal: Decimal(0), date: date(2026, 1, 1),
    datetime: datetime(2026, 1, 1, tzinfo=UTC), Path: Path("/nonexistent/wq-access"), bytes: b"",
}


def _placeholder(annotation: object) -> object:
    """A harmless value of the parameter's type (the call is expected to fail after the role
    check, or to be refused by it)."""
    if annotation in _PLACEHOLDER_BY_TYPE:
        return _PLACEHOLDER_BY_TYPE[annotation]
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset, typing.Union) or origin is not None and "Union" in str(origin):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin in (list, tuple, set, frozenset):
            return origin()
        return _placeholder(args[0]) if args else None
    if str(annotation).startswith(("collections.abc", "typing.Sequence", "typing.Iterable")):
        return ()
    return None


def _call(fn, db: Database, actor: Actor):  # type: ignore[no-untyped-def]
    signature = inspect.signature(fn)
    hints = typing.get_type_hints(fn)
    args, kwargs = [db, actor], {}
    for name, param in list(signature.parameters.items())[2:]:
        if param.default is not inspect.Parameter.empty or param.kind in (inspect.Parameter.VAR_POSITIONAL,
                                                                          inspect.Parameter.VAR_KEYWORD):
            continue
        value = _placeholder(hints.get(name))
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    return fn(*args, **kwargs)


def _actors(db: Database) -> dict[Role, Actor]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with db.write() as session:
        dev = Developer(credit_code="91430100MA4L0ACC5X", name="访问测试置业有限公司", kind="有限责任公司",
                        legal_rep_name="张三", legal_rep_id_kind="resident_id", legal_rep_id_number="110101198001010037",
                        legal_rep_phone="13800138000", region="长沙市", status="normal", created_at=now, updated_at=now)
        session.add(dev)
        session.flush()
        actors = {}
        for role in Role:
            op = Operator(username=f"access_{role.value}", name="访问测试", role=role.value, password_hash="x",
                          created_at=now,
                          developer_id=dev.id if role in (Role.DEVELOPER, Role.DEVELOPER_ADMIN) else None,
                          admission=Admission.APPROVED.value if role in (Role.DEVELOPER, Role.DEVELOPER_ADMIN) else None,
                          bank_name={Role.BANK_REVIEWER: "中国建设银行",
                                     Role.FUND_CENTRE_REVIEWER: "长沙住房公积金管理中心"}.get(role))
            session.add(op)
            session.flush()
            actors[role] = Actor(op.id, op.username, op.name, role, None,
                                 developer_id=op.developer_id, bank_name=op.bank_name)
    return actors


@pytest.fixture(scope="module", params=BACKENDS)
def hall(request: pytest.FixtureRequest, _templates, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One migrated hall per backend for the module (its operators made once): the role checks
    read the operator's account in the action's transaction, on either database."""
    from services import data
    from tests.conftest import SYSTEM, _fresh

    databases = _fresh(request.param, False, _templates, tmp_path_factory.mktemp("access"))
    db = next(databases)
    data.upgrade(db, SYSTEM)
    yield db, _actors(db)
    next(databases, None)  # the rest of the fixture: dispose of the handle, drop the PostgreSQL database


@pytest.mark.parametrize("action", sorted(access.ACTIONS))
def test_every_role_is_refused_or_let_through_as_the_table_says(hall, action: str) -> None:  # type: ignore[no-untyped-def]
    db, actors = hall
    module, _, name = action.rpartition(".")
    fn = getattr(importlib.import_module(f"services.{module}"), name)
    wrong = []
    for role, actor in actors.items():
        try:
            _call(fn, db, actor)
            outcome = "done"
        except RuleViolation as exc:
            outcome = exc.code
        except Exception as exc:  # noqa: BLE001 - a placeholder argument failed after the role check
            outcome = type(exc).__name__
        refused = outcome == FORBIDDEN
        if refused == access.allowed(action, role):
            wrong.append(f"{role.value}: {outcome} (table: {'allowed' if access.allowed(action, role) else 'refused'})")
    assert wrong == [], f"{action}: " + "; ".join(wrong)
