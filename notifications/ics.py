"""Calendar invitations (.ics, RFC 5545) for training sessions: pure text, no I/O.

Every text value is escaped (backslash, semicolon, comma, newlines) and lines are folded at 75
octets, so a session title or place typed in the campaign file cannot break the calendar file.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

PRODID = "-//csr-campaign//training//ZH"
TZID = "Asia/Shanghai"
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape_text(value: str) -> str:
    """Return a TEXT value escaped for iCalendar."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold one content line at 75 octets (UTF-8), never inside a character."""
    out: list[str] = []
    current = ""
    for ch in line:
        limit = 75 if not out else 74  # continuation lines start with a space
        if len((current + ch).encode("utf-8")) > limit:
            out.append(current)
            current = ch
        else:
            current += ch
    out.append(current)
    return "\r\n ".join(out)


def session_invite(
    *,
    uid: str,
    title: str,
    day: date,
    start: time,
    minutes: int,
    place: str,
    link: str,
    organiser: str,
    organiser_email: str,
    stamp: datetime,
) -> str:
    """Return an .ics calendar with one event for a training session (times in Asia/Shanghai)."""
    begin = datetime.combine(day, start)
    end = begin + timedelta(minutes=minutes)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{stamp.strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART;TZID={TZID}:{begin.strftime('%Y%m%dT%H%M%S')}",
        f"DTEND;TZID={TZID}:{end.strftime('%Y%m%dT%H%M%S')}",
        f"SUMMARY:{escape_text(title)}",
        f"ORGANIZER;CN={escape_text(organiser)}:mailto:{escape_text(organiser_email)}",
    ]
    if place:
        lines.append(f"LOCATION:{escape_text(place)}")
    if link:
        lines.append(f"URL:{escape_text(link)}")
        lines.append(f"DESCRIPTION:{escape_text('线上参会链接：' + link)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
