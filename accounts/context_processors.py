from django.conf import settings

from . import permissions
from .home import home_actions
from .models import Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_roles": [], "district_name": settings.GONGZHI_DISTRICT_NAME}
    items = home_actions(user)
    for item in items:
        item["active"] = request.path.startswith(item["url"])
    roles = [Role(code).label for code in sorted(permissions.roles_of(user))]
    return {"nav_items": items, "nav_roles": roles, "district_name": settings.GONGZHI_DISTRICT_NAME}
