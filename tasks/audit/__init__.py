"""`campaign audit`: the season's invariants checked over the stored season (DESIGN.md "Season
integrity"). `load.py` reads the season into a frozen `Snapshot` (one query per table, plus the
files the release and the meeting wrote); the rules (`states.py`, `told.py`, `release.py`,
`outbox.py`) are plain functions over it; `check.py` runs them all; `report.py` words the list
for the command line and for the clock's daily 今日待办 artifact (`daily.py`).
"""
