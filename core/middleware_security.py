"""Content-Security-Policy and Permissions-Policy on every response (issue #9 item 5).

Django's SecurityMiddleware and XFrameOptionsMiddleware already send nosniff,
Referrer-Policy, Cross-Origin-Opener-Policy, X-Frame-Options and, in
production, HSTS (gongzhi/settings.py). Django 5.2 has no CSP of its own.

Our pages load scripts and styles only from our own static files, and no page
has an inline script; some templates use ``style=""`` attributes (table widths,
the SVG bars), hence ``'unsafe-inline'`` for styles only. QR codes for TOTP
enrolment are data: images. The one exception is the Swagger UI page, whose
drf-spectacular template starts the bundle with an inline script.

A response that already carries a policy (a view that needs its own) keeps it.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Swagger UI (/api/docs/): its inline start-up script, and the schema it fetches.
DOCS_POLICY = POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")

# No page needs these browser features; a file input's camera capture is not one of them.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def _docs_path() -> str | None:
    try:
        return reverse("api-docs")
    except NoReverseMatch:
        return None


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = DOCS_POLICY if request.path_info == _docs_path() else POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
