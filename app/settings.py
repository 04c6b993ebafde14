"""Settings from the environment and `.env` (pydantic-settings). Built only by entry points."""

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
# The placeholders .env.example ships with: a copied, unedited .env is named, not sent to Slack.
EXAMPLE_VALUES = {
    "SLACK_BOT_TOKEN": "xoxb-...",
    "SLACK_SIGNING_SECRET": "...",
    "SLACK_APP_TOKEN": "xapp-...",
}


def psycopg_url(url: str) -> str:
    """`postgres://` and `postgresql://` (as hosting providers give them) mean psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


DEFAULT_POOL_CAP = 32
# Slack calls sent at once, by default: the clock mostly waits for Slack (100-300 ms a call)
# when a tick sends hundreds of notices; a web worker's sends share its CPU with the acks.
DELIVERY_THREADS = {"clock": 64, "other": 16}
POOLED_DELIVERY = 16  # delivery threads counted for the pool (they hold a connection briefly)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = SLACK_DEFAULT_API_URL
    database_url: str = "sqlite:///relay.db"
    database_pool_recycle_seconds: int = 1800  # reopen pooled connections older than this
    database_pool_size: int | None = Field(default=None, ge=1)  # connections per process at most
    relay_playbook: str = "playbook.yml"
    log_format: str = Field(default="console", pattern="^(console|json)$")
    log_level: str = "info"
    port: int = 3000
    listener_threads: int = 32
    delivery_threads: int | None = Field(default=None, ge=1)  # Slack calls of lanes at once
    clock_tick_seconds: float = 10.0
    outbox_lease_seconds: float = 60.0  # a claimed row is retried after this if its sender died
    outbox_retry_hours: float = 24.0  # transient Slack failures are retried this long
    metrics_token: SecretStr | None = None  # /metrics wants `Authorization: Bearer <this>`

    @field_validator("database_url")
    @classmethod
    def _psycopg_url(cls, url: str) -> str:
        return psycopg_url(url)

    def _needed_for(self, mode: str) -> dict[str, SecretStr | None]:
        needed = {"SLACK_BOT_TOKEN": self.slack_bot_token}
        if mode == "http":
            needed["SLACK_SIGNING_SECRET"] = self.slack_signing_secret
        elif mode == "socket":
            needed["SLACK_APP_TOKEN"] = self.slack_app_token
        return needed

    def listener_threads_for(self, mode: str) -> int:
        """LISTENER_THREADS, and none in the clock (it answers no Slack request)."""
        return 0 if mode == "clock" else self.listener_threads

    def delivery_threads_for(self, mode: str) -> int:
        """DELIVERY_THREADS, else 64 in the clock and 16 in the other processes."""
        return self.delivery_threads or DELIVERY_THREADS["clock" if mode == "clock" else "other"]

    def pool_size_for(self, mode: str) -> int:
        """PostgreSQL connections one process may hold: DATABASE_POOL_SIZE, else one for each
        thread that uses the database (the clock runs no listeners; delivery threads count
        up to 16: they hold a connection to claim and record a row, never while Slack
        answers), at most 32, so that the Procfile's two web workers and clock stay under a
        default server's 100 connections. Threads past the pool wait for a free connection
        (transactions are short)."""
        if self.database_pool_size:
            return self.database_pool_size
        delivery = min(POOLED_DELIVERY, self.delivery_threads_for(mode))
        return min(DEFAULT_POOL_CAP, self.listener_threads_for(mode) + delivery + 2)

    def missing_for(self, mode: str) -> list[str]:
        """Environment variables that `mode` ("http", "socket" or "clock") still needs."""
        needed = self._needed_for(mode)
        return [name for name, value in needed.items() if not value or not value.get_secret_value()]

    def examples_for(self, mode: str) -> list[str]:
        """Variables that `mode` needs which still hold .env.example's placeholder."""
        needed = self._needed_for(mode)
        return [
            name
            for name, value in needed.items()
            if value and value.get_secret_value().strip() == EXAMPLE_VALUES[name]
        ]
