"""Write prefect.yaml from the deployment registry: the work-pool twin of `campaign serve`.

`python -m deployments.prefect_yaml [year] > prefect.yaml` (year: default the newest campaign
file) renders every entry of STAGE_DEPLOYMENTS (deployments/serve.py) for the `csr-campaign`
process work pool: file entrypoints, cron and interval schedules in Asia/Shanghai (the
`deliver` interval from CAMPAIGN_DELIVER_EVERY_MINUTES when run, the registry's default in the
checked-in file), the default campaign_year, descriptions and tags.
tests/deployments/test_prefect_yaml.py checks that the checked-in prefect.yaml says what the
registry says.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import yaml

from deployments.serve import CAMPAIGN_TIMEZONE, STAGE_DEPLOYMENTS, StageDeployment
from schemas.campaign_file import latest_campaign_year
from schemas.settings import Settings

WORK_POOL = "csr-campaign"
WORKING_DIRECTORY = "{{ $CSR_CAMPAIGN_DIR }}"
HEADER = """\
# The campaign's deployments for a Prefect server with workers (docs/scale-out.md).
# Written by `python -m deployments.prefect_yaml > prefect.yaml` from deployments/serve.py
# (STAGE_DEPLOYMENTS, the deployments `campaign serve` serves); tests/deployments/
# test_prefect_yaml.py fails when the two drift apart.
#
#   prefect work-pool create csr-campaign --type process
#   CSR_CAMPAIGN_DIR=$PWD prefect deploy --all    # from the repository root
#   prefect worker start --pool csr-campaign      # on each machine, as many as you like
#
# Workers run flows from a checkout of this repository at CSR_CAMPAIGN_DIR (the path is
# read when `prefect deploy` runs, so it must be the same on every worker machine), with the
# product installed in the worker's Python and the CAMPAIGN_* settings (workspace on shared
# storage, database URL, SMTP) in the worker's environment: a process worker passes its
# environment to every run. Each season, write the file again for the new campaign year and
# deploy again; an operator can still give any single run another year.

"""


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings (the descriptions) as literal blocks."""


def _text(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def schedule_entries(entry: StageDeployment, timezone: str) -> list[dict[str, Any]]:
    """Return a registry entry's schedules as prefect.yaml writes them (interval in seconds)."""
    if entry.every_minutes:
        return [{"interval": entry.every_minutes * 60, "timezone": timezone, "active": True}]
    return [{"cron": entry.cron, "timezone": timezone, "active": True}] if entry.cron else []


def deployment_entry(
    entry: StageDeployment, campaign_year: int, timezone: str = CAMPAIGN_TIMEZONE
) -> dict[str, Any]:
    """Return one registry entry as a prefect.yaml deployment."""
    return {
        "name": entry.name,
        "entrypoint": entry.entrypoint,
        "description": entry.description,
        "tags": entry.all_tags,
        "parameters": entry.parameters(campaign_year),
        "schedules": schedule_entries(entry, timezone),
        "work_pool": {"name": WORK_POOL, "work_queue_name": "default"},
    }


def render_prefect_yaml(
    campaign_year: int,
    entries: Sequence[StageDeployment] = STAGE_DEPLOYMENTS,
    *,
    deliver_every_minutes: int | None = None,
) -> str:
    """Return the text of prefect.yaml for `campaign_year`. Pure.

    `deliver_every_minutes` replaces the registry's interval (default: the registry's).
    """
    entries = [e.every(deliver_every_minutes) for e in entries]
    document = {
        "name": "csr-campaign",
        "prefect-version": "3.9.1",
        "build": None,
        "push": None,
        "pull": [
            {"prefect.deployments.steps.set_working_directory": {"directory": WORKING_DIRECTORY}}
        ],
        "deployments": [deployment_entry(e, campaign_year) for e in entries],
    }
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return HEADER + str(body)


def main(argv: Sequence[str] = sys.argv[1:]) -> None:
    """Print prefect.yaml for the year given (default: the newest campaign file)."""
    settings = Settings()
    year = int(argv[0]) if argv else latest_campaign_year(settings.campaigns_dir)
    every = settings.deliver_every_minutes
    sys.stdout.write(render_prefect_yaml(year, deliver_every_minutes=every))


if __name__ == "__main__":
    main()
