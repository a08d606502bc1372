"""The synthetic reviewer roster: enough experts to carry k reviews per unit with 20 % spare,
with expertise (industries, campaign topics) and conflicts of interest (association codes,
unit USCCs, and some employed by a participating unit).

Pure: returns values from a seeded `random.Random`; forms.py turns them into roster rows.
"""

from __future__ import annotations

import math
import random

from deployments.demo import names
from deployments.demo.model import Association, Reviewer, Unit

REVIEWER_EMPLOYERS = (
    "上海财经大学商学院",
    "复旦大学管理学院",
    "上海交通大学安泰经济与管理学院",
    "华东理工大学商学院",
    "上海社会科学院",
    "上海市质量协会",
    "上海质量管理科学研究院",
    "上海立信会计金融学院",
    "同济大学经济与管理学院",
    "上海大学管理学院",
)


def make_reviewers(
    seed: int,
    units: list[Unit],
    associations: list[Association],
    topic_keys: list[str],
    reviews_per_report: int,
    employers: list[Unit],
) -> list[Reviewer]:
    """Return about max(6, units/30) reviewers whose loads cover k reviews per unit x 1.2;
    some work for one of `employers` (a same-employer conflict); pure."""
    rng = random.Random(f"{seed}:reviewers")
    count = max(6, round(len(units) / 30))
    needed = math.ceil(reviews_per_report * len(units) * 1.2)
    base = max(1, math.ceil(needed / count))
    loads = [max(1, round(base * rng.uniform(0.9, 1.4))) for _ in range(count)]
    while sum(loads) < needed:
        loads[rng.randrange(count)] += 1
    industries = list(names.INDUSTRIES)
    out = []
    used_emails: set[str] = set()
    for i in range(count):
        name, login = names.person_name(rng)
        email = f"{login}@review.example.org"
        if email in used_emails:
            email = f"{login}{i}@review.example.org"
        used_emails.add(email)
        if employers and rng.random() < 0.12:
            employer = rng.choice(employers).name  # same-employer conflict for the assignment
        else:
            employer = rng.choice(REVIEWER_EMPLOYERS)
        conflict_assoc: tuple[str, ...] = ()
        if associations and rng.random() < 0.3:
            picks = rng.sample(associations, min(len(associations), rng.randint(1, 2)))
            conflict_assoc = tuple(a.code for a in picks)
        conflict_units: tuple[str, ...] = ()
        if units and rng.random() < 0.3:
            picks_u = rng.sample(units, min(len(units), rng.randint(1, 3)))
            conflict_units = tuple(u.uscc for u in picks_u)
        out.append(
            Reviewer(
                name=name,
                email=email,
                employer=employer,
                industries=tuple(rng.sample(industries, rng.randint(1, 3))),
                topics=tuple(rng.sample(topic_keys, min(len(topic_keys), rng.randint(2, 4)))),
                max_load=loads[i],
                conflict_associations=conflict_assoc,
                conflict_units=conflict_units,
            )
        )
    return out
