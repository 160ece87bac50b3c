"""Template context shared by every page."""
from django.utils.functional import SimpleLazyObject


def unread_notifications(request):
    """`unread_notifications`: the user's unread count, queried only if a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    def count():
        from reporting.models import Notification

        known = getattr(user, "unread_notifications", None)  # counted with the user (greenplan.accounts)
        if known is not None:
            return known
        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    return {"unread_notifications": SimpleLazyObject(count)}
