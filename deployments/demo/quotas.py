"""How big each association's recommendation file is and in which format it comes.

Sizes stay within the campaign's quota; with problems injected, one file goes over quota by 1-3
rows and one stays under by 1-3, and a third (a normal-sized one) is marked for the wrong year.
About 2/3 of the files are xlsx, the rest CSV (mostly GB18030, some UTF-8 with BOM). Pure.
"""

from __future__ import annotations

import random
from typing import NamedTuple


class FileSizes(NamedTuple):
    """Rows per association's file, and which files are over quota, under it, or for the wrong
    year (indexes into `rows`; None without injected problems)."""

    rows: list[int]
    over: int | None
    under: int | None
    wrong_year: int | None


def file_sizes(rng: random.Random, n: int, rows: int, qmin: int, qmax: int, bad: bool) -> FileSizes:
    """Return rows per association summing to `rows` and the over/under/wrong-year indexes."""
    count = max(1, round(n / ((qmin + qmax) / 2)))
    specials = bad and count >= 4
    over = rng.randint(qmax + 1, qmax + 3) if specials else 0
    under = rng.randint(max(1, qmin - 3), max(1, qmin - 1)) if specials else 0
    fixed, min_regular = (2, 2) if specials else (0, 1)
    rest = rows - over - under
    while rest > (count - fixed) * qmax:
        count += 1
    while count - fixed > min_regular and rest < (count - fixed) * qmin:
        count -= 1
    regular = count - fixed
    lo = qmin if rest >= regular * qmin else 1
    hi = qmax if rest <= regular * qmax else rest
    values = [rng.randint(lo, min(hi, qmax)) for _ in range(regular)]
    while sum(values) != rest:
        i = rng.randrange(regular)
        step = 1 if sum(values) < rest else -1
        if lo <= values[i] + step <= hi:
            values[i] += step
    if not specials:
        return FileSizes(values, None, None, None)
    idx = list(range(count))
    rng.shuffle(idx)
    over_at, under_at, wrong_at = idx[:3]
    it = iter(values)
    targets = [over if i == over_at else under if i == under_at else next(it) for i in range(count)]
    return FileSizes(targets, over_at, under_at, wrong_at)


def file_formats(rng: random.Random, count: int) -> list[str]:
    """Return a file format per association: about 2/3 xlsx, the rest mostly GB18030 CSV."""
    fmts = []
    for _ in range(count):
        roll = rng.random()
        fmts.append("xlsx" if roll < 2 / 3 else "csv-gb18030" if roll < 0.92 else "csv-utf-8-sig")
    wanted = ["xlsx", "csv-gb18030", "csv-utf-8-sig"][: 1 if count < 3 else 2 if count < 6 else 3]
    for fmt in wanted:
        if fmt not in fmts:
            spare = [i for i, f in enumerate(fmts) if fmts.count(f) > 1] or [0]
            fmts[rng.choice(spare)] = fmt
    return fmts
