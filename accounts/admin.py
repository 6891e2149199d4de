"""Django admin for users and role assignments.

Every change here goes through ``accounts.services`` so it is validated and
audited like any other. Users are created by ``manage.py create_staff``
(staff) or by the register import (owners), not in the admin; phones appear
masked in lists (DESIGN.md "Personal data").
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from . import services
from .forms import RoleAssignmentAdminForm
from .models import RoleAssignment, User


def _admin_login(request, extra_context=None):
    """The Django admin's login page sends to ours.

    Its own form would check a staff password through ``authenticate`` outside
    the guessing limit (``services.password_try``) and outside TOTP: a second
    door with no lock.
    """
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect_to_login(next_url, reverse("accounts:login"))


admin.site.login = _admin_login


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fields = ["role", "area", "company", "street", "community", "granted_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["__str__", "username", "masked_phone", "is_active", "is_staff", "date_joined"]
    list_display_links = ["__str__"]
    list_filter = ["is_active", "is_staff", "roles__role"]
    # An exact phone finds its owner; the list still shows it masked.
    search_fields = ["username", "display_name", "=phone"]
    ordering = ["-date_joined"]
    fields = [
        "username",
        "masked_phone",
        "display_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
    ]
    readonly_fields = fields
    inlines = [RoleAssignmentInline]
    actions = ["deactivate", "activate", "reset_totp"]

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return obj.masked_phone

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Audit events point at users: disable a login instead of deleting it.
        return False

    def _each(self, request, queryset, service, done_message, **kwargs):
        count = 0
        for user in queryset.order_by("pk"):
            try:
                service(user=user, actor=request.user, **kwargs)
            except DomainError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
            else:
                count += 1
        self.message_user(request, done_message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("停用所选用户"))
    def deactivate(self, request, queryset):
        self._each(
            request,
            queryset,
            services.user_set_active,
            _("已停用 %(count)d 个用户。"),
            is_active=False,
        )

    @admin.action(description=_("启用所选用户"))
    def activate(self, request, queryset):
        self._each(
            request,
            queryset,
            services.user_set_active,
            _("已启用 %(count)d 个用户。"),
            is_active=True,
        )

    @admin.action(description=_("重置动态口令（手机丢失时）"))
    def reset_totp(self, request, queryset):
        self._each(request, queryset, services.totp_reset, _("已处理 %(count)d 个用户。"))


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentAdminForm
    list_display = ["user", "role", "scope_display", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name", "=user__phone"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "area", "company", "street", "community__street"]
    ordering = ["user_id", "role"]

    @admin.display(description=_("范围"))
    def scope_display(self, obj):
        return obj.scope or _("全区")

    def has_change_permission(self, request, obj=None):
        # A grant is never edited: revoke it and grant another (both audited).
        return False

    def save_model(self, request, obj, form, change):
        granted = services.role_grant(
            user=obj.user, role=obj.role, scope=obj.scope, actor=request.user
        )
        obj.pk = granted.pk

    def delete_model(self, request, obj):
        services.role_revoke(assignment=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.order_by("pk"):
            services.role_revoke(assignment=assignment, actor=request.user)
