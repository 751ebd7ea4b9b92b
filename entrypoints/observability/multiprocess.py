"""Whether metrics are shared by several worker processes, told by an environment variable.

Kept apart from metrics.py because prometheus_client reads that variable once, when it is
imported: `items serve` sets it before any worker imports the metrics, and so must not import them."""

import os

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def is_multiprocess() -> bool:
    return MULTIPROCESS_DIR in os.environ
