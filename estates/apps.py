from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EstatesConfig(AppConfig):
    name = "estates"
    verbose_name = _("物业管理区域台账")

    def ready(self):
        # Registers the Celery tasks in every process (web included): ``estates.jobs``
        # enqueues the import by task name and never imports its tasks module.
        # An owner's first login matches their ID number to the register: accounts' page
        # asks through its hook (accounts sits below estates and never imports it).
        from accounts import binding

        from . import tasks  # noqa: F401
        from .services.binding import owner_bind

        binding.set_owner_binder(owner_bind)
