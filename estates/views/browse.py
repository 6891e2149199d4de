"""Browsing the register: streets → communities → areas → buildings → units, and "my units".

Staff with ``register.view`` see only what ``accounts.permissions`` puts in
their scope; anything else is a 404 (``estates.browse`` does not find it).
Owners and phones appear masked everywhere (DESIGN.md "Personal data").
"""

from __future__ import annotations

from django.views.generic import TemplateView

from accounts.permissions import can
from core.guards import ActionRequiredMixin
from core.natural import natural_page

from .. import browse
from ..forms import SearchForm

PAGE_SIZE = 50
INDEX_AREAS = 20  # up to this many areas are listed on the index page itself


def _units_page(request, units):
    """Units in natural order of area and unit code ("2栋-…" before "10栋-…")."""
    return natural_page(
        units, "area__code", "code", number=request.GET.get("page"), per_page=PAGE_SIZE
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class RegisterView(ActionRequiredMixin, TemplateView):
    action = browse.VIEW


class IndexView(RegisterView):
    """The streets in the user's scope, with how many of their areas the user sees."""

    template_name = "estates/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        visible = browse.visible_areas(user)
        per_street = browse.area_counts_by_street(visible)
        streets = list(browse.visible_streets(user))
        for street in streets:
            street.area_count = per_street.get(street.pk, 0)
        # A committee or a property company has a few areas: list them here
        # directly. The bureau's hundreds are reached street by street.
        total = sum(per_street.values())
        areas = list(browse.areas_with_counts(visible)) if total <= INDEX_AREAS else []
        return super().get_context_data(
            streets=streets,
            areas=areas,
            search_form=SearchForm(),
            can_edit=can(user, "register.edit"),
            can_oversee=can(user, browse.OVERSEE),
            **kwargs,
        )


class StreetView(RegisterView):
    template_name = "estates/street.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        street = browse.street_get(user, self.kwargs["code"])
        return super().get_context_data(
            street=street, communities=browse.communities_with_areas(user, street), **kwargs
        )


class CommunityView(RegisterView):
    template_name = "estates/community.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        community = browse.community_get(user, self.kwargs["code"])
        areas = browse.areas_with_counts(browse.visible_areas(user).filter(community=community))
        return super().get_context_data(community=community, areas=areas, **kwargs)


class AreaView(RegisterView):
    template_name = "estates/area.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        area = browse.area_get(user, self.kwargs["code"])
        return super().get_context_data(
            area=area,
            buildings=browse.buildings_with_counts(area),
            committee=browse.current_committee(area),
            search_form=SearchForm(),
            can_edit=can(user, "register.edit", area),
            **kwargs,
        )


class BuildingView(RegisterView):
    """The units of one building with their owners, paginated; ``q`` narrows the list."""

    template_name = "estates/building.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        building = browse.building_get(user, self.kwargs["pk"])
        form = SearchForm(self.request.GET or None)
        q = form.cleaned_data["q"] if form.is_valid() else ""
        units = browse.with_ownerships(browse.unit_search(user, q=q, building=building))
        page = _units_page(self.request, units)
        return super().get_context_data(
            building=building,
            area=building.area,
            search_form=form,
            q=q,
            page_obj=page,
            rows=browse.unit_rows(page.object_list),
            query=_query_without_page(self.request),
            **kwargs,
        )


class UnitView(RegisterView):
    template_name = "estates/unit.html"

    def get_context_data(self, **kwargs):
        row = browse.unit_row_get(self.request.user, self.kwargs["pk"])
        return super().get_context_data(unit=row.unit, row=row, area=row.unit.area, **kwargs)


class SearchView(RegisterView):
    """Units in scope by unit code or current owner's name; ``area`` limits it to one area."""

    template_name = "estates/search.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form = SearchForm(self.request.GET or None)
        area_code = self.request.GET.get("area", "")
        area = browse.area_get(user, area_code) if area_code else None
        q = form.cleaned_data["q"].strip() if form.is_valid() else ""
        context = {"search_form": form, "q": q, "area": area, "rows": [], "page_obj": None}
        if q:
            units = browse.with_ownerships(browse.unit_search(user, q=q, area=area))
            page = _units_page(self.request, units)
            context.update(
                page_obj=page,
                rows=browse.unit_rows(page.object_list),
                query=_query_without_page(self.request),
            )
        return super().get_context_data(**context, **kwargs)


class MyUnitsView(ActionRequiredMixin, TemplateView):
    """我的房屋: an owner's current units and the area basis used for each (SPC art. 8)."""

    action = browse.OWN
    template_name = "estates/my_units.html"

    def get_context_data(self, **kwargs):
        person = browse.person_of(self.request.user)
        units = browse.my_units(person) if person is not None else []
        return super().get_context_data(person=person, units=units, **kwargs)
