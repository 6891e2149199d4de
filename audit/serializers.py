from __future__ import annotations

from rest_framework import serializers

from .chain import FIELDS
from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    summary = serializers.DictField(
        read_only=True, help_text="What the event changed, in words; never personal data."
    )

    class Meta:
        model = AuditEvent
        fields = [*FIELDS, "hash"]  # the chain's recorded fields (audit.chain.FIELDS)
        read_only_fields = fields
