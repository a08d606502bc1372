"""Tests for schemas/settings.py: defaults, the CAMPAIGN_ environment, secrets, the workspace."""

import os
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from schemas.settings import OutsideWorkspace, Settings

SECRET = "hunter2-Pa55word"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No CAMPAIGN_ variable from the machine leaks in; relative paths resolve in tmp_path."""
    for name in list(os.environ):
        if name.upper().startswith("CAMPAIGN_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_workspace_is_absolute_under_the_current_directory(tmp_path: Path) -> None:
    settings = Settings()

    assert settings.workspace == tmp_path.resolve() / "workspace"
    assert settings.workspace.is_absolute()


def test_default_database_is_a_sqlite_file_in_the_workspace(tmp_path: Path) -> None:
    settings = Settings()

    assert settings.database_url.get_secret_value() == ""
    assert (
        settings.effective_database_url == f"sqlite:///{tmp_path.resolve()}/workspace/campaign.db"
    )


def test_defaults_for_mail_and_campaigns(tmp_path: Path) -> None:
    settings = Settings()

    assert (
        settings.campaigns_dir,
        settings.timezone,
        settings.mailer,
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_security,
        settings.smtp_user,
        settings.smtp_password,
        settings.smtp_connections,
        settings.delivery_max_attempts,
        settings.delivery_lease_seconds,
    ) == (
        tmp_path.resolve() / "campaigns",
        "Asia/Shanghai",
        "file",
        "127.0.0.1",
        8025,
        "none",
        "",
        None,
        4,
        5,
        300,
    )


def test_environment_with_the_campaign_prefix_sets_values(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CAMPAIGN_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", "postgresql+psycopg://csr@db.internal/campaign")
    monkeypatch.setenv("CAMPAIGN_MAILER", "smtp")
    monkeypatch.setenv("CAMPAIGN_SMTP_PORT", "2525")
    monkeypatch.setenv("CAMPAIGN_SMTP_CONNECTIONS", "8")

    settings = Settings()

    assert (
        settings.workspace,
        settings.effective_database_url,
        settings.mailer,
        settings.smtp_port,
        settings.smtp_connections,
    ) == (
        tmp_path.resolve() / "ws",
        "postgresql+psycopg://csr@db.internal/campaign",
        "smtp",
        2525,
        8,
    )


def test_variables_without_the_prefix_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSPACE", "/elsewhere")
    monkeypatch.setenv("SMTP_PORT", "25")

    settings = Settings()

    assert (settings.workspace.name, settings.smtp_port) == ("workspace", 8025)


def test_a_relative_workspace_resolves_against_the_current_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CAMPAIGN_WORKSPACE", "data/../season-2024")

    assert Settings().workspace == tmp_path.resolve() / "season-2024"


def test_a_bad_value_in_the_environment_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_SMTP_CONNECTIONS", "0")

    with pytest.raises(ValidationError, match="smtp_connections") as info:
        Settings()

    assert [(e["loc"], e["type"]) for e in info.value.errors()] == [
        (("smtp_connections",), "greater_than_equal")
    ]


def test_settings_are_frozen() -> None:
    settings = Settings()

    with pytest.raises(ValidationError, match="frozen"):
        settings.smtp_port = 25  # type: ignore[misc]


# ---- the SMTP password ---------------------------------------------------------------------------


def test_smtp_password_is_a_secret_that_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_SMTP_USER", "csr-mailer")
    monkeypatch.setenv("CAMPAIGN_SMTP_PASSWORD", SECRET)

    settings = Settings()

    assert isinstance(settings.smtp_password, SecretStr)
    assert (settings.smtp_user, settings.smtp_password.get_secret_value()) == ("csr-mailer", SECRET)
    assert [SECRET in text for text in (repr(settings), str(settings))] == [False, False]
    assert SECRET not in settings.model_dump_json()
    assert "smtp_password=SecretStr('**********')" in repr(settings)


def test_smtp_user_without_a_password_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_SMTP_USER", "csr-mailer")

    with pytest.raises(
        ValidationError, match="CAMPAIGN_SMTP_USER is set but CAMPAIGN_SMTP_PASSWORD is not"
    ) as info:
        Settings()

    assert [e["type"] for e in info.value.errors()] == ["value_error"]


def test_a_password_without_a_user_is_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_SMTP_PASSWORD", SECRET)

    settings = Settings()

    assert (settings.smtp_user, settings.smtp_password) == ("", SecretStr(SECRET))


# ---- paths ------------------------------------------------------------------------------------


def test_campaign_file_is_the_year_in_the_campaigns_dir(tmp_path: Path) -> None:
    assert Settings().campaign_file(2024) == tmp_path.resolve() / "campaigns" / "2024.toml"


def test_inside_workspace_joins_parts_under_the_workspace(tmp_path: Path) -> None:
    settings = Settings()

    path = settings.inside_workspace("reports", "run-1", "rejections.xlsx")

    assert path == tmp_path.resolve() / "workspace" / "reports" / "run-1" / "rejections.xlsx"


def test_inside_workspace_allows_dot_dot_that_stays_inside(tmp_path: Path) -> None:
    settings = Settings()

    path = settings.inside_workspace("reports", "..", "uploads", "a.pdf")

    assert path == tmp_path.resolve() / "workspace" / "uploads" / "a.pdf"


def test_inside_workspace_rejects_dot_dot_out_of_it(tmp_path: Path) -> None:
    settings = Settings()

    with pytest.raises(OutsideWorkspace, match="is outside the workspace") as info:
        settings.inside_workspace("..", "x")

    assert str(info.value) == (
        f"{tmp_path.resolve() / 'x'} is outside the workspace {tmp_path.resolve() / 'workspace'}"
    )
    assert (info.value.path, info.value.workspace) == (
        tmp_path.resolve() / "x",
        tmp_path.resolve() / "workspace",
    )
    assert isinstance(info.value, ValueError)  # the CLI and the catalogue catch ValueError


def test_inside_workspace_rejects_an_absolute_part() -> None:
    settings = Settings()

    with pytest.raises(OutsideWorkspace, match="/etc/passwd is outside the workspace"):
        settings.inside_workspace("uploads", "/etc/passwd")


def test_inside_workspace_rejects_a_sibling_with_the_same_prefix() -> None:
    settings = Settings()

    with pytest.raises(OutsideWorkspace, match=r"workspace-old/a\.pdf is outside the workspace"):
        settings.inside_workspace("..", "workspace-old", "a.pdf")


def test_a_database_password_stays_out_of_the_settings_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPAIGN_DATABASE_URL", "postgresql+psycopg://csr:hunter2@db/campaign")

    settings = Settings()

    assert "hunter2" not in repr(settings)
    assert settings.effective_database_url == "postgresql+psycopg://csr:hunter2@db/campaign"


def test_an_empty_smtp_password_with_a_user_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPAIGN_SMTP_USER", "mailer")
    monkeypatch.setenv("CAMPAIGN_SMTP_PASSWORD", "")

    with pytest.raises(ValueError, match="CAMPAIGN_SMTP_PASSWORD is not"):
        Settings()
