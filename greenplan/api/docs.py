"""The documentation page (Redoc), its script served by us from drf-spectacular-sidecar: no CDN,
no web fonts from elsewhere."""
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView


class DocsView(SpectacularRedocView):
    template_name = "api/docs.html"
    authentication_classes = []
    url_name = "api:schema"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Redoc styles itself with <style> elements it writes at run time and searches in a worker
        # made from a blob: the page's policy allows those two, still no foreign or inline script.
        response["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            "worker-src 'self' blob:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")
        return response
