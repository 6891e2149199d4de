"""No money past what the owners decided (issue #14 §2; RULES.md §4 "use", §5).

The estate of ``app_helpers``: 列支范围 1栋 + 9栋-1单元-901 (484.75 m²), budget
100,000.00 元, five voting rights of which four owners vote. Figures:

- ceiling = budget + floor(budget × N / 100): 100,000.33 元 at N = 3 →
  3,000.0099 元 floored to 3,000.00 → 103,000.33 元;
- 质保金 at the default 5 %: floor(100,000.00 × 5 %) = 5,000.00 元;
- supplementary vote on an excess of 2,000.00 元 above the 100,000.00 元 ceiling
  (N = 0) → the limit becomes 102,000.00 元, and 102,000.01 is still refused.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import DomainError, PermissionDeniedError
from core.money import yuan
from funds.apportion import apportion
from funds.ledger import selectors
from funds.models import (
    Account,
    FundApplication,
    FundUse,
    SettlementAuditReport,
    SupplementaryVote,
)
from funds.procedure import ceiling, services
from funds.procedure.services.supplementary_votes import approved_excesses
from funds.procedure.services.use_publication import limits_rows
from tests.signing import publishing_fixture, signing_dir_fixture  # noqa: F401 - fixtures
from voting import services as voting
from voting.models import Assembly

from .app_helpers import (
    ALL_APPROVE,
    ALL_REJECT,
    BUDGET,
    RETENTION,
    accepted,
    check_ledger,
    estate_fixture,  # noqa: F401
    finalise_without_pdf,
    instruct,
    mark_noticed,
    pdf,
    propose,
    second_approver_fixture,  # noqa: F401
    shift,
)

Status = FundApplication.Status


def settle(application, personas, cost, **kwargs):
    return services.application_settle(
        application=application, actor=personas.reviewer, final_cost_fen=cost, **kwargs
    )


# --------------------------------------------------------------------------- the arithmetic


def test_the_ceiling_is_the_budget_plus_the_floored_tolerance():
    assert ceiling.ceiling_fen(10_000_033, 3) == 10_300_033  # 300,000.99 fen floored
    assert ceiling.ceiling_fen(10_000_000, 0) == 10_000_000
    assert ceiling.ceiling_fen(99, 10) == 108  # 9.9 fen → 9
    assert ceiling.retention_fen(9_876_543, 5) == 493_827  # 493,827.15 → 493,827
    assert ceiling.settlement_limit_fen(10_000_000, [200_000, 1]) == 10_200_001
    assert (ceiling.needs_audit(100, 100), ceiling.needs_audit(101, 100)) == (False, True)
    with pytest.raises(ValueError):
        ceiling.retention_fen(100, 101)
    with pytest.raises(ValueError):
        ceiling.ceiling_fen(100, True)


# --------------------------------------------------------------------------- tolerance


def test_a_tolerance_above_the_cap_is_refused_and_the_cap_is_a_setting(estate, personas, settings):
    staff = personas.property_staff
    application = propose(estate, staff)
    for bad in (11, -1, True, "3", 3.0):
        with pytest.raises(DomainError) as refused:
            services.application_update(application=application, actor=staff, tolerance_pct=bad)
        assert refused.value.code == "bad_tolerance" and "tolerance_pct" in refused.value.fields
    application.refresh_from_db()
    assert application.tolerance_pct == 0  # default N = 0, nothing changed
    services.application_update(application=application, actor=staff, tolerance_pct=10)
    application.refresh_from_db()
    assert application.tolerance_pct == 10  # exactly the default cap
    settings.GONGZHI_FUND_TOLERANCE_CAP_PCT = 12
    services.application_update(application=application, actor=staff, tolerance_pct=12)
    settings.GONGZHI_FUND_TOLERANCE_CAP_PCT = 5
    with pytest.raises(DomainError):
        services.application_update(application=application, actor=staff, tolerance_pct=6)


def test_the_tolerance_and_the_ceiling_are_printed_in_the_motion(estate, personas):
    from .app_helpers import put_to_vote

    application = propose(estate, personas.property_staff, budget=10_000_033)
    services.application_update(
        application=application, actor=personas.property_staff, tolerance_pct=3
    )
    application = put_to_vote(application, personas.committee)
    motion = application.motion
    assert "超支不超过 3%" in motion.description
    assert "103,000.33 元" in motion.description  # the ceiling, floored
    assert motion.fund["tolerance_pct"] == 3
    plain = put_to_vote(propose(estate, personas.property_staff), personas.committee)
    assert "批准金额即为上限" in plain.motion.description


def test_settlement_exactly_at_the_ceiling_is_accepted_and_one_fen_over_refused(
    estate, personas, verified
):
    application = accepted(estate, personas, verified, tolerance=3, budget=10_000_033)
    assert application.fund_use.tolerance_pct == 3  # from the motion the owners approved
    with pytest.raises(DomainError) as refused:
        settle(application, personas, 10_300_034, over_budget_reason="增加女儿墙泛水")
    assert refused.value.code == "over_ceiling"
    assert "103,000.33" in refused.value.message
    with pytest.raises(DomainError) as refused:  # within the ceiling, still a reason
        settle(application, personas, 10_300_033)
    assert refused.value.code == "over_budget"
    settled = settle(application, personas, 10_300_033, over_budget_reason="增加女儿墙泛水")
    assert settled.fund_use.final_cost_fen == 10_300_033
    check_ledger()


def test_without_a_tolerance_the_budget_is_the_ceiling(estate, personas, verified):
    application = accepted(estate, personas, verified)
    with pytest.raises(DomainError) as refused:
        settle(application, personas, BUDGET + 1, over_budget_reason="十倍也有理由")
    assert refused.value.code == "over_ceiling"
    with pytest.raises(DomainError):
        settle(application, personas, BUDGET * 10, over_budget_reason="十倍也有理由")
    assert settle(application, personas, BUDGET).status == Status.SETTLED


def test_a_fund_use_whose_tolerance_was_raised_behind_the_vote_gets_no_money(
    estate, personas, verified
):
    """The adversary raises the tolerance on the money record with SQL: the gate refuses."""
    from .app_helpers import approved

    application = approved(estate, personas, verified)
    FundUse.objects.filter(pk=application.fund_use_id).update(tolerance_pct=10)
    with pytest.raises(DomainError) as refused:
        instruct(application.fund_use, verified(personas.approver), amount=100)
    assert refused.value.code == "no_vote"


# --------------------------------------------------------------------------- supplementary vote


def run_supplementary(estate, vote, committee, answers, *, notice: bool):
    """Notice, open, cast, count, final result.

    With ``notice`` the whole real path: the signed notice today, then the clock
    moves on (``now=``) past the notice period to open, vote and count; the
    preliminary result is signed and the final one follows the objection period.
    Without it, what the notices leave on the row (``app_helpers`` docstring).
    """
    assembly = vote.assembly
    if notice:
        assembly = voting.assembly_notice(assembly=assembly, actor=committee)
        assert assembly.status == Assembly.Status.NOTICED and assembly.notice_publication_id
        opened = assembly.opens_at + timedelta(minutes=1)
        assembly = voting.assembly_open(assembly=assembly, actor=committee, now=opened)
        for name, choice in answers.items():
            voting.ballot_cast(
                assembly=assembly,
                choices={vote.motion.code: choice},
                actor=estate.register.user(name),
                now=opened + timedelta(hours=1),
            )
        closed = assembly.closes_at + timedelta(minutes=1)
        assembly = voting.assembly_count(assembly=assembly, actor=committee, now=closed)
        Assembly.objects.filter(pk=assembly.pk).update(
            opens_at=timezone.now() - timedelta(days=10),
            closes_at=timezone.now() - timedelta(minutes=5),
        )
        assembly.refresh_from_db()
        assembly = voting.assembly_result_publish(assembly=assembly, actor=committee)
        later = assembly.objection_deadline + timedelta(minutes=1)
        return voting.assembly_finalise(assembly=assembly, actor=committee, now=later)
    mark_noticed(assembly)
    shift(assembly, opens=-timedelta(hours=1), closes=timedelta(days=1))
    voting.assembly_open(assembly=assembly, actor=committee)
    for name, choice in answers.items():
        voting.ballot_cast(
            assembly=assembly,
            choices={vote.motion.code: choice},
            actor=estate.register.user(name),
        )
    shift(assembly, opens=-timedelta(days=2), closes=-timedelta(minutes=1))
    return finalise_without_pdf(voting.assembly_count(assembly=assembly, actor=committee))


def start_supplementary(fund_use, committee, excess, **kwargs):
    now = timezone.now()
    return services.supplementary_vote_create(
        fund_use=fund_use,
        excess_fen=excess,
        reason="拆除后发现女儿墙泛水整体损坏，需增加约 60 ㎡ 防水。",
        opens_at=now + timedelta(days=20),
        closes_at=now + timedelta(days=30),
        actor=committee,
        **kwargs,
    )


def test_the_supplementary_vote_end_to_end_lifts_the_ceiling_by_the_approved_excess(
    estate, personas, verified, publishing
):
    application = accepted(estate, personas, verified)
    fund_use = application.fund_use
    excess = 200_000  # 2,000.00 元
    with pytest.raises(DomainError) as refused:
        settle(application, personas, BUDGET + excess, over_budget_reason="增加泛水")
    assert refused.value.code == "over_ceiling"

    # Started from the settlement: a real assembly of the same 列支范围, item 5 on the excess.
    with pytest.raises(PermissionDeniedError):  # the convener calls it, not the bureau
        start_supplementary(fund_use, personas.reviewer, excess)
    vote = start_supplementary(fund_use, personas.committee, excess)
    assembly = vote.assembly
    assert (assembly.scope_buildings, assembly.scope_unit_codes) == (
        fund_use.scope_buildings,
        fund_use.scope_unit_codes,
    )
    assert vote.motion.item == 5 and vote.motion.fund["excess_fen"] == excess
    assert "2,000.00 元" in vote.motion.description and "102,000.00 元" in vote.motion.description

    # Before the vote: still refused.
    with pytest.raises(DomainError) as refused:
        settle(application, personas, BUDGET + excess, over_budget_reason="增加泛水")
    assert refused.value.code == "over_ceiling"

    # Noticed (signed notice), voted, counted, preliminary and final results published.
    assembly = run_supplementary(estate, vote, personas.committee, ALL_APPROVE, notice=True)
    assert assembly.status == Assembly.Status.FINAL
    assert assembly.result[vote.motion.code]["outcome"] == "approved"
    assert approved_excesses(fund_use) == [excess]

    with pytest.raises(DomainError) as refused:  # one fen above the approved excess
        settle(application, personas, BUDGET + excess + 1, over_budget_reason="增加泛水")
    assert refused.value.code == "over_ceiling"
    settled = settle(application, personas, BUDGET + excess, over_budget_reason="增加泛水")
    assert settled.fund_use.final_cost_fen == 10_200_000
    assert sum(s.share_fen for s in settled.fund_use.shares.all()) == 10_200_000
    assert AuditEvent.objects.filter(action="fund_use.supplementary_vote").count() == 1
    # The signed notice of the use names the vote that approved the excess.
    rows = dict(limits_rows(settled.fund_use))
    assert "同意超出 2,000.00 元" in rows["超支补充表决"]
    check_ledger()


def test_a_rejected_or_unfinished_supplementary_vote_lifts_nothing(estate, personas, verified):
    application = accepted(estate, personas, verified)
    rejected = start_supplementary(application.fund_use, personas.committee, 200_000)
    run_supplementary(estate, rejected, personas.committee, ALL_REJECT, notice=False)
    pending = start_supplementary(application.fund_use, personas.committee, 300_000)
    mark_noticed(pending.assembly)
    assert approved_excesses(application.fund_use) == []
    for cost in (BUDGET + 200_000, BUDGET + 1):
        with pytest.raises(DomainError) as refused:
            settle(application, personas, cost, over_budget_reason="增加泛水")
        assert refused.value.code == "over_ceiling"


def test_an_approved_supplementary_vote_moved_to_another_scope_no_longer_counts(
    estate, personas, verified
):
    """The adversary edits the vote's assembly scope with SQL after the result: refused."""
    application = accepted(estate, personas, verified)
    vote = start_supplementary(application.fund_use, personas.committee, 200_000)
    run_supplementary(estate, vote, personas.committee, ALL_APPROVE, notice=False)
    assert approved_excesses(application.fund_use) == [200_000]
    Assembly.objects.filter(pk=vote.assembly_id).update(scope_unit_codes=[])
    assert approved_excesses(application.fund_use) == []
    with pytest.raises(DomainError):
        settle(application, personas, BUDGET + 200_000, over_budget_reason="增加泛水")


