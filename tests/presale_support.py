"""What the presale tests share: enterprises with valid codes, a hall with a developer, its
project and its people, and survey files of any size."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from core.identity import make_enterprise_code
from core.presale.developers import DeveloperEntry
from core.presale.projects import ProjectEntry
from core.roles import Actor, Role
from services import operators
from services.presale import developers, projects, users
from storage.engine import Database
from tests.conftest import SYSTEM, make_operator

ROOT = Path(__file__).resolve().parent.parent
PREDICTED = (ROOT / "sample_data" / "survey_D004_predicted.csv").read_text(encoding="utf-8")
ACTUAL = (ROOT / "sample_data" / "survey_D004_actual.csv").read_text(encoding="utf-8")
PASSWORD = "Passw0rd-presale1"
LEGAL_REP_ID = "110101199003074258"


def enterprise_code(seed: int, region: str = "430800") -> str:
    """A valid credit code of an enterprise (91…) registered in ``region``."""
    return make_enterprise_code(random.Random(seed), region)


def entry(code: str, name: str = "张家界地产开发有限公司", **values: object) -> DeveloperEntry:
    base: dict[str, object] = dict(credit_code=code, name=name, kind="有限责任公司", legal_rep_name="张老大",
                                   legal_rep_id_number=LEGAL_REP_ID, legal_rep_phone="15211111111", region="张家界市")
    return DeveloperEntry(**{**base, **values})  # type: ignore[arg-type]


def developer_operator(db: Database, code: str, username: str, phone: str = "13912345678") -> Actor:
    """An operator of the enterprise, added, applied for and admitted, logged in."""
    users.add_user(db, SYSTEM, username=username, name="张小明", phone=phone, password=PASSWORD, credit_code=code)
    users.apply_admission(db, SYSTEM, [username])
    users.decide_admission(db, SYSTEM, username, approve=True)
    return operators.login(db, username, PASSWORD)


@dataclass
class Hall:
    db: Database
    code: str
    developer_id: int
    project_id: int
    dev: Actor  # the developer's operator
    authority: Actor  # a supervisor of the hall (主管部门)


def make_hall(db: Database, seed: int = 1, *, username: str = "dev_a", supervisor: str = "super_p") -> Hall:
    code = enterprise_code(seed)
    view = developers.register_developer(db, SYSTEM, entry(code, name=f"测试{seed}号地产开发有限公司"))
    project = projects.add_project(db, SYSTEM, ProjectEntry(name="房地产01项目", location="张家界市永定区某路1号",
                                                            district="永定区"), credit_code=code)
    dev = developer_operator(db, code, username)
    authority = make_operator(db, supervisor, Role.SUPERVISOR)
    return Hall(db, code, view.id, project.id, dev, authority)


HEADER = ["室号", "单元", "实际层", "名义层", "建筑面积", "套内面积", "分摊面积", "房屋结构", "房屋类型", "房屋用途",
          "房屋性质", "电梯", "户型", "装修情况", "层高", "阳台描述"]


def survey_csv(floors: int, per_floor: int, *, layout: str = "三室两厅", blank: tuple[str, ...] = ("装修情况",)) -> str:
    """A survey file of ``floors`` × ``per_floor`` units ("12-03"), each 100.00 m² (80 + 20)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for floor in range(1, floors + 1):
        for p in range(1, per_floor + 1):
            row = {"室号": f"{floor}-{p:02d}", "单元": "A01" if p <= per_floor // 2 or per_floor == 1 else "A02",
                   "实际层": floor, "名义层": floor, "建筑面积": Decimal("100.0000"), "套内面积": Decimal("80.0000"),
                   "分摊面积": Decimal("20.0000"), "房屋结构": "钢筋混凝土结构", "房屋类型": "住宅", "房屋用途": "住宅",
                   "房屋性质": "市场化商品房", "电梯": "是", "户型": layout, "装修情况": "毛坯", "层高": "3.00",
                   "阳台描述": "南向阳台"}
            for name in blank:
                row[name] = ""
            writer.writerow([row[h] for h in HEADER])
    return buffer.getvalue()
