"""API tokens: made, found, counted and revoked here. A token is a random URL-safe key shown once;
the database keeps its SHA-256 only, so a stolen database dump opens nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from agencies.access import scope_for, with_merged_jurisdictions
from agencies.models import Jurisdiction
from greenplan.models import ApiToken

RATE_WINDOW = dt.timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def default_jurisdictions(user) -> list[Jurisdiction]:
    """A token's scope when none is named: the jurisdictions the user works in or holds a role for;
    for an administrator, every jurisdiction (a national token)."""
    scope = scope_for(user)
    qs = Jurisdiction.objects.all() if scope.is_admin else Jurisdiction.objects.filter(pk__in=scope.jurisdiction_ids)
    return list(qs.order_by("name"))


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    key: str  # shown once, never stored


def stamp(token: ApiToken) -> str:
    """Give an unsaved token its key: the key is returned (to show once), its hash is kept."""
    key = secrets.token_urlsafe(32)
    while key.startswith("-"):  # `api_token revoke -abc…` would read as an option (1 key in 64)
        key = secrets.token_urlsafe(32)
    token.key_hash, token.prefix = digest(key), key[:6]
    return key


def issue_token(*, user, name: str = "", jurisdictions=None, created_by=None) -> Issued:
    """A new token for `user`, scoped to `jurisdictions` (default_jurisdictions when None)."""
    token = ApiToken(user=user, name=name, created_by=created_by)
    key = stamp(token)
    scope = default_jurisdictions(user) if jurisdictions is None else list(jurisdictions)
    with transaction.atomic():
        token.save()
        token.jurisdictions.set(scope)
    return Issued(token, key)


def revoke(tokens) -> int:
    """Revoke the given tokens (a queryset) at once; already revoked ones keep their date."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def use_token(key: str) -> ApiToken | None:
    """The live token for `key`, its use recorded and counted in the current minute's window (one
    UPDATE, atomic per row on every database, so concurrent requests on several processes count
    each other). None for an unknown or revoked key, or an inactive user."""
    now = timezone.now()
    fresh = Q(window_start__gt=now - RATE_WINDOW)
    hashed = digest(key)
    touched = ApiToken.objects.filter(key_hash=hashed, revoked_at__isnull=True, user__is_active=True).update(
        last_used_at=now,
        window_count=Case(When(fresh, then=F("window_count") + 1), default=Value(1)),
        window_start=Case(When(fresh, then=F("window_start")), default=Value(now)),
    )
    if not touched:
        return None
    return ApiToken.objects.select_related("user").get(key_hash=hashed)


def over_limit(token: ApiToken) -> int | None:
    """Seconds to wait when the token has used up its requests of this minute, else None."""
    if token.window_count <= settings.API_RATE_PER_MINUTE:
        return None
    left = (token.window_start + RATE_WINDOW - timezone.now()).total_seconds()
    return max(1, int(left + 0.999))


def scope_jurisdiction_ids(token: ApiToken) -> set[int]:
    """The token's jurisdictions and every one merged into them, as a role there covers them."""
    return with_merged_jurisdictions(set(token.jurisdictions.values_list("pk", flat=True)))
