"""The real district the matrix runs against, and the URL of each object in it.

``build.py`` makes it: the test district of tests/conftest.py, its personas,
and in each of a1, a2 and b1 one object of every kind a route can name
(``guards.TARGETS``). ``World.kwargs`` turns a target and a place into the
URL kwargs (and POST data) that name that object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from audit.models import AuditEvent
from emergency.models import WhitelistVersion
from estates.models import Committee, CommitteeMember, ManagementArea
from funds.models import PaymentInstruction
from revenue.models import Allocation
from voting.models import Assembly, VotingRight

from .model import NOWHERE


@dataclass
class Place:
    """The objects of one management area."""

    area: ManagementArea
    estate: object
    assembly: Assembly
    attachment: object
    right: VotingRight  # a right of the open assembly that has not voted
    counted: Assembly
    objection: object
    fund_app: object
    emergency: object
    emergency_instruction: object
    emergency_claim: object
    committee: Committee | None = None
    member: CommitteeMember | None = None
    import_job: object = None
    revenue_entry: object = None
    allocation: Allocation | None = None
    statement: object = None
    problem: object = None
    fund_demand: object = None
    emergency_demand: object = None


@dataclass
class World:
    district: SimpleNamespace
    personas: SimpleNamespace
    places: dict[str, Place] = field(default_factory=dict)
    publication: object = None
    paper_ballot: object = None
    sessions: dict[str, str] = field(default_factory=dict)  # persona → session key

    def user(self, persona: str):
        return getattr(self.personas, persona)

    # ------------------------------------------------------------------ URL kwargs

    def kwargs(self, target: str | None, place: str) -> tuple[dict, dict]:
        """The URL kwargs (and POST data) naming the ``target`` that sits in ``place``."""
        if target is None:
            return {}, {}
        if place == NOWHERE:
            return self._district_wide(target)
        p = self.places[place]
        app, em = p.fund_app, p.emergency
        found = {
            "street": lambda: {"code": p.area.community.street.code},
            "community": lambda: {"code": p.area.community.code},
            "area": lambda: {"code": p.area.code},
            "building": lambda: {"pk": p.estate.owner_unit("甲").building_id},
            "unit": lambda: {"pk": p.estate.owner_unit("乙").pk},
            "owner_unit": lambda: {"pk": p.estate.owner_unit("甲").pk},
            "owner_unit_id": lambda: {"unit_id": p.estate.owner_unit("甲").pk},
            "committee": lambda: {"pk": p.committee.pk},
            "member": lambda: {"pk": p.member.pk},
            "import_job": lambda: {"pk": p.import_job.pk},
            "assembly": lambda: {"pk": p.assembly.pk},
            "assembly_motion": lambda: {"pk": p.assembly.pk, "code": "m1"},
            "assembly_attachment": lambda: {"pk": p.assembly.pk, "attachment": p.attachment.pk},
            "assembly_right": lambda: {"pk": p.assembly.pk, "right": p.right.pk},
            "counted_assembly": lambda: {"pk": p.counted.pk},
            "objection": lambda: {"pk": p.counted.pk, "objection_pk": p.objection.pk},
            "revenue_entry": lambda: {"pk": p.revenue_entry.pk},
            "allocation": lambda: {"pk": p.allocation.pk},
            "statement": lambda: {"code": p.area.code, "pk": p.statement.pk},
            "annual": lambda: {"code": p.area.code, "year": 2025},
            "fund_app": lambda: {"pk": app.pk},
            "fund_app_attachment": lambda: {
                "pk": app.pk,
                "attachment": app.attachments.order_by("pk").first().pk,
            },
            "fund_share": lambda: {
                "pk": app.pk,
                "share": app.fund_use.shares.order_by("pk").first().pk,
            },
            "fund_instruction": lambda: {
                "pk": PaymentInstruction.objects.filter(fund_use=app.fund_use).get().pk
            },
            "fund_demand": lambda: {"pk": app.pk, "demand": p.fund_demand.pk},
            "emergency_app": lambda: {"pk": em.pk},
            "emergency_demand": lambda: {"pk": em.pk, "demand": p.emergency_demand.pk},
            "emergency_evidence": lambda: {
                "pk": em.pk,
                "evidence_pk": em.evidence.order_by("pk").first().pk,
            },
            "emergency_instruction": lambda: {
                "pk": em.pk,
                "instruction_pk": p.emergency_instruction.pk,
            },
            "emergency_claim": lambda: {"claim_pk": p.emergency_claim.pk, "to": "claimed"},
            "problem": lambda: {"pk": p.problem.pk},
        }
        return found[target](), {}

    def _district_wide(self, target: str) -> tuple[dict, dict]:
        a1 = self.places["a1"]
        if target == "traced_ballot":
            ballot = self.paper_ballot
            return {}, {"assembly": ballot.assembly_id, "tracker": ballot.tracker, "file": "scan"}
        found = {
            "company": lambda: {"pk": self.district.company_p.pk},
            "audit_event": lambda: {"seq": AuditEvent.objects.order_by("seq").first().seq},
            "whitelist_version": lambda: {
                "number": WhitelistVersion.objects.order_by("number").first().number
            },
            "whitelist_item": lambda: {"code": "E05"},
            "calendar_year": lambda: {"year": 2027},
            "publication": lambda: {"serial": self.publication.serial},
            "public_assembly": lambda: {"pk": a1.counted.pk},
        }
        return found[target](), {}
