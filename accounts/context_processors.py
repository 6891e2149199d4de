from django.conf import settings

from . import permissions
from .home import home_actions
from .models import Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_roles": [], "district_name": settings.GONGZHI_DISTRICT_NAME}
    items = home_actions(user)
    # The longest matching entry is the current one (/estates/ must not light up on /estates/mine/).
    matching = [item for item in items if request.path.startswith(item["url"])]
    current = max(matching, key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is current
    roles = [Role(code).label for code in sorted(permissions.roles_of(user))]
    return {"nav_items": items, "nav_roles": roles, "district_name": settings.GONGZHI_DISTRICT_NAME}
