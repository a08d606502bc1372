"""Who takes part in a synthetic season: the units and the associations (reviewers.py: the
reviewers).

Each unit gets its own `random.Random` keyed by the seed and its index, so its data does not
depend on how many units come after it. Names, USCCs and emails are kept unique. Pure: returns
values, writes nothing. Years come from the caller (the campaign file's report year).
"""

from __future__ import annotations

import math
import random

from deployments.demo import names
from deployments.demo.model import Association, Unit, YearFigures

CERTIFICATIONS = ("ISO 9001", "ISO 14001", "ISO 45001", "ISO 50001", "ISO/IEC 27001", "SA8000")
ASSOCIATION_FIELDS = [
    "机械工业",
    "电子信息",
    "生物医药",
    "汽车",
    "化学工业",
    "钢铁",
    "纺织",
    "食品",
    "建筑施工",
    "交通运输",
    "金融",
    "商业联合",
    "软件",
    "能源",
    "物业管理",
    "质量",
    "物流",
    "印刷",
    "家具",
    "五金",
    "日用化学品",
    "包装",
    "工业设计",
    "广告",
    "会展",
    "旅游",
    "烹饪",
    "酒店",
    "零售",
    "连锁经营",
    "电力",
    "燃气",
    "环境保护产业",
    "节能",
    "船舶",
    "航空",
    "集成电路",
    "人工智能",
    "新材料",
    "医疗器械",
    "化妆品",
    "黄金",
    "珠宝玉石",
    "钟表",
    "眼镜",
    "服装",
    "皮革",
    "家用电器",
    "照明电器",
    "仪器仪表",
    "计算机",
    "通信",
    "互联网",
    "数据",
    "安全防范",
    "消防",
    "建材",
    "塑料",
    "橡胶",
    "涂料",
    "造纸",
    "粮食",
    "乳业",
    "酿酒",
    "茶叶",
    "水产",
]
ASSOCIATION_KINDS = (("行业协会", 0.6), ("商会", 0.25), ("同业公会", 0.15))
ENERGY_HEAVY = {"钢铁", "化工", "能源", "装备制造", "汽车", "建筑", "纺织服装", "食品"}
RICH_REVENUE = {"金融", "商贸流通", "能源"}


def make_units(n: int, seed: int, report_year: int) -> list[Unit]:
    """Return `n` units with unique names, USCCs and emails; pure, deterministic per seed."""
    used_names: set[str] = set()
    used_codes: set[str] = set()
    used_emails: set[str] = set()
    units = []
    for i in range(n):
        rng = random.Random(f"{seed}:unit:{i}")
        kind = names.weighted(rng, names.UNIT_KINDS)
        district, code = rng.choice(names.DISTRICTS)
        industry = rng.choice(list(names.INDUSTRIES))
        name, domain = names.company_name(rng, kind, industry)
        for attempt in range(200):
            if name not in used_names:
                break
            name, domain = names.company_name(rng, kind, industry)
            if attempt > 50:
                name = _qualify(name, district)
        used_names.add(name)
        uscc = names.make_uscc(rng, kind, code)
        while uscc in used_codes:
            uscc = names.make_uscc(rng, kind, code)
        used_codes.add(uscc)
        contact, login = names.person_name(rng)
        email = names.unit_email(rng, login, domain)
        while email in used_emails:
            email = names.unit_email(rng, login + str(rng.randrange(10, 100)), domain)
        used_emails.add(email)
        ownership = "国有" if kind == "事业单位" else names.weighted(rng, names.OWNERSHIPS)
        listed = kind == "企业" and rng.random() < 0.15
        units.append(
            Unit(
                index=i,
                uscc=uscc,
                name=name,
                kind=kind,
                district=district,
                industry=industry,
                ownership="" if kind == "协会" else ownership,
                listed=listed,
                contact=contact,
                email=email,
                phone=names.phone(rng),
                report_title=_report_title(rng, name, report_year, listed),
                figures=_figures(rng, industry, report_year),
                safety_incidents=0 if rng.random() < 0.9 else rng.randint(1, 2),
                penalties=0 if rng.random() < 0.93 else 1,
                certifications=tuple(
                    c for c in CERTIFICATIONS if rng.random() < (0.6 if "9001" in c else 0.25)
                ),
            )
        )
    return units


