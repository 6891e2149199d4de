from __future__ import annotations

from rest_framework import serializers

from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    summary = serializers.DictField(
        read_only=True, help_text="What the event changed, in words; never personal data."
    )

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "at",
            "actor",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "before_digest",
            "after_digest",
            "summary",
            "prev",
            "hash",
        ]
        read_only_fields = fields
