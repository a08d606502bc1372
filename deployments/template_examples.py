"""One synthetic example row per input kind, for the templates' 填表说明 sheet.

Every value is made up (example.com / example.org addresses, a valid but invented USCC), and
every row passes intake as it stands, so the round-trip test can copy it into the data sheet.
"""

from __future__ import annotations

from schemas.columns import ASSOCIATIONS, ROSTER, InputKind
from schemas.uscc import uscc_check_character

_BODY = "91310115MA1K401A1"  # 17 characters; the 18th is its check character
EXAMPLE_USCC = _BODY + uscc_check_character(_BODY)
EXAMPLE_ASSOCIATION = "A001"


def _values(campaign_year: int) -> dict[str, str]:
    """Return an example value for every column key of every kind, as text. Pure."""
    report_year = campaign_year - 1
    return {
        "action": "回避",
        "agrees_to_publish": "是",
        "association_code": EXAMPLE_ASSOCIATION,
        "attended": "是",
        "attendee": "王示例",
        "attests_compliance": "是",
        "attests_responsibility": "是",
        "campaign_year": str(campaign_year),
        "certifications": "ISO 9001;ISO 14001",
        "code": EXAMPLE_ASSOCIATION,
        "conflict_associations": "",
        "conflict_units": "",
        "contact_name": "王示例",
        "decision": "通过",
        "district": "浦东新区",
        "donations": "12.5",
        "email": "contact@example.com",
        "emissions_tco2e": "1200",
        "employees": "350",
        "employer": "示例大学",
        "energy_tce": "800",
        "file": f"{EXAMPLE_USCC}.pdf",
        "filed_on": f"{campaign_year}-11-10",
        "fiscal_year": str(report_year),
        "industries": "制造业;金融业",
        "industry": "制造业",
        "kind": "企业",
        "listed": "否",
        "max_load": "8",
        "name": "上海示例科技有限公司",
        "operating_cost": "9000",
        "ownership": "民营企业",
        "penalties": "0",
        "phone": "021-62345678",
        "profit": "1500",
        "rd_spend": "600",
        "reason": "示例原因",
        "report_title": f"上海示例科技有限公司{report_year}年度社会责任报告",
        "report_year": str(report_year),
        "revenue": "12000",
        "reviewer_email": "expert@example.org",
        "round": "0",
        "safety_incidents": "0",
        "session_key": "S1",
        "taxes": "800",
        "topics": "环境;员工",
        "total_assets": "50000",
        "total_liabilities": "20000",
        "training_hours": "24",
        "uscc": EXAMPLE_USCC,
        "volunteer_hours": "1000",
    }


def example_row(kind: InputKind, campaign_year: int) -> dict[str, str]:
    """Return the example value of each of a kind's columns, as text. Pure."""
    values = _values(campaign_year)
    if kind is ASSOCIATIONS:
        values["name"] = "上海市示例行业协会"
    if kind is ROSTER:
        values |= {"name": "李示例", "email": "expert@example.org"}
    return {spec.key: values.get(spec.key, "") for spec in kind.columns}