def _qualify(name: str, district: str) -> str:
    """Return the name with its district after 上海(市), to break a name clash; pure."""
    head = "上海市" if name.startswith("上海市") else "上海"
    return head + district.removesuffix("区").removesuffix("新") + name[len(head) :]


def _report_title(rng: random.Random, name: str, year: int, listed: bool) -> str:
    """Return the title a unit gives its report; advances `rng` only."""
    roll = rng.random()
    if listed and roll < 0.3:
        return f"{name}{year}年度环境、社会及治理（ESG）报告"
    if roll < 0.08:
        return f"{name}{year}年度可持续发展报告"
    return f"{name}{year}年度社会责任报告"


def _figures(rng: random.Random, industry: str, report_year: int) -> tuple[YearFigures, ...]:
    """Return four plausible years of figures ending with `report_year`; advances `rng`."""
    employees = min(80_000, max(20, int(math.exp(rng.gauss(6.0, 1.2)))))
    per_head = rng.uniform(200, 800) if industry in RICH_REVENUE else rng.uniform(60, 250)
    revenue = employees * per_head
    growth = rng.gauss(0.06, 0.08)
    margin = rng.gauss(0.07, 0.05)
    gross = rng.uniform(0.12, 0.4)
    tax_rate = rng.uniform(0.03, 0.08)
    rd_rate = rng.uniform(0.03, 0.09) if industry in {"电子信息", "生物医药", "信息服务"} else 0.02
    rd_rate *= rng.uniform(0.3, 1.5)
    asset_ratio = rng.uniform(0.8, 2.5)
    debt_ratio = rng.uniform(0.3, 0.7)
    intensity = rng.uniform(0.04, 0.25) if industry in ENERGY_HEAVY else rng.uniform(0.004, 0.02)
    out = []
    for back in (3, 2, 1, 0):
        year = report_year - back
        rev = revenue / (1 + growth) ** back * rng.uniform(0.97, 1.03)
        staff = max(10, int(employees / (1 + growth / 2) ** back * rng.uniform(0.98, 1.02)))
        assets = rev * asset_ratio
        energy = rev * intensity * 0.97 ** (3 - back)
        out.append(
            YearFigures(
                year=year,
                employees=staff,
                revenue=round(rev, 2),
                # the cost share and the R&D share move a little year on year, as in real books
                # (a fixed share made every R&D growth equal the revenue growth)
                operating_cost=round(rev * (1 - gross - rng.gauss(0, 0.015)), 2),
                profit=round(rev * (margin + rng.gauss(0, 0.01)), 2),
                taxes=round(rev * tax_rate, 2),
                rd_spend=round(rev * rd_rate * rng.uniform(0.85, 1.2), 2),
                total_assets=round(assets, 2),
                total_liabilities=round(assets * debt_ratio, 2),
                donations=round(rev * rng.uniform(0.0002, 0.002), 2),
                volunteer_hours=int(staff * rng.uniform(0.5, 6)),
                energy_tce=round(energy, 1),
                emissions_tco2e=round(energy * rng.uniform(2.4, 2.8), 1),
                training_hours=round(rng.uniform(12, 60), 1),
            )
        )
    return tuple(out)


def make_associations(count: int, seed: int) -> list[Association]:
    """Return `count` associations coded A001, A002, ... with unique names; pure."""
    rng = random.Random(f"{seed}:associations")
    used: set[str] = set()
    out = []
    width = max(3, len(str(count)))
    for i in range(count):
        code = f"A{i + 1:0{width}d}"
        name = ""
        for attempt in range(1000):
            field = rng.choice(ASSOCIATION_FIELDS)
            kind = names.weighted(rng, ASSOCIATION_KINDS)
            where = "" if attempt < 5 else rng.choice(names.DISTRICTS).name
            extra = "" if attempt < 50 else names.trade_name(rng).chars
            name = f"上海市{where}{extra}{field}{kind}"
            if name not in used:
                break
        used.add(name)
        contact, login = names.person_name(rng)
        out.append(
            Association(
                code=code,
                name=name,
                contact=contact,
                email=f"{login}@assoc-{code.lower()}.example.org",
                phone=names.phone(rng),
            )
        )
    return out
