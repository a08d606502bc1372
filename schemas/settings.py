"""Settings, read once from the environment (prefix CAMPAIGN_) at a flow's or the CLI's entry.

Handed to functions as a value; never a flow parameter (parameters are stored and shown in the
UI). Secrets are SecretStr with no defaults. Paths are resolved to absolute paths at start.
"""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class OutsideWorkspace(ValueError):
    """A path the product was about to use lies outside the workspace; carries both paths.

    A ValueError, so callers that refuse a bad path (the CLI's --folder, the catalogue's stored
    paths) keep catching it as before.
    """

    def __init__(self, path: Path, workspace: Path) -> None:
        self.path = path
        self.workspace = workspace
        super().__init__(f"{path} is outside the workspace {workspace}")


class Settings(BaseSettings):
    """Everything the product reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="CAMPAIGN_", extra="ignore", frozen=True)

    workspace: Path = Field(
        default=Path("workspace"), description="Everything the software writes lives under it."
    )
    database_url: SecretStr = Field(
        default=SecretStr(""),
        description="SQLAlchemy URL (may hold a password); empty means SQLite in the workspace.",
    )
    campaigns_dir: Path = Field(
        default=Path("campaigns"), description="Folder of campaign files <year>.toml."
    )
    timezone: str = Field(default="Asia/Shanghai", description="The campaign's business time zone.")

    mailer: Literal["smtp", "file"] = Field(
        default="file", description="smtp sends over SMTP; file writes .eml files."
    )
    mail_from: str = Field(
        default="csr-campaign@example.org", description="Sender address of every mail."
    )
    mail_from_name: str = Field(default="上海市企业社会责任报告发布会", description="Sender name.")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_user: str = ""
    smtp_password: SecretStr | None = Field(default=None, description="Never logged.")
    smtp_connections: int = Field(default=4, ge=1, le=32)
    smtp_rate_per_second: float = Field(default=0.0, ge=0, description="0 means no limit.")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    pdf_workers: int = Field(default=2, ge=1, le=32, description="Processes screening PDFs.")
    pdf_seconds_per_file: float = Field(default=60.0, gt=0)
    pdf_max_megabytes: int = Field(default=100, ge=1)
    pdf_max_pages: int = Field(default=1000, ge=1)
    delivery_max_attempts: int = Field(default=5, ge=1)
    delivery_lease_seconds: int = Field(default=300, ge=10)
    deliver_every_minutes: int = Field(
        default=10,
        ge=1,
        le=1440,
        description="How often the `deliver` deployment looks for due mail (retries after "
        "backoff, rows recovered from a stopped deliverer).",
    )
    mail_max_message_bytes: int = Field(
        default=10_000_000,
        ge=100_000,
        description="Largest mail accepted into the outbox, as sent: bodies and attachments "
        "after base64 (4/3 of the file size). A larger mail is refused when it is queued.",
    )
    catalogue_url: str = Field(
        default="",
        description="Public address of the catalogue site once published (printed in release "
        "mail); empty leaves the address out.",
    )
    certificate_font: Path | None = Field(
        default=None,
        description="TrueType .ttf/.ttc printed on certificates (default: WenQuanYi Micro Hei).",
    )

    @model_validator(mode="after")
    def _absolute_paths(self) -> "Settings":
        object.__setattr__(self, "workspace", self.workspace.expanduser().resolve())
        object.__setattr__(self, "campaigns_dir", self.campaigns_dir.expanduser().resolve())
        if self.smtp_user and (
            self.smtp_password is None or not self.smtp_password.get_secret_value()
        ):
            raise ValueError("CAMPAIGN_SMTP_USER is set but CAMPAIGN_SMTP_PASSWORD is not")
        return self

    @property
    def effective_database_url(self) -> str:
        """Return the database URL, defaulting to campaign.db in the workspace."""
        url = self.database_url.get_secret_value()
        return url or f"sqlite:///{self.workspace / 'campaign.db'}"

    def campaign_file(self, year: int) -> Path:
        """Return the path of the campaign file for `year`."""
        return self.campaigns_dir / f"{year}.toml"

    def inside_workspace(self, *parts: str) -> Path:
        """Return a path under the workspace; raise OutsideWorkspace if it would escape it."""
        path = self.workspace.joinpath(*parts).resolve()
        if not path.is_relative_to(self.workspace):
            raise OutsideWorkspace(path, self.workspace)
        return path
