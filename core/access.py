"""Who may do what: every action of the services, and the permissions it needs.

This table is the one source of ``docs/access.md`` (``markdown()``) and of the tests that
call every action as every role (``tests/test_access.py``): an action a role may not take
must refuse it (``ROLE_FORBIDDEN``), an action it may take must not refuse it for its role,
and an action added to the services without a line here fails the tests. An action needs
ALL its permissions unless it is listed in ``ANY_OF`` (then one of them suffices: a
developer's administrator lists its own users, the authority every enterprise's).

Keys are the services' functions that take the database and the actor (``module.function``
under ``services``); the ``*_in`` steps that run inside another use case's transaction are
not actions of their own.
"""

from __future__ import annotations

from core.roles import (
    PERMISSION_LABELS,
    ROLE_LABELS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
)

P = Permission

ACTIONS: dict[str, tuple[Permission, ...]] = {
    "allocation.documents.family_result_notice_data": (P.ALLOCATION_VIEW, P.REPORT_PRINT),
    "allocation.documents.family_result_notice_pdf": (P.ALLOCATION_VIEW, P.REPORT_PRINT),
    "allocation.documents.round_result_list_data": (P.ALLOCATION_VIEW, P.REPORT_PRINT),
    "allocation.documents.round_result_list_pdf": (P.ALLOCATION_VIEW, P.REPORT_PRINT),
    "allocation.families.round_families": (P.ALLOCATION_VIEW,),
    "allocation.lease.deposit_receipt_pdf": (P.REPORT_PRINT,),
    "allocation.lease.lease_contract_pdf": (P.REPORT_PRINT,),
    "allocation.lease.lease_detail": (P.LEASE_WORK,),
    "allocation.lease.leases_for_family": (P.LEASE_WORK,),
    "allocation.lease.move_in_notice_pdf": (P.REPORT_PRINT,),
    "allocation.lease.record_deposit": (P.CASE_WORK, P.LEASE_WORK),
    "allocation.lease.record_identity_check": (P.CASE_WORK, P.LEASE_WORK),
    "allocation.lease.review_lease": (P.CASE_WORK, P.LEASE_REVIEW),
    "allocation.lease.save_tenant_info": (P.CASE_WORK, P.LEASE_WORK),
    "allocation.lease.sign_contract": (P.CASE_WORK, P.LEASE_WORK),
    "allocation.lease.start_lease": (P.CASE_ACCEPT, P.LEASE_WORK),
    "allocation.rounds.add_wish": (P.ALLOCATION_WISHES,),
    "allocation.rounds.board_counts": (P.ALLOCATION_VIEW,),
    "allocation.rounds.confirm_house": (P.ALLOCATION_WISHES,),
    "allocation.rounds.create_round": (P.ALLOCATION_MANAGE, P.CASE_ACCEPT),
    "allocation.rounds.delete_wish": (P.ALLOCATION_WISHES,),
    "allocation.rounds.family_result": (P.ALLOCATION_VIEW,),
    "allocation.rounds.forecast": (P.ALLOCATION_VIEW,),
    "allocation.rounds.give_up": (P.ALLOCATION_WISHES,),
    "allocation.rounds.move_wish": (P.ALLOCATION_WISHES,),
    "allocation.rounds.round_detail": (P.ALLOCATION_VIEW,),
    "allocation.rounds.round_overview": (P.ALLOCATION_VIEW,),
    "allocation.rounds.round_results": (P.ALLOCATION_VIEW,),
    "allocation.rounds.rounds_list": (P.ALLOCATION_VIEW,),
    "allocation.rounds.search_houses": (P.ALLOCATION_VIEW,),
    "allocation.rounds.status_board": (P.ALLOCATION_VIEW,),
    "allocation.rounds.sync_formal": (P.ALLOCATION_WISHES,),
    "allocation.rounds.wish_list": (P.ALLOCATION_VIEW,),
    "allocation.run.reopen_round": (P.ALLOCATION_MANAGE,),
    "allocation.run.run_round": (P.ALLOCATION_MANAGE,),
    "allocation.run.verify_round": (P.ALLOCATION_VIEW,),
    "allocation.setup.import_families": (P.ALLOCATION_MANAGE,),
    "allocation.setup.import_houses": (P.ALLOCATION_MANAGE,),
    "allocation.setup.publish_round": (P.ALLOCATION_MANAGE,),
    "allocation.setup.set_windows": (P.ALLOCATION_MANAGE,),
    "allocation.supplementary.apply_supplementary": (P.ALLOCATION_WISHES,),
    "allocation.supplementary.form_supplementary_round": (P.ALLOCATION_MANAGE, P.CASE_ACCEPT),
    "audit.recent": (P.AUDIT_VERIFY,),
    "audit.verify": (P.AUDIT_VERIFY,),
    "backup.backup": (P.DATA_ADMIN,),
    "backup.restore": (P.AUDIT_VERIFY, P.DATA_ADMIN),
    "cases.accept_case": (P.CASE_ACCEPT,),
    "cases.archive_case": (P.CASE_WORK,),
    "cases.cancel_case": (P.CASE_WORK,),
    "cases.case_detail": (P.CASE_WORK,),
    "cases.dispatch_case": (P.CASE_WORK,),
    "cases.done_list": (P.CASE_WORK,),
    "cases.in_hand": (P.CASE_WORK,),
    "cases.receive_case": (P.CASE_WORK,),
    "cases.return_case": (P.CASE_WORK,),
    "data.upgrade": (P.DATA_ADMIN,),
    "lookup.applicant_detail": (P.LOOKUP_APPLICANT,),
    "lookup.reveal_number": (P.REVEAL_IDENTITY,),
    "lookup.search_applicants": (P.LOOKUP_APPLICANT,),
    "operators.act_as": (P.OPERATOR_MANAGE,),
    "operators.add_operator": (P.OPERATOR_MANAGE,),
    "operators.change_password": (P.OPERATOR_MANAGE,),
    "operators.list_operators": (P.OPERATOR_MANAGE,),
    "operators.operators_for_dispatch": (P.CASE_WORK,),
    "operators.set_active": (P.OPERATOR_MANAGE,),
    "operators.set_role": (P.OPERATOR_MANAGE,),
    "operators.unlock": (P.OPERATOR_MANAGE,),
    "parties.add_agent": (P.PARTY_REGISTER,),
    "parties.add_proxy": (P.PARTY_REGISTER,),
    "parties.change_id": (P.PARTY_REGISTER,),
    "parties.change_organisation": (P.PARTY_REGISTER,),
    "parties.change_party": (P.LOOKUP_APPLICANT, P.PARTY_REGISTER),
    "parties.change_person": (P.PARTY_REGISTER,),
    "parties.find_party": (P.LOOKUP_APPLICANT,),
    "parties.import_register": (P.PARTY_REGISTER,),
    "parties.register_organisation": (P.PARTY_REGISTER,),
    "parties.register_person": (P.PARTY_REGISTER,),
    "parties.unbind_agent": (P.PARTY_REGISTER,),
    "presale.board.board": (P.PRESALE_VIEW,),
    "presale.board.unit_lookup": (P.PRESALE_VIEW,),
    "presale.developers.add_bank": (P.DEVELOPER_MAINTAIN,),
    "presale.developers.add_developer_admin": (P.DEVELOPER_REGISTER,),
    "presale.developers.change_developer": (P.DEVELOPER_MAINTAIN,),  # the status: DEVELOPER_REGISTER too
    "presale.developers.list_banks": (P.PRESALE_VIEW,),
    "presale.developers.list_developers": (P.PRESALE_VIEW,),
    "presale.developers.register_developer": (P.DEVELOPER_REGISTER,),
    "presale.developers.remove_bank": (P.DEVELOPER_MAINTAIN,),
    "presale.developers.show_developer": (P.PRESALE_VIEW,),
    "presale.documents.board_data": (P.PRESALE_VIEW,),
    "presale.documents.board_pdf": (P.PRESALE_VIEW,),
    "presale.documents.permit_data": (P.PRESALE_VIEW,),
    "presale.documents.permit_pdf": (P.PRESALE_VIEW,),
    "presale.funds.agreement_document": (P.FUND_VIEW,),
    "presale.funds.agreement_pdf": (P.FUND_VIEW,),
    "presale.funds.cancel_agreement": (P.CASE_WORK, P.FUND_WORK),
    "presale.funds.cancel_withdrawal": (P.CASE_WORK, P.FUND_WORK),
    "presale.funds.enter_agreement": (P.FUND_WORK,),
    "presale.funds.enter_withdrawal": (P.FUND_WORK,),
    "presale.funds.list_agreements": (P.FUND_VIEW,),
    "presale.funds.review_agreement": (P.CASE_WORK, P.FUND_VIEW),
    "presale.funds.review_withdrawal": (P.CASE_WORK, P.FUND_VIEW),
    "presale.funds.save_text": (P.FUND_WORK,),
    "presale.funds.show_agreement": (P.FUND_VIEW,),
    "presale.funds.show_withdrawal": (P.FUND_VIEW,),
    "presale.funds.start_agreement": (P.CASE_ACCEPT, P.FUND_WORK),
    "presale.funds.start_withdrawal": (P.CASE_ACCEPT, P.FUND_WORK),
    "presale.funds.submit_agreement": (P.CASE_WORK, P.FUND_WORK),
    "presale.funds.submit_withdrawal": (P.CASE_WORK, P.FUND_WORK),
    "presale.funds.withdrawal_table": (P.FUND_VIEW,),
    "presale.permits.archive_permit": (P.CASE_WORK, P.PERMIT_REVIEW),
    "presale.permits.cancel_permit": (P.CASE_WORK, P.PERMIT_WORK),
    "presale.permits.list_permits": (P.PRESALE_VIEW,),
    "presale.permits.permit_document": (P.PRESALE_VIEW,),
    "presale.permits.set_details": (P.PERMIT_WORK,),
    "presale.permits.set_scope": (P.PERMIT_WORK,),
    "presale.permits.show_permit": (P.PRESALE_VIEW,),
    "presale.permits.start_permit": (P.CASE_ACCEPT, P.PERMIT_WORK),
    "presale.permits.submit_permit": (P.CASE_WORK, P.PERMIT_WORK),
    "presale.projects.add_certificate": (P.DEVELOPER_MAINTAIN,),
    "presale.projects.add_project": (P.DEVELOPER_MAINTAIN,),
    "presale.projects.change_project": (P.DEVELOPER_MAINTAIN,),
    "presale.projects.list_projects": (P.PRESALE_VIEW,),
    "presale.projects.remove_certificate": (P.DEVELOPER_MAINTAIN,),
    "presale.projects.show_project": (P.PRESALE_VIEW,),
    "presale.rooms.archive_rooms": (P.CASE_WORK, P.PERMIT_REVIEW),
    "presale.rooms.cancel_rooms": (P.CASE_WORK, P.PERMIT_WORK),
    "presale.rooms.set_rooms": (P.PERMIT_WORK,),
    "presale.rooms.show_rooms": (P.PRESALE_VIEW,),
    "presale.rooms.start_rooms": (P.CASE_ACCEPT, P.PERMIT_WORK),
    "presale.rooms.submit_rooms": (P.CASE_WORK, P.PERMIT_WORK),
    "presale.surveys.archive_survey": (P.CASE_WORK, P.SURVEY_REVIEW),
    "presale.surveys.batch_set": (P.SURVEY_WORK,),
    "presale.surveys.cancel_survey": (P.CASE_WORK, P.SURVEY_WORK),
    "presale.surveys.confirm_mapping": (P.SURVEY_REVIEW,),
    "presale.surveys.grid": (P.PRESALE_VIEW,),
    "presale.surveys.link_units": (P.SURVEY_REVIEW,),
    "presale.surveys.list_surveys": (P.PRESALE_VIEW,),
    "presale.surveys.mapping_view": (P.PRESALE_VIEW,),
    "presale.surveys.quick_price": (P.SURVEY_WORK,),
    "presale.surveys.set_building_info": (P.SURVEY_WORK,),
    "presale.surveys.show_survey": (P.PRESALE_VIEW,),
    "presale.surveys.start_survey": (P.CASE_ACCEPT, P.SURVEY_WORK),
    "presale.surveys.submit_survey": (P.CASE_WORK, P.SURVEY_WORK),
    "presale.surveys.survey_changes": (P.PRESALE_VIEW,),
    "presale.surveys.sync_from_base": (P.SURVEY_WORK,),
    "presale.surveys.unlink_units": (P.SURVEY_REVIEW,),
    "presale.users.add_user": (P.DEVELOPER_USERS,),
    "presale.users.admission_queue": (P.USER_ADMISSION,),
    "presale.users.apply_admission": (P.DEVELOPER_USERS,),
    "presale.users.decide_admission": (P.USER_ADMISSION,),
    "presale.users.list_users": (P.DEVELOPER_USERS, P.USER_ADMISSION),
    "resale.cancel.apply_cancellation": (P.CASE_WORK, P.CONTRACT_WORK),
    "resale.cancel.apply_filed_cancellation": (P.CASE_ACCEPT, P.CASE_WORK, P.CONTRACT_WORK),
    "resale.cancel.cancellations_of": (P.CONTRACT_WORK,),
    "resale.cancel.confirm_at_counter": (P.CASE_WORK, P.CONTRACT_WORK),
    "resale.cancel.confirm_cancellation": (P.CASE_WORK, P.CONTRACT_WORK),
    "resale.cancel.revoke_by_code": (P.CASE_WORK, P.CONTRACT_WORK),
    "resale.cancel.send_cancellation_code": (P.CONTRACT_WORK,),
    "resale.cancel.send_revocation_code": (P.CONTRACT_WORK,),
    "resale.cancel.withdraw_cancellation": (P.CASE_WORK, P.CONTRACT_WORK),
    "resale.contracts.change_contract": (P.CONTRACT_WORK,),
    "resale.contracts.contract_by_number": (P.CONTRACT_WORK,),
    "resale.contracts.create_draft": (P.CASE_ACCEPT, P.CONTRACT_WORK),
    "resale.contracts.find_contracts": (P.CONTRACT_WORK,),
    "resale.contracts.get_contract": (P.CONTRACT_WORK,),
    "resale.contracts.mark_printed": (P.REPORT_PRINT,),
    "resale.contracts.new_contract_form": (P.CONTRACT_WORK,),
    "resale.contracts.sweep_expired_drafts": (),  # every terminal's housekeeping, as the system
    "resale.contracts.update_draft": (P.CONTRACT_WORK,),
    "resale.documents.case_materials": (P.CONTRACT_WORK,),
    "resale.documents.contract_pdf": (P.CONTRACT_WORK, P.REPORT_PRINT),
    "resale.documents.notice_data": (P.CASE_ACCEPT, P.CONTRACT_WORK, P.REPORT_PRINT),
    "resale.documents.notice_pdf": (P.CASE_ACCEPT, P.CONTRACT_WORK, P.REPORT_PRINT),
    "resale.documents.receipt_data": (P.CONTRACT_WORK, P.REPORT_PRINT),
    "resale.documents.receipt_pdf": (P.CONTRACT_WORK, P.REPORT_PRINT),
    "resale.documents.record_materials": (P.CONTRACT_WORK,),
    "resale.documents.undertaking_pdf": (P.CONTRACT_WORK, P.REPORT_PRINT),
    "resale.filing.record_notarisation": (P.CONTRACT_WORK,),
    "resale.filing.record_transfer_registration": (P.CONTRACT_WORK,),
    "resale.filing.record_undertaking": (P.CONTRACT_WORK,),
    "resale.house_check.check_at_window": (P.CASE_ACCEPT,),
    "resale.house_check.check_history": (P.CASE_ACCEPT,),
    "resale.house_check.find_home": (P.CASE_ACCEPT,),
    "resale.house_check.run_house_check": (P.CASE_ACCEPT,),
    "resale.queries.qualification_queue": (P.CONTRACT_REVIEW, P.CONTRACT_WORK),
    "resale.queries.signing_codes": (P.CONTRACT_WORK,),
    "resale.signing.approve_filing": (P.CASE_WORK, P.CONTRACT_REVIEW),
    "resale.signing.decide_qualification": (P.CONTRACT_REVIEW,),
    "resale.signing.filing_queue": (P.CONTRACT_REVIEW, P.CONTRACT_WORK),
    "resale.signing.reject_filing": (P.CASE_WORK, P.CONTRACT_REVIEW),
    "resale.signing.request_qualification": (P.CONTRACT_WORK,),
    "resale.signing.send_signing_code": (P.CONTRACT_WORK,),
    "resale.signing.signing_status": (P.CONTRACT_WORK,),
    "resale.signing.submit_for_filing": (P.CASE_ACCEPT, P.CASE_WORK, P.CONTRACT_WORK),
    "resale.signing.submit_signing": (P.CASE_WORK, P.CONTRACT_WORK),
    "resale.signing.verify_signing_code": (P.CONTRACT_WORK,),
    "resale.signing.void_qualification": (P.CONTRACT_WORK,),
    "resale.use_class_review.decide_use_class": (P.CONTRACT_REVIEW,),
    "resale.use_class_review.pending_reviews": (P.CONTRACT_REVIEW,),
    "sign_codes.send_code": (),
    "sign_codes.verify_code": (),
    "sms.deliver_pending": (P.SMS_OUTBOX,),
    "sms.mark_sent": (P.CASE_WORK, P.SMS_OUTBOX),
    "sms.outbox": (P.CASE_WORK, P.SMS_OUTBOX),
    "sms.reveal": (P.CASE_WORK, P.SMS_OUTBOX),
    "sms.sweep_codes": (P.SMS_OUTBOX,),
}

