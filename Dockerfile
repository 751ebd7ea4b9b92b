# The Items service as a container image (docs/container.md). Plain Dockerfile syntax: docker and
# podman build it alike; `make image` builds it with what this machine needs.

# The interpreter of both stages: the virtual environment made in the first runs in the second, so
# they must share it. Any Debian-like image with python3 (3.11 or later, with its venv module) will
# do; the default matches the Python and Debian release the test suite runs on.
ARG BASE_IMAGE=docker.io/library/python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
# The Makefile's UV_VERSION (make image passes it).
ARG UV_VERSION=0.13.9
# Downloads trust the base's CA bundle; behind a TLS-intercepting proxy the host's bundle is
# mounted over it for the build only (podman build --volume), so it never becomes a layer.
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_NO_CACHE=1 \
    UV_PYTHON=python3 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/items \
    UV_LINK_MODE=copy \
    # The root filesystem may be read-only at run time, where Python could not cache bytecode:
    # compile it now, or every start compiles every module it imports.
    UV_COMPILE_BYTECODE=1
RUN python3 -m venv /opt/uv && /opt/uv/bin/pip install --quiet "uv==${UV_VERSION}"
WORKDIR /src
# The locked runtime packages first, in a layer of their own: a change to the code reuses it.
COPY pyproject.toml uv.lock ./
RUN /opt/uv/bin/uv sync --locked --no-dev --no-install-project
# Then the project, installed into the environment as a package (not a link to /src).
COPY . .
RUN /opt/uv/bin/uv sync --locked --no-dev --no-editable

FROM ${BASE_IMAGE}
ARG VERSION=unknown
ARG REVISION=unknown
ARG SOURCE=unknown
LABEL org.opencontainers.image.title="items-service" \
      org.opencontainers.image.description="The Items service: a REST API for a catalogue of items, on SQLite or PostgreSQL" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      # The project declares no licence yet (pyproject.toml has none): SPDX's "no assertion".
      org.opencontainers.image.licenses="NOASSERTION"

# A numeric user of its own (Kubernetes' runAsNonRoot can check a number, not a name) that owns
# only /data, where the SQLite default keeps its file, its WAL and shared-memory files.
RUN groupadd --gid 10001 items \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin items \
    && mkdir /data && chown 10001:10001 /data
COPY --from=build /opt/items /opt/items

ENV PATH=/opt/items/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=sqlite+aiosqlite:////data/items.db \
    LOG_FORMAT=json \
    # Under the 10 s docker and podman wait after SIGTERM before they SIGKILL: in-flight requests
    # get this long to finish. Raise it together with the runtime's grace (docker/podman run
    # --stop-timeout, compose stop_grace_period, Kubernetes terminationGracePeriodSeconds).
    SHUTDOWN_TIMEOUT=8
USER 10001:10001
EXPOSE 8000
# `items serve` (Granian) stops accepting on SIGTERM and lets in-flight requests finish. Run it with
# an init (--init, compose init: true): as PID 1 itself, a SIGTERM that comes before Granian has
# installed its handler is dropped by the kernel, and the stop waits for SIGKILL.
STOPSIGNAL SIGTERM
# The image has no curl: its own Python asks. HOST=0.0.0.0 includes the loopback it asks on.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/health/live\", timeout=2)"]
ENTRYPOINT ["items"]
CMD ["serve"]
