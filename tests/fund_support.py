"""What the fund supervision tests share: a hall whose developer has a building with a survey
in force (3 floors × 4 units of 100 m²), a supervising bank account, and a reviewer at that bank."""

from __future__ import annotations

from dataclasses import dataclass

from core.presale.developers import BankEntry
from core.presale.units import check_selection
from core.roles import Actor
from services import cases, operators
from services.presale import developers, surveys
from storage.engine import Database
from tests.conftest import SYSTEM
from tests.presale_support import PASSWORD, Hall, make_hall, survey_csv

BANK = "中国建设银行"


@dataclass
class FundHall:
    hall: Hall
    bank_id: int
    bank: Actor  # the supervising bank's reviewer

    @property
    def db(self) -> Database:
        return self.hall.db

    @property
    def dev(self) -> Actor:
        return self.hall.dev

    @property
    def authority(self) -> Actor:
        return self.hall.authority


def archived_building(hall: Hall, building: str = "D004", number: str = "CL20260101001", floors: int = 3,
                      per_floor: int = 4) -> None:
    """A building whose predicted survey is archived (its units stand)."""
    db = hall.db
    case = surveys.start_survey(db, hall.dev, type_code="survey_predicted", project_id=hall.project_id,
                                building=building, survey_number=number, text=survey_csv(floors, per_floor)).case_number
    surveys.batch_set(db, hall.dev, case, check_selection(empty="装修情况"), {"装修情况": "毛坯"})
    surveys.set_building_info(db, hall.dev, case, structure="钢筋混凝土结构", floors_above=str(floors))
    surveys.submit_survey(db, hall.dev, case)
    cases.receive_case(db, hall.authority, case)
    surveys.archive_survey(db, hall.authority, case, note="同意")


def supervision_bank(hall: Hall, bank: str = BANK, account: str = "43050162123600000001") -> int:
    view = developers.add_bank(hall.db, SYSTEM, hall.code, BankEntry(
        purpose="监管银行账户", bank_name=bank, branch="张家界分行", account_name="测试预售资金监管专户",
        account_number=account))
    return view.id


def bank_reviewer(db: Database, username: str = "bank_j", bank: str = BANK) -> Actor:
    operators.add_operator(db, SYSTEM, username=username, name="李银行", role="bank_reviewer", password=PASSWORD,
                           bank=bank)
    return operators.login(db, username, PASSWORD)


def make_fund_hall(db: Database, seed: int = 51, *, bank: bool = True) -> FundHall:
    hall = make_hall(db, seed)
    archived_building(hall)
    return FundHall(hall, supervision_bank(hall) if bank else 0, bank_reviewer(db))


def agreement_in_force(hall: Hall, building: str = "D004") -> str:
    """A fund supervision agreement signed on ``building`` and in force, with a supervising bank
    account and its reviewer made here; returns its number (a first signing's case number)."""
    from services.presale import funds

    db, dev, authority = hall.db, hall.dev, hall.authority
    bank_id = supervision_bank(hall)
    reviewer = bank_reviewer(db)
    case = funds.start_agreement(db, dev, kind="sign", project_id=hall.project_id, building=building).case_number
    funds.enter_agreement(db, dev, case, bank_id=bank_id, works_progress="主体结构施工至5层", presale_total="50000000")
    funds.save_text(db, dev, case)
    funds.submit_agreement(db, dev, case)
    cases.receive_case(db, authority, case)
    funds.review_agreement(db, authority, case, opinion="同意")
    cases.receive_case(db, reviewer, case)
    funds.review_agreement(db, reviewer, case, opinion="同意")
    return case