def test_no_supplementary_vote_on_a_settled_use(estate, personas, verified):
    application = accepted(estate, personas, verified)
    settle(application, personas, BUDGET)
    with pytest.raises(DomainError) as refused:
        start_supplementary(application.fund_use, personas.committee, 1)
    assert refused.value.code == "already_settled"
    assert not SupplementaryVote.objects.exists()


# --------------------------------------------------------------------------- 审价


@pytest.mark.parametrize(
    ("cost", "needs"),
    [(BUDGET - 2, False), (BUDGET - 1, False), (BUDGET, True)],
    ids=["one-fen-below", "at", "one-fen-above"],
)
def test_an_audit_report_is_required_strictly_above_the_threshold(
    estate, personas, verified, settings, cost, needs
):
    settings.GONGZHI_FUND_AUDIT_ABOVE_FEN = BUDGET - 1  # 99,999.99 元
    application = accepted(estate, personas, verified)
    if needs:
        with pytest.raises(DomainError) as refused:
            settle(application, personas, cost)
        assert refused.value.code == "audit_required" and "audit_report" in refused.value.fields
        with pytest.raises(DomainError) as refused:
            settle(
                application,
                personas,
                cost,
                audit_report=SimpleUploadedFile("a.pdf", b"not a pdf", content_type="text/plain"),
            )
        assert refused.value.code == "bad_file"
        assert not SettlementAuditReport.objects.exists()
        settled = settle(application, personas, cost, audit_report=pdf("审价报告.pdf"))
        report = SettlementAuditReport.objects.get()
        assert report.fund_use == settled.fund_use and len(report.sha256) == 64
    else:
        settled = settle(application, personas, cost)
        assert not SettlementAuditReport.objects.exists()
    assert settled.fund_use.final_cost_fen == cost


