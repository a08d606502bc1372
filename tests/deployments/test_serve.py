"""The deployment registry: every stage served, the clock and reminders on Shanghai crons,
outbox delivery every few minutes."""

from __future__ import annotations

import importlib.util
import inspect
from datetime import timedelta

import pytest

from deployments.serve import (
    STAGE_DEPLOYMENTS,
    RegisteredFlowMissing,
    StageDeployment,
    build_deployments,
)

STAGES = {"season", "mobilize", "train", "submit", "remind", "review", "commend", "meeting"}
STAGES |= {"release", "deliver"}
SCHEDULED = {"season/campaign-clock": "30 7 * * *", "remind/daily-reminders": "0 10 * * *"}


def built_entries() -> list[StageDeployment]:
    """The registry entries whose flow module exists in this checkout (others are being written)."""
    return [e for e in STAGE_DEPLOYMENTS if importlib.util.find_spec(e.module) is not None]


def full_name(entry: StageDeployment) -> str:
    return f"{entry.function}/{entry.name}"


def test_the_registry_lists_the_nine_stage_flows_and_delivery_once_each() -> None:
    targets = [e.target for e in STAGE_DEPLOYMENTS]

    assert sorted(targets) == sorted(f"flows.{s}:{s}" for s in STAGES)
    assert len({e.name for e in STAGE_DEPLOYMENTS}) == len(STAGE_DEPLOYMENTS)


def test_only_the_clock_and_the_reminders_have_schedules() -> None:
    crons = {full_name(e): e.cron for e in STAGE_DEPLOYMENTS if e.cron}

    assert crons == SCHEDULED


def test_the_reminder_run_fires_daily_after_the_clock_never_with_it() -> None:
    clock = SCHEDULED["season/campaign-clock"].split()
    reminders = SCHEDULED["remind/daily-reminders"].split()

    # minute hour day month weekday: both every day at one fixed time
    assert clock[2:] == reminders[2:] == ["*", "*", "*"]
    assert (int(clock[1]), int(clock[0])) < (int(reminders[1]), int(reminders[0]))


def test_every_description_names_every_parameter_of_its_flow() -> None:
    # Runs created over the API with a wrong parameter name are accepted and then crash, so the
    # description is where operators read the names.
    for entry in built_entries():
        parameters = inspect.signature(entry.load_flow().fn).parameters

        missing = [p for p in parameters if p not in entry.description]

        assert not missing, f"{entry.name}: {missing}"


def test_delivery_runs_every_ten_minutes_for_every_year_and_takes_the_setting() -> None:
    [deliver] = [e for e in STAGE_DEPLOYMENTS if e.every_minutes]

    [default] = build_deployments(2024, entries=[deliver])
    [every_3] = build_deployments(2024, entries=[deliver], deliver_every_minutes=3)

    assert (deliver.target, deliver.name, deliver.cron) == (
        "flows.deliver:deliver",
        "deliver",
        None,
    )
    assert deliver.parameters(2024) == {}
    assert [s.schedule.interval for s in default.schedules] == [timedelta(minutes=10)]
    assert [s.schedule.timezone for s in default.schedules] == ["Asia/Shanghai"]
    assert [s.schedule.interval for s in every_3.schedules] == [timedelta(minutes=3)]
    assert default.description.startswith("邮件投递: ")
    assert "every 10 minutes" in (default.description or "")
    assert "every 3 minutes" in (every_3.description or "")


def test_a_registered_flow_that_does_not_exist_is_an_error_not_a_skip() -> None:
    ghost = StageDeployment("flows.no_such_stage:no_such_stage", "ghost", "Not there.", ())
    not_a_flow = StageDeployment("flows.season:SeasonDay", "not-a-flow", "A model.", ())

    with pytest.raises(RegisteredFlowMissing, match=r"flows\.no_such_stage does not exist"):
        build_deployments(2024, entries=[*built_entries(), ghost])
    with pytest.raises(RegisteredFlowMissing, match="is not a Prefect flow"):
        build_deployments(2024, entries=[not_a_flow])


def test_the_meeting_deployment_waits_days_for_the_decision() -> None:
    meeting = next(e for e in STAGE_DEPLOYMENTS if e.function == "meeting")

    assert meeting.parameters(2024) == {"campaign_year": 2024, "wait_seconds": 14 * 24 * 3600}


def test_the_file_entrypoint_names_the_flow_file() -> None:
    entry = next(e for e in STAGE_DEPLOYMENTS if e.function == "season")

    assert entry.entrypoint == "flows/season.py:season"


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_applied_deployments_read_back_with_names_schedules_and_timezones() -> None:
    from prefect import get_client

    entries = built_entries()
    deployments = build_deployments(2024, entries=entries)
    for deployment in deployments:
        deployment.apply()

    with get_client(sync_client=True) as client:
        stored = {full_name(e): client.read_deployment_by_name(full_name(e)) for e in entries}

    assert {"season/campaign-clock", "remind/daily-reminders"} <= set(stored)
    assert "deliver/deliver" in stored
    for entry in entries:
        found = stored[full_name(entry)]
        when = [
            (getattr(s.schedule, "cron", None), getattr(s.schedule, "interval", None))
            for s in found.schedules
        ]
        zones = {(s.schedule.timezone, s.active) for s in found.schedules}
        every = timedelta(minutes=entry.every_minutes) if entry.every_minutes else None
        assert when == ([(entry.cron, every)] if entry.cron or every else []), entry.name
        assert zones <= {("Asia/Shanghai", True)}
        assert found.parameters == entry.parameters(2024)
        assert found.tags == ["csr-campaign", *entry.tags]
        assert found.description == entry.description
        assert found.entrypoint == f"{entry.module}.{entry.function}"
