"""Optional bearer-key authentication: installed when API_KEYS is set, and announced at start-up."""

import logging

from fastapi import FastAPI

from entrypoints.api.middleware.auth import BearerAuth
from entrypoints.settings import Settings

logger = logging.getLogger(__name__)


def install_security(app: FastAPI, settings: Settings) -> None:
    keys = settings.bearer_keys
    if not keys:
        logger.warning("API_KEYS is not set: the service runs open, anyone may write")
        return
    reads = settings.api_keys_for_reads
    logger.info("API_KEYS is set: %s need a bearer key", "all requests" if reads else "writes")
    app.add_middleware(BearerAuth, keys=keys, protect_reads=reads)
