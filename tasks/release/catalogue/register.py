"""The certificate register page of the catalogue (verify.html): what a certificate's QR opens.

A certificate's QR code holds `<certificate_verify_url>?n=<number>`; published with the catalogue,
verify.html answers that number from the register embedded in the page: genuine (the unit's
current certificate), superseded (an earlier issue, naming the newer number) or not ours, and
checks a PDF a reader drops on it against the issued file's SHA-256 in the browser. Only what
the certificate itself prints is in the register (number, unit, issue date), never contacts.
`load_register` reads the database; `render_register_page` is pure.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from schemas.catalogue import CatalogueCampaign
from schemas.release_tables import Certificate
from schemas.tables import Participation, Unit
from tasks.release.catalogue.site import REGISTER_PAGE, environment, script_json

__all__ = ["REGISTER_PAGE", "RegisteredCertificate", "load_register", "render_register_page"]


class RegisteredCertificate(BaseModel):
    """One issued certificate as the public register shows it."""

    model_config = ConfigDict(frozen=True)

    number: str
    unit_name: str
    issued_on: date
    sha256: str
    superseded_by: str = ""  # the newer number when this issue was replaced


def load_register(session: Session, campaign_year: int) -> list[RegisteredCertificate]:
    """Return every certificate issued in the campaign, each naming its newer issue if any."""
    rows = session.exec(
        select(Certificate, Unit.name)
        .join(Participation, col(Participation.id) == col(Certificate.participation_id))
        .join(Unit, col(Unit.id) == col(Participation.unit_id))
        .where(Certificate.campaign_year == campaign_year)
        .order_by(col(Certificate.participation_id), col(Certificate.version))
    ).all()
    newer: dict[tuple[int, int], str] = {(c.participation_id, c.version): c.number for c, _ in rows}
    return [
        RegisteredCertificate(
            number=c.number,
            unit_name=name,
            issued_on=c.issued_on,
            sha256=c.sha256,
            superseded_by=newer.get((c.participation_id, c.version + 1), ""),
        )
        for c, name in rows
    ]


def register_records(register: list[RegisteredCertificate]) -> dict[str, dict[str, str]]:
    """Return the register as the page's JSON: number -> printed facts. Pure."""
    return {
        c.number: {
            "unit": c.unit_name,
            "issued": f"{c.issued_on.year}年{c.issued_on.month}月{c.issued_on.day}日",
            "sha256": c.sha256,
            "newer": c.superseded_by,
        }
        for c in sorted(register, key=lambda c: c.number)
    }


def render_register_page(campaign: CatalogueCampaign, register: list[RegisteredCertificate]) -> str:
    """Return verify.html: a number box (filled from ?n=), the answer and a PDF check. Pure."""
    return (
        environment()
        .get_template("verify.html")
        .render(
            campaign=campaign,
            root="",
            register=True,
            issued=len(register),
            data=script_json(register_records(register)),
        )
    )
