"""The annex-1 area-register notice (RULES.md §8), published through ``publications``.

Estates builds the notice (its fields, its text, its template) and issues it
with ``publications.services.publication_issue`` like every other domain does;
publications itself knows nothing of management areas.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import permissions
from core.errors import Conflict
from publications.models import Kind, Publication
from publications.services import PDF_LANGUAGE, content_digest, publication_issue

from ..models import ManagementArea


def area_register_fields(area) -> list[tuple[str, str]]:
    """Annex 1 of the district programme (RULES.md §8) for one area, as label/value texts."""
    with translation.override(PDF_LANGUAGE):
        community = area.community
        rate = area.fee_collection_rate
        company = area.property_company
        return [
            (_("区域编码"), area.code),
            (_("物业管理区域名称"), area.name),
            (_("小区名称"), area.estate_name),
            (_("所在街道/社区"), f"{community.street.name} / {community.name}"),
            (_("四至范围"), area.boundaries),
            (
                _("物业服务形态"),
                f"{area.service_form} {ManagementArea.ServiceForm(area.service_form).label}",
            ),
            (
                _("业委会组建情况"),
                f"{area.committee_status} "
                f"{ManagementArea.CommitteeStatus(area.committee_status).label}",
            ),
            (
                _("党的工作覆盖"),
                f"{area.party_coverage} {ManagementArea.PartyCoverage(area.party_coverage).label}",
            ),
            (_("物业服务企业"), company.name if company else ""),
            (_("项目负责人"), area.project_manager),
            (_("物业费收缴率"), f"{rate:.2f}%" if rate is not None else ""),
        ]


def current_area_register_notice(area) -> Publication | None:
    return (
        Publication.objects.filter(kind=Kind.AREA_REGISTER, area=area, superseded_by__isnull=True)
        .order_by("-issued_at")
        .first()
    )


def area_register_notice_issue(*, area, actor) -> Publication:
    """Publish one area's annex-1 register entry; it supersedes the area's previous one.

    Refuses (``unchanged``) when the register has not changed since the
    current notice, so re-running the command issues nothing twice.
    """
    if actor is not None:
        permissions.require(actor, "publication.issue", area)
    fields = [[str(label), str(value)] for label, value in area_register_fields(area)]
    today = timezone.localdate()
    with translation.override(PDF_LANGUAGE):
        title = _("物业管理区域信息台账公示（%(area)s）") % {"area": area.name}
        context = {
            "intro": [
                _(
                    "根据《埇桥区住宅物业服务管理提升行动方案》附件 1《住宅物业管理区域信息台账》，"
                    "现将本物业管理区域的登记信息公示如下。"
                )
            ],
            "fields": fields,
            "notes": [
                _("信息截至 %(date)s。") % {"date": f"{today.year}年{today.month}月{today.day}日"},
                _(
                    "如对以上信息有异议，请向所在社区或%(bureau)s反映；"
                    "信息更正后将发布新的公示，并取代本公示。"
                )
                % {"bureau": settings.GONGZHI_BUREAU_NAME},
            ],
        }
    # The date is not part of it: an unchanged register is not re-published.
    digest = content_digest({"kind": Kind.AREA_REGISTER.value, "area": area.code, "fields": fields})
    previous = current_area_register_notice(area)
    if previous is not None and previous.data_digest == digest:
        raise Conflict(
            "unchanged",
            _("该区域台账自上次公示（%(serial)s）以来没有变化，无需重新公示。")
            % {"serial": previous.serial},
        )
    publication = publication_issue(
        kind=Kind.AREA_REGISTER,
        area=area,
        period=today.isoformat(),
        template="estates/pdf/area_register.html",
        context=context,
        actor=actor,
        title=title,
        supersedes=previous,
        data_digest=digest,
    )
    return publication
