"""Optional bearer-key authentication: a middleware layer when API_KEYS is set, announced at start-up."""

import logging
from collections.abc import Callable
from functools import partial

from starlette.types import ASGIApp

from entrypoints.api.middleware.auth import BearerAuth
from entrypoints.settings import Settings

logger = logging.getLogger(__name__)


def bearer_auth(settings: Settings) -> list[Callable[[ASGIApp], ASGIApp]]:
    """The layer that asks for a bearer key, or none without API_KEYS."""
    keys = settings.bearer_keys
    if not keys:
        logger.warning("API_KEYS is not set: the service runs open, anyone may write")
        return []
    reads = settings.api_keys_for_reads
    logger.info("API_KEYS is set: %s need a bearer key", "all requests" if reads else "writes")
    return [partial(BearerAuth, keys=keys, protect_reads=reads)]
