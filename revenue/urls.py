"""Public-revenue pages; the project's urls include them under ``revenue/``."""

from .views import ledger, manage

app_name = "revenue"

urlpatterns = [*ledger.routes, *manage.routes]
