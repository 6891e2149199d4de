"""Serializers of ballots and what they add up to (voting/api_ballots.py): cast, receipts,
live progress and the result.

The answers a ballot may give are ``services.choices_clean``'s decision; here
only the shape is checked. On the progress bars areas are integers in
hundredths of a square metre (0.01 m²) and shares are basis points, exactly
as ``voting.selectors.assembly_progress`` computes them; in results, areas are
two-decimal strings (``voting.counting``). Never a float.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from voting.models import OUTCOME_LABELS, Assembly, Ballot

from .serializers import (
    AREA,
    KIND_HELP,
    VotingAreaSerializer,
    VotingPublicationSerializer,
    VotingRollSerializer,
    VotingTotalsSerializer,
)

MAX_MOTIONS = 100  # far above any real assembly; a bigger body is not a ballot
OUTCOMES = list(OUTCOME_LABELS.items())


@extend_schema_field(
    {
        "type": "object",
        "description": "议题编号（m1、m2…）→ 表决意见：approve/reject/abstain；"
        "选举议题为同意的候选人编号列表（c1、c2…，不超过应选名额）或 abstain",
        "additionalProperties": {
            "oneOf": [
                {"type": "string", "enum": ["approve", "reject", "abstain"]},
                {"type": "array", "items": {"type": "string"}},
            ]
        },
        "example": {"m1": "approve", "m2": "abstain", "m3": ["c1", "c2"]},
    }
)
class ChoicesField(serializers.DictField):
    """A ballot's choices: a JSON object, motion code → answer. The service checks the answers."""

    child = serializers.JSONField()

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(value) > MAX_MOTIONS:
            raise serializers.ValidationError(_("表决意见过多。"))
        return value


# --------------------------------------------------------------------------- ballots


class BallotCastSerializer(serializers.Serializer):
    right = serializers.IntegerField(
        required=False, allow_null=True, help_text="表决权 id（本人只有一个未投票的表决权时可省略）"
    )
    choices = ChoicesField()
    key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="重复提交标识：同一标识再次提交返回同一张票的回执",
    )


class BallotReceiptSerializer(serializers.ModelSerializer):
    """What the owner keeps (``selectors.receipt``): the tracker to find on the board, the hash."""

    assembly_title = serializers.CharField(source="assembly.title", read_only=True)
    right = serializers.IntegerField(source="right_id", read_only=True)
    units = serializers.ListField(
        source="right.unit_codes", child=serializers.CharField(), read_only=True
    )
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    choices = ChoicesField(read_only=True)

    class Meta:
        model = Ballot
        fields = [
            "assembly",
            "assembly_title",
            "right",
            "units",
            "seq",
            "tracker",
            "hash",
            "channel",
            "channel_label",
            "cast_at",
            "choices",
        ]
        read_only_fields = fields


# --------------------------------------------------------------------------- progress


class VotingLineSerializer(serializers.Serializer):
    value = serializers.IntegerField(read_only=True)
    total = serializers.IntegerField(read_only=True)
    line = serializers.IntegerField(read_only=True, help_text="达到该线所需的最小数")
    met = serializers.BooleanField(read_only=True)
    value_bps = serializers.IntegerField(read_only=True, help_text="万分比，向下取整")
    line_bps = serializers.IntegerField(read_only=True)


class VotingBarsSerializer(serializers.Serializer):
    heads = VotingLineSerializer(read_only=True)
    area = VotingLineSerializer(read_only=True, help_text="单位 0.01 m²（整数）")


class VotingParticipationSerializer(VotingBarsSerializer):
    met = serializers.BooleanField(read_only=True)


class MotionProgressSerializer(serializers.Serializer):
    code = serializers.CharField(source="motion.code", read_only=True)
    title = serializers.CharField(source="motion.title", read_only=True)
    kind = serializers.CharField(source="motion.kind", read_only=True, help_text=KIND_HELP)
    participation = VotingParticipationSerializer(read_only=True, help_text="参与 vs. 三分之二线")
    approval = VotingBarsSerializer(read_only=True, help_text="同意 vs. 通过线（按已参与者计）")
    outcome = serializers.ChoiceField(
        choices=OUTCOMES, read_only=True, help_text="若此刻截止的结果"
    )


class VotingBpsSerializer(serializers.Serializer):
    heads = serializers.IntegerField(read_only=True)
    area = serializers.IntegerField(read_only=True)


class AssemblyProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Assembly.Status.choices, read_only=True)
    rights = serializers.IntegerField(read_only=True)
    ballots = serializers.IntegerField(read_only=True)
    total = VotingTotalsSerializer(read_only=True)
    cast = VotingTotalsSerializer(read_only=True)
    cast_bps = VotingBpsSerializer(read_only=True)
    digest = serializers.CharField(read_only=True)
    motions = MotionProgressSerializer(many=True, read_only=True)


# --------------------------------------------------------------------------- result


class VotingThresholdsSerializer(serializers.Serializer):
    quorum = VotingTotalsSerializer(read_only=True)
    approval = VotingTotalsSerializer(read_only=True)


class CandidateResultSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    heads = serializers.IntegerField(read_only=True)
    area = serializers.DecimalField(**AREA)
    passes = serializers.BooleanField(read_only=True)
    elected = serializers.BooleanField(read_only=True)
    tied = serializers.BooleanField(read_only=True)


class MotionResultSerializer(serializers.Serializer):
    """One motion's count (``voting.counting.count_motion``), as stored at the count."""

    code = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    legal_basis = serializers.CharField(read_only=True)
    threshold_text = serializers.CharField(read_only=True)
    outcome = serializers.ChoiceField(choices=OUTCOMES, read_only=True)
    outcome_label = serializers.CharField(read_only=True)
    quorum = serializers.BooleanField(read_only=True)
    total = VotingTotalsSerializer(read_only=True)
    participating = VotingTotalsSerializer(read_only=True)
    approve = VotingTotalsSerializer(read_only=True)
    reject = VotingTotalsSerializer(read_only=True)
    abstain = VotingTotalsSerializer(read_only=True)
    invalid = VotingTotalsSerializer(read_only=True)
    thresholds = VotingThresholdsSerializer(read_only=True)
    seats = serializers.IntegerField(read_only=True, allow_null=True)
    elected = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="选举：确定当选的候选人编号"
    )
    tie = serializers.BooleanField(read_only=True, allow_null=True)
    tied = serializers.ListField(child=serializers.CharField(), read_only=True)
    tied_seats = serializers.IntegerField(read_only=True, allow_null=True)
    candidates = CandidateResultSerializer(many=True, read_only=True)


class AssemblyResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    area = VotingAreaSerializer(read_only=True)
    status = serializers.ChoiceField(choices=Assembly.Status.choices, read_only=True)
    status_label = serializers.CharField(read_only=True)
    counted = serializers.BooleanField(
        read_only=True, help_text="false：已截止但尚未正式计票，结果为按已投票数的即时计算"
    )
    opens_at = serializers.DateTimeField(read_only=True)
    closes_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    roll = VotingRollSerializer(read_only=True)
    ballots = serializers.IntegerField(read_only=True)
    head = serializers.CharField(read_only=True, help_text="公示板票链末端哈希")
    preliminary = VotingPublicationSerializer(read_only=True, allow_null=True)
    objection_deadline = serializers.DateTimeField(read_only=True, allow_null=True)
    final = VotingPublicationSerializer(read_only=True, allow_null=True)
    motions = MotionResultSerializer(many=True, read_only=True)
