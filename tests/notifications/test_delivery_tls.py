"""Delivery over STARTTLS and implicit TLS to a real aiosmtpd server with a fresh certificate."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from deliverykit import run_delivery, smtp_settings
from mailkit import T0, Clock, queue, received
from outboxkit import outbox_rows
from sqlalchemy.engine import Engine

from notifications.mailers import SmtpMailer, make_mailer
from notifications.sink import SmtpSink
from schemas.campaign_file import CampaignFile
from schemas.settings import Settings


def _mailer(settings: Settings, **options: object) -> SmtpMailer:
    mailer = make_mailer(settings)
    assert isinstance(mailer, SmtpMailer)
    for name, value in options.items():
        setattr(mailer, f"_{name}", value)
    return mailer


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_implicit_tls_deliver(
    security: str, engine: Engine, campaign_2024: CampaignFile, workspace: Path, tmp_path: Path
) -> None:
    cert, key = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    client_context = ssl.create_default_context(cafile=str(cert))
    options: dict[str, object] = (
        {"tls_context": server_context, "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": server_context}
    )
    queue(engine, campaign_2024, workspace, 2)
    with SmtpSink(workspace / "sink", **options) as server:
        settings = smtp_settings(workspace, server.port, smtp_security=security)
        plain = (
            run_delivery(engine, smtp_settings(workspace, server.port), Clock(T0))
            if security == "starttls"
            else None
        )
        report = run_delivery(
            engine,
            settings,
            Clock(T0 + dt.timedelta(minutes=5)),
            mailer=_mailer(settings, tls_context=client_context),
        )
        count = len(received(server.folder))

    assert (report.sent, count) == (2, 2), [r.last_error for r in outbox_rows(engine)]
    if plain is not None:  # a server that requires STARTTLS refuses a plain conversation
        assert (plain.sent, plain.retried, plain.failed) == (0, 0, 0)
        assert plain.configuration_error is not None
        assert plain.configuration_error.startswith("MAIL FROM: SMTPSenderRefused: 530 ")
