"""The one settings object: read from the environment once at start-up, then injected."""

import hashlib
import re
from datetime import timedelta
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.sqlalchemy.engine import EngineOptions
from application.create_items import DEFAULT_BATCH_MAX_ITEMS

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./app.db"
_ENGINE = EngineOptions()

# Plain scheme names an operator may type, mapped to the async driver we ship.
_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}
_SUPPORTED = ("memory", "sqlite+aiosqlite", "postgresql+asyncpg")
_ORIGIN = re.compile(r"https?://[^\s/?#@]+")


def _listed(setting: str) -> tuple[str, ...]:
    """A comma-separated setting's entries, blanks dropped."""
    return tuple(entry.strip() for entry in setting.split(",") if entry.strip())


class Settings(BaseSettings):
    # An empty variable (MIGRATE_ON_START=) means unset, as in a shell.
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="memory://, sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db",
    )
    # The engine's settings take their defaults from EngineOptions, which names its fields alike.
    db_pool_size: int = Field(_ENGINE.db_pool_size, ge=1)
    db_pool_timeout: float = Field(
        _ENGINE.db_pool_timeout,
        gt=0,
        description="seconds a request waits for a connection (SQLite: also for its turn to write)",
    )
    db_connect_timeout: float = Field(_ENGINE.db_connect_timeout, gt=0)
    db_pool_pre_ping: bool = Field(
        _ENGINE.db_pool_pre_ping,
        description="ping each pooled connection before use (costs round trips on every request)",
    )
    db_statement_cache: bool = Field(
        _ENGINE.db_statement_cache, description="turn off behind pgbouncer in transaction mode"
    )
    sqlite_synchronous: Literal["NORMAL", "FULL"] = _ENGINE.sqlite_synchronous
    sqlite_busy_timeout: float = Field(
        _ENGINE.sqlite_busy_timeout,
        gt=0,
        description="seconds a write waits for another process's lock before a 503",
    )
    sql_echo: bool = _ENGINE.sql_echo
    db_command_timeout: float = Field(
        _ENGINE.db_command_timeout,
        gt=0,
        description="seconds a PostgreSQL statement may run before it is abandoned",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "text"] = Field(
        "auto", description="auto: readable text on a terminal, JSON lines otherwise"
    )
    shutdown_timeout: int = Field(
        30, gt=0, description="seconds `items serve` lets in-flight requests finish on SIGTERM"
    )
    ready_timeout: float = Field(2.0, gt=0, description="seconds /health/ready waits for the database")
    migrate_on_start: bool | None = Field(
        None, description="upgrade the schema at start-up; unset: yes on SQLite, no on PostgreSQL"
    )
    http_max_header_bytes: int = Field(
        64 * 1024,
        ge=8192,
        description="buffer for the request line and headers: headers not ending in it get 431",
    )
    http_header_timeout: float = Field(
        10.0,
        ge=0.001,
        le=60,
        description="seconds to send a request's headers; also how long an idle connection stays open",
    )
    http_keep_alive: bool = Field(True, description="keep connections open between requests")
    max_body_bytes: int = Field(64 * 1024, ge=1, description="larger request bodies are refused with 413")
    batch_max_items: int = Field(
        DEFAULT_BATCH_MAX_ITEMS, ge=1, description="items one batch create may hold (more: 413)"
    )
    batch_max_body_bytes: int = Field(
        16 * 1024 * 1024, ge=1, description="larger bodies of POST /items/batch are refused with 413"
    )
    idempotency_ttl: float = Field(24 * 3600, gt=0, description="seconds an Idempotency-Key is remembered")
    api_keys: SecretStr = Field(
        SecretStr(""), description="comma-separated bearer keys; when set, writes need one"
    )
    api_keys_for_reads: bool = Field(False, description="with API_KEYS, reads need a key too")
    cursor_secret: SecretStr = Field(
        SecretStr(""), description="signs pagination cursors; default derived from DATABASE_URL"
    )
    docs_enabled: bool = Field(True, description="serve /docs and /redoc (the OpenAPI document stays)")
    cors_origins: str = Field(
        "", description="comma-separated origins browsers may call from (or *); unset: no CORS headers"
    )
    change_retention: float = Field(
        7 * 24 * 3600, gt=0, description="seconds the change feed keeps a change (`items prune-changes`)"
    )
    nats_url: str = Field("nats://127.0.0.1:4222", description="the NATS server `items relay` publishes to")
    relay_stream: str = Field("ITEMS_CHANGES", description="the JetStream stream (created if missing)")
    relay_subject: str = Field(
        "items.changes", description="subject prefix: a change goes to PREFIX.<item id>"
    )
    relay_name: str = Field("default", description="relays of one name share a position; one publishes")
    relay_lease: float = Field(
        10.0, gt=0, description="seconds a relay holds its turn; a standby takes over this long after a crash"
    )
    relay_publish_timeout: float = Field(
        2.0, gt=0, description="seconds to wait for the broker's confirmation"
    )
    relay_duplicate_window: float = Field(
        600.0, gt=0, description="seconds the stream drops a repeated change (a new stream's setting)"
    )
    relay_batch: int = Field(100, ge=1, le=1000, description="changes read per turn of the relay")
    # The OpenTelemetry SDK's own variables: these three decide whether and where spans go; the SDK
    # reads the rest (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, ...) from the environment.
    otel_traces_exporter: str = Field(
        "", description="console, otlp or both (comma-separated): a span per request and per statement"
    )
    otel_sdk_disabled: bool = Field(False, description="true: no tracing, whatever OTEL_TRACES_EXPORTER says")
    otel_exporter_otlp_traces_protocol: str = Field("", description="http/protobuf (default) or grpc")
    otel_exporter_otlp_protocol: str = Field("http/protobuf", description="as above, for every signal")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, level: object) -> object:
        return level.upper() if isinstance(level, str) else level

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        scheme, separator, rest = url.partition("://")
        if not separator:
            raise ValueError("DATABASE_URL must look like scheme://...")
        scheme = _DRIVERS.get(scheme, scheme)
        if scheme not in _SUPPORTED:
            raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r}; use one of {_SUPPORTED}")
        return f"{scheme}://{rest}"

    @field_validator("cors_origins")
    @classmethod
    def _plain_origins(cls, origins: str) -> str:
        # A browser sends its Origin as scheme://host[:port], nothing more: anything else never matches.
        for origin in _listed(origins):
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(f"CORS_ORIGINS: {origin!r} is not an origin like https://app.example.com")
        return origins

    @model_validator(mode="after")
    def _publish_within_the_lease(self) -> Self:
        # A relay publishes only while a publish cannot outlast its lease: with a timeout as long
        # as the lease it would hold its turn and never publish.
        if self.relay_publish_timeout >= self.relay_lease:
            raise ValueError("RELAY_PUBLISH_TIMEOUT must be shorter than RELAY_LEASE")
        return self

    @property
    def migrates_on_start(self) -> bool:
        # The embedded SQLite default sets itself up, so one command runs the service; a shared
        # PostgreSQL schema changes only when an operator says so.
        if self.migrate_on_start is not None:
            return self.migrate_on_start
        return self.database_url.startswith("sqlite")

    @property
    def store_in_process(self) -> bool:
        """Whether the store does its work in this process (SQLite on a thread of it), not in a server
        beside it: work overlapped with the store's then only competes with it for the same CPU."""
        return not self.database_url.startswith("postgresql")

    @property
    def backend(self) -> Literal["memory", "sql"]:
        return "memory" if self.database_url.startswith("memory://") else "sql"

    @property
    def trace_exporters(self) -> tuple[str, ...]:
        """The exporters tracing sends spans to; none (tracing off) unless asked for."""
        if self.otel_sdk_disabled:
            return ()
        names = (name.strip().lower() for name in self.otel_traces_exporter.split(","))
        return tuple(name for name in names if name and name != "none")

    @property
    def otlp_protocol(self) -> str:
        return (self.otel_exporter_otlp_traces_protocol or self.otel_exporter_otlp_protocol).strip()

    @property
    def idempotency_period(self) -> timedelta:
        return timedelta(seconds=self.idempotency_ttl)

    @property
    def bearer_keys(self) -> tuple[str, ...]:
        return _listed(self.api_keys.get_secret_value())

    @property
    def cors_origin_list(self) -> tuple[str, ...]:
        return _listed(self.cors_origins)

    @property
    def cursor_key(self) -> bytes:
        """Every worker of one deployment shares DATABASE_URL, so the derived default is the same
        in all of them and across restarts; CURSOR_SECRET makes cursors unforgeable as well."""
        if secret := self.cursor_secret.get_secret_value():
            return secret.encode()
        return hashlib.sha256(f"items cursor key for {self.database_url}".encode()).digest()

    @property
    def change_retention_period(self) -> timedelta:
        return timedelta(seconds=self.change_retention)
