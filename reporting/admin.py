from .admin_notices import *  # noqa: F401,F403
