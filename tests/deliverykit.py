"""Helpers for delivery tests against the aiosmtpd sink: settings, one run, the scripted handler."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mailkit import Clock, ScriptedStore, factory
from sqlalchemy.engine import Engine

from notifications.delivery import DeliveryReport, deliver
from notifications.mailers import make_mailer
from notifications.sink import SmtpSink
from schemas.settings import Settings


def smtp_settings(workspace: Path, port: int, **overrides: object) -> Settings:
    """Return SMTP settings for a server on 127.0.0.1:`port` (4 connections, 5 s timeout)."""
    values: dict[str, object] = {
        "workspace": workspace,
        "mailer": "smtp",
        "smtp_port": port,
        "smtp_connections": 4,
        "smtp_timeout_seconds": 5.0,
    }
    return Settings(**(values | overrides))  # type: ignore[arg-type]


def run_delivery(
    engine: Engine, settings: Settings, clock: Clock | None = None, **options: object
) -> DeliveryReport:
    """Run one delivery to completion (options go to deliver; `mailer=` replaces the default)."""
    mailer = options.pop("mailer", None) or make_mailer(settings)
    return asyncio.run(
        deliver(factory(engine), mailer, settings, clock=clock or Clock(), **options)  # type: ignore[arg-type]
    )


def scripted(sink: SmtpSink) -> ScriptedStore:
    """Return the sink's ScriptedStore handler, whose replies a test scripts per recipient."""
    assert isinstance(sink.handler, ScriptedStore)
    return sink.handler
