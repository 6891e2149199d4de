from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("签章公示")

    def ready(self) -> None:
        # The signed notices are where the anchors live (core.integrity;
        # DESIGN.md "Trust anchors"), and the log is one of the anchored chains.
        from core import integrity

        from .anchors import LOG_CHAIN, document_read, log_anchor_check, stored_documents

        integrity.register_anchor_chain(LOG_CHAIN, log_anchor_check)
        integrity.register_documents(stored=stored_documents, reader=document_read)
