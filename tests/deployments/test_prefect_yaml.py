"""prefect.yaml says what the deployment registry says (the work-pool twin of `campaign serve`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from deployments.prefect_yaml import WORK_POOL, render_prefect_yaml
from deployments.serve import STAGE_DEPLOYMENTS
from schemas.campaign_file import latest_campaign_year

REPO = Path(__file__).resolve().parents[2]


def checked_in() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    return document


def test_prefect_yaml_has_every_registry_deployment_in_the_same_order() -> None:
    deployments = checked_in()["deployments"]

    assert [(d["name"], d["entrypoint"]) for d in deployments] == [
        (e.name, e.entrypoint) for e in STAGE_DEPLOYMENTS
    ]


def test_prefect_yaml_schedules_tags_descriptions_and_parameters_match_the_registry() -> None:
    year = latest_campaign_year(REPO / "campaigns")
    by_name = {d["name"]: d for d in checked_in()["deployments"]}

    for entry in STAGE_DEPLOYMENTS:
        found = by_name[entry.name]
        when = [
            (s.get("cron"), s.get("interval"), s["timezone"], s.get("active", True))
            for s in found["schedules"]
        ]
        every = entry.every_minutes * 60 if entry.every_minutes else None
        expected = [(entry.cron, every, "Asia/Shanghai", True)] if entry.cron or every else []
        assert when == expected, entry.name
        assert found["tags"] == ["csr-campaign", *entry.tags]
        assert found["description"] == entry.description
        assert found["parameters"] == entry.parameters(year)
        assert found["work_pool"]["name"] == WORK_POOL


def test_delivery_runs_every_ten_minutes_on_every_year_and_the_setting_changes_it() -> None:
    checked_in_deliver = next(d for d in checked_in()["deployments"] if d["name"] == "deliver")
    rendered = yaml.safe_load(render_prefect_yaml(2024, deliver_every_minutes=5))
    every_5 = next(d for d in rendered["deployments"] if d["name"] == "deliver")

    assert checked_in_deliver["schedules"] == [
        {"interval": 600, "timezone": "Asia/Shanghai", "active": True}
    ]
    assert checked_in_deliver["parameters"] == {}
    assert every_5["schedules"][0]["interval"] == 300
    assert "every 5 minutes" in every_5["description"]


def test_every_entrypoint_is_a_file_in_the_repository() -> None:
    for d in checked_in()["deployments"]:
        path, _, function = d["entrypoint"].partition(":")

        assert (REPO / path).is_file(), path
        assert f"def {function}(" in (REPO / path).read_text(encoding="utf-8")


def test_workers_pull_by_changing_into_the_checkout() -> None:
    pull = checked_in()["pull"]

    assert pull == [
        {
            "prefect.deployments.steps.set_working_directory": {
                "directory": "{{ $CSR_CAMPAIGN_DIR }}"
            }
        }
    ]


def test_the_checked_in_file_is_the_rendered_one() -> None:
    year = latest_campaign_year(REPO / "campaigns")

    assert (REPO / "prefect.yaml").read_text(encoding="utf-8") == render_prefect_yaml(year)