#: Actions one of whose permissions suffices.
ANY_OF: frozenset[str] = frozenset({
    "presale.users.list_users",  # an enterprise's administrator its own users; the authority any enterprise's
    "sms.outbox", "sms.mark_sent", "sms.reveal",  # SMS_OUTBOX: the whole outbox; CASE_WORK: one's own cases'
})


def allowed(action: str, role: Role) -> bool:
    """Whether ``role`` may take ``action`` (by this table)."""
    needs = ACTIONS[action]
    held = ROLE_PERMISSIONS[role]
    if not needs:
        return True
    return any(p in held for p in needs) if action in ANY_OF else all(p in held for p in needs)


def markdown() -> str:
    """``docs/access.md``: every action × every role."""
    roles = list(Role)
    lines = [
        "# Who may do what",
        "",
        "Every action of the services (`services/`, `module.function`) and the roles that may take it.",
        ("Generated from `core/access.py` (`python3 -c \"from core.access import markdown; print(markdown(), end='')\" "
         "> docs/access.md`); `tests/test_access.py` calls every action as every role and fails when"),
        "the services or this page disagree with it. ✓: allowed; ·: refused (`ROLE_FORBIDDEN`). Every action",
        "is also checked against the operator's account as it is at that moment (active, unlocked, same role).",
        "",
        "| action | needs | " + " | ".join(ROLE_LABELS[r] for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for action in sorted(ACTIONS):
        needs = ACTIONS[action]
        joiner = " 或 " if action in ANY_OF else "、"
        need = joiner.join(PERMISSION_LABELS[p] for p in needs) or "—"
        cells = " | ".join("✓" if allowed(action, r) else "·" for r in roles)
        lines.append(f"| `{action}` | {need} | {cells} |")
    return "\n".join(lines) + "\n"
