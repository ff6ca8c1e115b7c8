"""Carrying a sign-in from the platform site to an organizer's site.

Sessions are per host (no cookie domain), so someone who signed up or signed in on the platform
is a stranger on `<slug>.<BASE_DOMAIN>`. The platform hands over a signed link instead:
`/login/continue/?token=` on the organizer's site, made for one user and one organizer, good for
two minutes and once only. Once-only needs no table: the token carries the user's `last_login`
as it was when the link was made, and signing in with it changes `last_login`.
"""

from django.core import signing

from tenants.models import Organizer, User
from tenants.permissions import member_actor

SALT = "tenants.sign-in-handoff"
MAX_AGE_SECONDS = 120


def _last_login(user: User) -> str:
    return user.last_login.isoformat() if user.last_login else ""


def handoff_token(*, user: User, organizer: Organizer) -> str:
    return signing.dumps(
        {"user": user.pk, "organizer": organizer.pk, "last_login": _last_login(user)}, salt=SALT
    )


def redeem_handoff(*, token: str, organizer: Organizer) -> User | None:
    """The user the token was made for, if it is genuine, fresh, unused, for this organizer and
    they are still an active member here; otherwise None (never saying which check failed)."""
    try:
        claim = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if not isinstance(claim, dict) or claim.get("organizer") != organizer.pk:
        return None
    user = User.objects.filter(pk=claim.get("user"), is_active=True).first()
    if user is None or claim.get("last_login") != _last_login(user):
        return None
    if member_actor(user, organizer) is None:
        return None
    return user
