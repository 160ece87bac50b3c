"""Template context every page shares: the user's menu (greenplan.navigation)."""
from django.utils.functional import SimpleLazyObject


def navigation(request):
    """`menu`: the user's places as links, built only if a template uses it; `home_url`: their home."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": [], "home_url": "/"}

    def links():
        from greenplan.navigation import menu

        return menu(user)

    return {"menu": SimpleLazyObject(links), "home_url": "/"}
