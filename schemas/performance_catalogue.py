"""The 绩效评价 catalogue: the notice's eight dimensions, each indicator, and the thresholds.

The notice (section 七.3) asks the release to sum up how units served national and city strategy,
their social contribution, their responsibility to stakeholders, management level, risk
resistance, revenue growth and cost saving, integrity and R&D input. Each dimension is measured
by the indicators below, computed from the basic-information form, the financial statements and
the report's pre-screen (schemas/performance.py). The thresholds are named here and explained
in docs/performance.md; change them there and here together, and bump `RULES_VERSION` so every
unit is evaluated again. Pure data; no I/O.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict

# Bumped whenever a formula, a threshold or the stored shape changes: it is part of every
# evaluation's fingerprint, so a re-run evaluates every unit again under the new rules.
RULES_VERSION: Final = 1

# A debt ratio (liabilities / assets) above this is flagged, except in financial industries.
DEBT_RATIO_CEILING: Final = 0.70
# Words in a unit's industry that mark it as financial (a bank's balance sheet is mostly debt).
FINANCIAL_INDUSTRY_WORDS: Final = ("金融", "银行", "保险", "证券", "信托", "基金", "期货")
# A report covering fewer than this share of the core topics is flagged.
MIN_CORE_TOPIC_SHARE: Final = 2 / 3
# An operating-cost ratio that rose by more than this (a fraction of revenue) is flagged.
COST_RATIO_TOLERANCE: Final = 0.01

# Certifications counted as management systems: ISO / GB/T management-system standards and
# their Chinese names, IATF 16949, SA8000 and OHSAS 18001. Matched against each listed entry.
MANAGEMENT_SYSTEM_PATTERNS: Final = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"ISO\s*(?:/\s*IEC\s*)?(?:9001|14001|45001|50001|27001|20000|22000|22301|37001|37301"
        r"|28000|13485|55001|10012)",
        r"GB\s*/\s*T\s*(?:19001|24001|45001|23331|27001|29490|23001|35770)",
        r"IATF\s*16949",
        r"SA\s*8000",
        r"OHSAS\s*18001",
        r"管理体系",
    )
)


class Dimension(StrEnum):
    """One of the notice's eight 绩效评价 dimensions (the release summary's headings)."""

    STRATEGY = "strategy"
    SOCIAL_CONTRIBUTION = "social_contribution"
    STAKEHOLDERS = "stakeholders"
    MANAGEMENT = "management"
    RISK = "risk"
    REVENUE_COST = "revenue_cost"
    INTEGRITY = "integrity"
    RD = "rd"


DIMENSION_NAMES: Final[dict[Dimension, tuple[str, str]]] = {
    Dimension.STRATEGY: ("服务国家和本市战略", "service to national and city strategy"),
    Dimension.SOCIAL_CONTRIBUTION: ("社会贡献度", "social contribution"),
    Dimension.STAKEHOLDERS: ("对利益相关方承担的责任", "responsibility to stakeholders"),
    Dimension.MANAGEMENT: ("企业管理水平", "management level"),
    Dimension.RISK: ("抗风险能力", "risk resistance"),
    Dimension.REVENUE_COST: ("增收节支能力", "revenue growth and cost saving"),
    Dimension.INTEGRITY: ("诚信", "integrity"),
    Dimension.RD: ("研发投入", "R&D input"),
}


class Indicator(BaseModel):
    """One indicator: its key, dimension, names, formula, unit, data needed and flag rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    dimension: Dimension
    name_zh: str
    name_en: str
    formula: str
    unit: str
    needs: str  # the data it is computed from
    flag_rule: str = ""  # when its flag is raised; empty when it has no flag


def _i(
    key: str, dim: Dimension, zh: str, en: str, formula: str, unit: str, needs: str, flag: str = ""
) -> Indicator:
    return Indicator(
        key=key,
        dimension=dim,
        name_zh=zh,
        name_en=en,
        formula=formula,
        unit=unit,
        needs=needs,
        flag_rule=flag,
    )


D = Dimension
FORM = "basic-information form"
BOOKS = "financial statements"

