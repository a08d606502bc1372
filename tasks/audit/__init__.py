"""`campaign audit`: the season's invariants checked over the stored season (DESIGN.md "Season
integrity"). `load.py` reads the season into a frozen `Snapshot` (one query per table;
`load_mail.py` the outbox, `files.py` the files the release and the meeting wrote); the rules
(`states.py`, `mail.py`, `release.py`, `commended.py`, `outbox.py`) are plain functions over it;
`check.py` runs them all; `report.py` words the list for the command line and for the clock's
daily 今日待办 artifact (`daily.py`).
"""
