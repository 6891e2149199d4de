"""The 列支范围 (RULES.md §1): which units bear a repair's cost.

Shared by the fund's own applications, emergency applications and the money
side of both (``FundUse``); ``funds.apportion`` shares the cost among its units.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CostScopeModel(models.Model):
    """Something whose cost the units of a 列支范围 bear (RULES.md §1).

    Each model declares ``scope_buildings`` and ``scope_unit_codes`` (both
    empty = the whole area) among its own fields.
    """

    class Meta:
        abstract = True

    @property
    def whole_area(self) -> bool:
        return not self.scope_buildings and not self.scope_unit_codes

    def scope_text(self) -> str:
        if self.whole_area:
            return str(_("整个物业管理区域"))
        return "、".join([*self.scope_buildings, *self.scope_unit_codes])