INDICATORS: Final[tuple[Indicator, ...]] = (
    _i("focus_areas_covered", D.STRATEGY, "重点领域覆盖", "focus areas covered",
       "focus areas (双碳, 新质生产力) the report covers", "areas", "report pre-screen",
       "no focus area covered"),
    _i("carbon_intensity", D.STRATEGY, "碳排放强度", "carbon intensity",
       "emissions_tco2e / revenue", "tCO2e per 10,000 yuan", f"{FORM}: emissions, revenue"),
    _i("energy_intensity", D.STRATEGY, "能耗强度", "energy intensity",
       "energy_tce / revenue", "tce per 10,000 yuan", f"{FORM}: energy use, revenue"),
    _i("tax_rate", D.SOCIAL_CONTRIBUTION, "税收贡献率", "taxes to revenue",
       "taxes / revenue", "ratio", f"{FORM}: taxes, revenue"),
    _i("social_contribution_rate", D.SOCIAL_CONTRIBUTION, "社会贡献率", "social contribution rate",
       "(taxes + donations) / revenue", "ratio", f"{FORM}: taxes, donations, revenue"),
    _i("social_contribution_per_employee", D.SOCIAL_CONTRIBUTION, "人均社会贡献",
       "social contribution per employee", "(taxes + donations) / employees",
       "10,000 yuan per employee", f"{FORM}: taxes, donations, employees"),
    _i("volunteer_hours_per_employee", D.SOCIAL_CONTRIBUTION, "人均志愿服务时长",
       "volunteer hours per employee", "volunteer_hours / employees", "hours per employee",
       f"{FORM}: volunteer hours, employees"),
    _i("core_topic_coverage", D.STAKEHOLDERS, "核心议题覆盖率", "core topics covered",
       "core topics covered / core topics", "ratio", "report pre-screen",
       f"below {MIN_CORE_TOPIC_SHARE:.0%} (MIN_CORE_TOPIC_SHARE)"),
    _i("training_hours_per_employee", D.STAKEHOLDERS, "人均培训时长",
       "training hours per employee", "training_hours (the form asks it per employee)",
       "hours per employee", f"{FORM}: training hours per employee"),
    _i("certifications", D.MANAGEMENT, "资质认证数量", "certifications",
       "certifications listed on the form", "count", f"{FORM}: certifications"),
    _i("management_systems", D.MANAGEMENT, "管理体系认证数量", "management-system certifications",
       "listed certifications that are management systems (MANAGEMENT_SYSTEM_PATTERNS)",
       "count", f"{FORM}: certifications", "none"),
    _i("debt_ratio", D.RISK, "资产负债率", "debt ratio",
       "total_liabilities / total_assets, latest fiscal year", "ratio",
       f"{BOOKS}: assets, liabilities",
       f"above {DEBT_RATIO_CEILING:.0%} (DEBT_RATIO_CEILING), not for financial industries"),
    _i("profit_margin", D.RISK, "利润率", "profit margin",
       "profit / revenue", "ratio", f"{FORM}: profit, revenue", "a loss (profit below 0)"),
    _i("revenue_growth", D.REVENUE_COST, "营业收入增长率", "revenue growth",
       "(revenue_t - revenue_t-1) / revenue_t-1, latest two consecutive fiscal years", "ratio",
       f"{BOOKS}: revenue of two consecutive years", "revenue fell"),
    _i("cost_ratio_change", D.REVENUE_COST, "营业成本率变动", "change in operating-cost ratio",
       "operating_cost_t / revenue_t - operating_cost_t-1 / revenue_t-1 (below 0 = saving)",
       "ratio points", f"{BOOKS}: revenue and operating cost of two consecutive years",
       f"rose by more than {COST_RATIO_TOLERANCE:.0%} of revenue (COST_RATIO_TOLERANCE)"),
    _i("profit_growth", D.REVENUE_COST, "利润增长率", "profit growth",
       "(profit_t - profit_t-1) / profit_t-1 when profit_t-1 > 0", "ratio",
       f"{BOOKS}: profit of two consecutive years", "profit fell"),
    _i("penalties", D.INTEGRITY, "行政处罚", "administrative penalties",
       "penalties reported on the form", "count", f"{FORM}: penalties", "one or more"),
    _i("safety_incidents", D.INTEGRITY, "安全事故", "safety incidents",
       "safety incidents reported on the form", "count", f"{FORM}: safety incidents",
       "one or more"),
    _i("rd_intensity", D.RD, "研发投入强度", "R&D intensity",
       "rd_spend / revenue", "ratio", f"{FORM}: R&D spend, revenue"),
    _i("rd_growth", D.RD, "研发投入增长率", "R&D growth",
       "(rd_t - rd_t-1) / rd_t-1, latest two consecutive fiscal years", "ratio",
       f"{BOOKS}: R&D spend of two consecutive years", "R&D spend fell"),
)  # fmt: skip

INDICATOR_KEYS: Final = tuple(i.key for i in INDICATORS)
BY_KEY: Final = {i.key: i for i in INDICATORS}
