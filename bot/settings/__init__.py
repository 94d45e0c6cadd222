"""Settings: the one place the environment is read (CONTRACT.md's table, names and defaults exact).

Built once at start; a malformed value is refused with one line naming the variable and the form it
should take, so an operator fixes it without reading a traceback. Secret values are `SecretStr` and
print as `**********`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.settings.cron import cron_trigger

SLACK_ID = re.compile(r"^[USW][A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
BUNDLED_PLAN = Path(__file__).parent.parent / "plan" / "bundled" / "254carbon.yaml"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line fit for an operator."""


def _id_list(value: object, variable: str, allow_star: bool) -> tuple[str, ...]:
    items = [part.strip() for part in str(value or "").split(",") if part.strip()]
    if allow_star and items == ["*"]:
        return ("*",)
    bad = [item for item in items if not SLACK_ID.match(item)]
    if bad:
        star = " or `*`" if allow_star else ""
        raise ValueError(
            f"{variable}: {', '.join(bad)} is not a Slack user or user group ID; "
            f"expected comma-separated IDs like U012ABCDEF or S012ABCDEF{star}"
        )
    return tuple(items)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = Field(None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field("https://slack.com/api/", validation_alias="SLACK_API_URL")
    slack_app_id: str | None = Field(None, validation_alias="SLACK_APP_ID")
    channel: str | None = Field(None, validation_alias="CARBON_CHANNEL")
    http_port: int = Field(3000, validation_alias="CARBON_HTTP_PORT", ge=0, le=65535)
    db_path: Path = Field(Path("./carbon.db"), validation_alias="CARBON_DB")
    plan_path: Path = Field(BUNDLED_PLAN, validation_alias="CARBON_PLAN")
    timezone: str = Field("UTC", validation_alias="CARBON_TIMEZONE")
    digest_cron: str = Field("0 9 * * 1-5", validation_alias="CARBON_DIGEST_CRON")
    risk_interval_s: int = Field(300, validation_alias="CARBON_RISK_INTERVAL_S", ge=10)
    requesters: Annotated[tuple[str, ...], NoDecode] = Field(("*",), validation_alias="CARBON_REQUESTERS")
    approvers: Annotated[tuple[str, ...], NoDecode] = Field((), validation_alias="CARBON_APPROVERS")
    history_days: int = Field(90, validation_alias="CARBON_HISTORY_DAYS", ge=1)
    status_cache_s: float = Field(5.0, validation_alias="CARBON_STATUS_CACHE_S", ge=0, le=300)
    kubeconfig: Path | None = Field(None, validation_alias="KUBECONFIG")
    kube_context: str | None = Field(None, validation_alias="CARBON_KUBE_CONTEXT")
    vault_addr: str | None = Field(None, validation_alias="VAULT_ADDR")
    vault_token: SecretStr | None = Field(None, validation_alias="VAULT_TOKEN")
    vault_role: str | None = Field(None, validation_alias="CARBON_VAULT_ROLE")
    lease_name: str = Field("carbon-leader", validation_alias="CARBON_LEASE_NAME")
    lease_namespace: str | None = Field(None, validation_alias="CARBON_LEASE_NAMESPACE")
    lease_duration_s: int = Field(15, validation_alias="CARBON_LEASE_DURATION_S", ge=3, le=600)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("SLACK_BOT_TOKEN: expected a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("SLACK_APP_TOKEN: expected an app-level token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/]+(/.*)?/$", value):
            raise ValueError("SLACK_API_URL: expected an http(s) URL ending in /, like https://slack.com/api/")
        return value

    @field_validator("slack_app_id")
    @classmethod
    def _app_id(cls, value: str | None) -> str | None:
        if value and not re.match(r"^A[A-Z0-9]{2,}$", value):
            raise ValueError("SLACK_APP_ID: expected an app ID like A012ABCDEF (Basic Information → App ID)")
        return value or None

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value and not CHANNEL_ID.match(value):
            raise ValueError("CARBON_CHANNEL: expected a channel ID like C012ABCDEF (not a #name)")
        return value or None

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"CARBON_TIMEZONE: {value!r} is not an IANA zone; expected e.g. Europe/Berlin") from None
        return value

    @field_validator("digest_cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        try:
            if len(value.split()) != 5:
                raise ValueError
            cron_trigger(value, ZoneInfo("UTC"))
        except ValueError:
            raise ValueError(
                f"CARBON_DIGEST_CRON: {value!r} is not a five-field crontab; expected e.g. '0 9 * * 1-5'"
            ) from None
        return value

    @field_validator("lease_name", "lease_namespace")
    @classmethod
    def _lease_names(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and not re.match(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$", value):
            raise ValueError(f"{value!r} is not a Kubernetes name; expected lowercase letters, digits, '-' or '.', "
                             "like carbon-leader")
        return value or ("carbon-leader" if info.field_name == "lease_name" else None)

    @field_validator("requesters", mode="before")
    @classmethod
    def _requesters(cls, value: object) -> tuple[str, ...]:
        return value if isinstance(value, tuple) else _id_list(value, "CARBON_REQUESTERS", allow_star=True)

    @field_validator("approvers", mode="before")
    @classmethod
    def _approvers(cls, value: object) -> tuple[str, ...]:
        return value if isinstance(value, tuple) else _id_list(value, "CARBON_APPROVERS", allow_star=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def secret(self, name: str) -> str | None:
        """The plain value of a SecretStr setting, for the one place that hands it to a client."""
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else None


_ALIASES = {name: str(field.validation_alias) for name, field in Settings.model_fields.items()}


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and `.env`, or SettingsError with one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_input=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        variable = _ALIASES.get(str(error["loc"][0]), str(error["loc"][0])) if error["loc"] else ""
        if not message.startswith(variable):
            message = f"{variable}: {message}"
        lines.append(message)
    return "; ".join(lines)
