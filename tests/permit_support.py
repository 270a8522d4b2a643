"""What the room, permit and board tests share: a hall whose building D004 has its survey
archived and whose project has its four certificates and a property company."""

from __future__ import annotations

from core.errors import RuleViolation
from core.presale.projects import CertificateEntry
from core.presale.units import check_selection
from services import cases
from services.presale import permits, projects, rooms, surveys
from tests.conftest import SYSTEM
from tests.presale_support import PREDICTED, Hall, make_hall


def archive_survey(hall: Hall, text: str = PREDICTED, *, building: str = "D004", number: str = "CL20220406001",
                   type_code: str = "survey_predicted", floors: str = "17") -> str:
    """Import, complete, dispatch, receive and archive a survey of ``building``."""
    db, dev = hall.db, hall.dev
    case = surveys.start_survey(db, dev, type_code=type_code, project_id=hall.project_id, building=building,
                                survey_number=number, text=text).case_number
    if type_code in ("survey_conversion", "survey_predicted_change", "survey_actual_change"):
        surveys.sync_from_base(db, dev, case)
    for field, value in (("户型", "复式五室"), ("装修情况", "毛坯")):
        try:
            surveys.batch_set(db, dev, case, check_selection(empty=field), {field: value})
        except RuleViolation as refused:  # none empty
            assert refused.code == "SELECTION_NOTHING"
    surveys.set_building_info(db, dev, case, structure="钢筋混凝土结构", floors_above=floors)
    surveys.submit_survey(db, dev, case)
    cases.receive_case(db, hall.authority, case)
    if type_code in ("survey_conversion", "survey_predicted_change", "survey_actual_change"):
        surveys.confirm_mapping(db, hall.authority, case)
    surveys.archive_survey(db, hall.authority, case, note="同意备案。")
    return case


def add_certificates(hall: Hall, kinds: tuple[int, ...] = (1, 2, 3, 4)) -> None:
    for kind in kinds:
        projects.add_certificate(hall.db, SYSTEM, hall.project_id,
                                 CertificateEntry(kind=str(kind), number=f"湘（2021）第{kind:04d}号",
                                                  issued_on="2021-05-01", issuer="张家界市自然资源和规划局"))


def permit_hall(db, seed: int, *, company: bool = True, certificates: bool = True, **kw) -> Hall:  # type: ignore[no-untyped-def]
    """A hall with D004 surveyed (predicted, archived), the 四证 and a property company."""
    hall = make_hall(db, seed, **kw)
    archive_survey(hall)
    if certificates:
        add_certificates(hall)
    if company:
        projects.change_project(db, SYSTEM, hall.project_id, property_company="张家界物业服务有限公司")
    return hall


def designate(hall: Hall, units: list[str], *, building: str = "D004", type_code: str = "room_predicted",
              remove: list[str] | None = None) -> str:
    """A room case from acceptance to archive."""
    db = hall.db
    case = rooms.start_rooms(db, hall.dev, type_code=type_code, project_id=hall.project_id,
                             building=building).case_number
    if units or remove:
        rooms.set_rooms(db, hall.dev, case, add=units, remove=remove or [])
    rooms.submit_rooms(db, hall.dev, case)
    cases.receive_case(db, hall.authority, case)
    rooms.archive_rooms(db, hall.authority, case, note="同意。")
    return case


def grant(hall: Hall, *, add: list[str] | None = None, remove: list[str] | None = None, all_units: bool = False,
          type_code: str = "permit_presale", building: str = "D004") -> permits.PermitArchived:
    """A permit case from acceptance to archive."""
    db = hall.db
    case = permits.start_permit(db, hall.dev, type_code=type_code, project_id=hall.project_id,
                                building=building).case_number
    if add or remove or all_units:
        permits.set_scope(db, hall.dev, case, add=add or [], remove=remove or [], all_units=all_units)
    permits.submit_permit(db, hall.dev, case)
    cases.receive_case(db, hall.authority, case)
    return permits.archive_permit(db, hall.authority, case, note="符合预售条件，准予许可。")
