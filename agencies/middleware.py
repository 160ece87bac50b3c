"""Request boundaries of the user's scope (agencies.access)."""
from .access import begin_request_scope, end_request_scope


class RequestScopeMiddleware:
    """A user's scope lives exactly as long as the request: memberships changed by an admin take
    effect on the user's next request, and no scope leaks into the next request a worker serves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = begin_request_scope()
        try:
            return self.get_response(request)
        finally:
            end_request_scope(token)