# --------------------------------------------------------------------------- 质保金


def test_the_retention_is_held_at_settlement_and_released_only_after_the_warranty(
    estate, personas, verified
):
    application = accepted(estate, personas, verified, amount=BUDGET // 2)
    today = timezone.localdate()
    settled = settle(application, personas, BUDGET)
    fund_use = settled.fund_use
    # Waterproofing: art. 40's five years from the settlement day.
    assert fund_use.retention_fen == RETENTION == 500_000
    assert fund_use.warranty_ends_on == today.replace(year=today.year + 5)
    approver = verified(personas.approver)
    with pytest.raises(DomainError):  # the 质保金 is not paid out at settlement
        instruct(fund_use, approver, amount=BUDGET // 2 - RETENTION + 1, key="REST-X")
    instruct(fund_use, approver, amount=BUDGET // 2 - RETENTION, key="REST")
    with pytest.raises(DomainError) as refused:
        services.retention_release(fund_use=fund_use, actor=personas.reviewer)
    assert refused.value.code == "in_warranty"
    assert dict(limits_rows(fund_use))["质保金"].startswith("5,000.00 元，工程保修期至")


@pytest.mark.parametrize("days_after_end", [0, 1], ids=["on-the-last-day", "the-day-after"])
def test_the_retention_is_released_the_day_after_the_warranty_ends(
    estate, personas, verified, days_after_end
):
    application = accepted(estate, personas, verified)
    today = timezone.localdate()
    end = today - timedelta(days=days_after_end)
    settled = settle(
        application,
        personas,
        BUDGET,
        settled_on=today - timedelta(days=2),
        warranty_ends_on=end,
    )
    fund_use = settled.fund_use
    approver = verified(personas.approver)
    with pytest.raises(DomainError):
        instruct(fund_use, approver, amount=1, key="RET-EARLY")  # 95,000.00 paid, 5,000 held
    if days_after_end == 0:
        with pytest.raises(DomainError) as refused:
            services.retention_release(fund_use=fund_use, actor=personas.reviewer)
        assert refused.value.code == "in_warranty"
        return
    with pytest.raises(PermissionDeniedError):
        services.retention_release(fund_use=fund_use, actor=personas.committee)
    released = services.retention_release(fund_use=fund_use, actor=personas.reviewer)
    assert released.retention_released_at is not None and released.retention_held_fen == 0
    with pytest.raises(DomainError) as refused:
        services.retention_release(fund_use=fund_use, actor=personas.reviewer)
    assert refused.value.code == "already_released"
    with pytest.raises(DomainError):
        instruct(fund_use, approver, amount=RETENTION + 1, key="RET-X")
    rest = instruct(fund_use, approver, amount=RETENTION, key="RET")
    services.payment_confirm(
        instruction=rest, bank_reference="RET-1", paid_on=today, actor=personas.reviewer
    )
    assert selectors.balance(selectors.account_of(estate.area, Account.Kind.PAYABLE)) == 0
    assert AuditEvent.objects.filter(action="fund_use.retention_release").count() == 1
    check_ledger()


def test_a_warranty_end_not_after_the_settlement_is_refused(estate, personas, verified):
    application = accepted(estate, personas, verified)
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        settle(application, personas, BUDGET, warranty_ends_on=today)
    assert refused.value.code == "bad_date" and "warranty_ends_on" in refused.value.fields


# --------------------------------------------------------------------------- the ballot


AREAS = {
    "1栋-1单元-101": Decimal("89.50"),
    "1栋-1单元-102": Decimal("100.00"),
    "1栋-1单元-103": Decimal("120.25"),
    "1栋-1单元-104": Decimal("75.00"),
    "9栋-1单元-901": Decimal("100.00"),
}


def ballot_page(client, estate, assembly, name: str) -> str:
    mark_noticed(assembly)
    shift(assembly, opens=-timedelta(hours=1), closes=timedelta(days=1))
    client.force_login(estate.register.user(name))
    return client.get(reverse("voting:ballot", args=[assembly.pk])).content.decode()


def test_the_ballot_shows_the_owner_s_share_at_the_budget_and_at_the_ceiling(
    client, estate, personas
):
    from .app_helpers import put_to_vote

    application = put_to_vote(
        propose(estate, personas.property_staff, tolerance=3), personas.committee
    )
    page = ballot_page(client, estate, application.assembly, "丙")
    at_budget = apportion(BUDGET, AREAS)["1栋-1单元-103"]
    at_ceiling = apportion(10_300_000, AREAS)["1栋-1单元-103"]
    assert (at_budget, at_ceiling) == (2_480_660, 2_555_080)
    assert "超支不超过 3%" in page and "103,000.00 元" in page
    assert f"{yuan(at_budget)} 元" in page and f"{yuan(at_ceiling)} 元" in page
    assert yuan(apportion(10_300_000, AREAS)["1栋-1单元-101"]) not in page  # not another's


def test_the_supplementary_ballot_shows_the_owner_s_share_of_the_excess(
    client, estate, personas, verified
):
    application = accepted(estate, personas, verified)
    vote = start_supplementary(application.fund_use, personas.committee, 200_000)
    page = ballot_page(client, estate, vote.assembly, "甲")
    share = apportion(200_000, AREAS)["1栋-1单元-101"]
    assert "维修资金超支补充表决" in page and "2,000.00 元" in page
    assert f"{yuan(share)} 元" in page
