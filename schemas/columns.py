"""The columns of every input kind operators hand us, defined once (docs/inputs.md mirrors this).

Each column has the Chinese header of our template, the aliases we also accept (English and
common variants), whether the file must have it, and whether it identifies someone (`identity`:
codes, names, contacts): an identity cell must be typed, so a formula or a merged cell spanning
several rows is refused there, while other columns take a formula's value and fill merged cells
down (docs/inputs.md "Normalisation"). Readers match headers after NFKC, trimming
and case-folding, so "USCC", "uscc " and "统一社会信用代码" all find the same column.
"""

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an input file."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    note: str = ""
    identity: bool = False

    def names(self) -> tuple[str, ...]:
        """Return every header text that identifies this column, normalised."""
        return tuple(normalise_header(n) for n in (self.header, self.key, *self.aliases))


@dataclass(frozen=True)
class InputKind:
    """One kind of input file: its title and its columns."""

    key: str
    title: str
    title_en: str
    columns: tuple[ColumnSpec, ...]
    allow_empty: bool = False  # a file with a header and no rows is fine (nothing to change)

    def identity_keys(self) -> frozenset[str]:
        """Return the keys of the columns that identify someone (no formulas, no merging)."""
        return frozenset(c.key for c in self.columns if c.identity)

    def required(self) -> tuple[ColumnSpec, ...]:
        """Return the columns a file of this kind must have."""
        return tuple(c for c in self.columns if c.required)


_MARKS = re.compile(r"^\*+|\*+$|\((必填|选填|required|optional)\)$")


def normalise_header(text: str) -> str:
    """Return a header cell's text in the form used for matching.

    NFKC, case-folded, spaces removed, and the template's marks dropped: a leading or trailing
    `*` and a trailing (必填) or (选填), so "统一社会信用代码*" finds its column.
    """
    folded = "".join(unicodedata.normalize("NFKC", text).casefold().split())
    return _MARKS.sub("", folded)


_USCC = ColumnSpec("uscc", "统一社会信用代码", ("USCC", "信用代码", "credit code"), identity=True)
_UNIT_NAME = ColumnSpec("name", "单位名称", ("unit name", "企业名称", "name"), identity=True)
_CONTACT = ColumnSpec(
    "contact_name", "联系人", ("contact", "contact name"), required=False, identity=True
)
_EMAIL = ColumnSpec("email", "联系邮箱", ("email", "e-mail", "邮箱"), identity=True)
_PHONE = ColumnSpec(
    "phone",
    "联系电话",
    ("phone", "电话", "telephone"),
    required=False,
    note="手机11位，或区号-号码（如 021-62345678）",
    identity=True,
)

ASSOCIATIONS = InputKind(
    "associations",
    "行业协会名单",
    "association list",
    (
        ColumnSpec("code", "协会代码", ("association code", "code"), identity=True),
        ColumnSpec("name", "协会名称", ("association name", "name"), identity=True),
        _CONTACT,
        _EMAIL,
        _PHONE,
    ),
)

RECOMMENDATIONS = InputKind(
    "recommendations",
    "行业协会推荐名单",
    "association recommendation list",
    (
        ColumnSpec("association_code", "推荐协会代码", ("association code", "association")),
        ColumnSpec("campaign_year", "年度", ("campaign year", "year")),
        _USCC,
        _UNIT_NAME,
        ColumnSpec("kind", "单位类型", ("unit kind", "kind"), note="企业 / 事业单位 / 协会"),
        ColumnSpec("district", "所在区", ("district",), required=False),
        ColumnSpec("industry", "所属行业", ("industry", "行业"), required=False),
        ColumnSpec("ownership", "所有制", ("ownership",), required=False),
        ColumnSpec("listed", "是否上市", ("listed",), required=False, note="是 / 否"),
        _CONTACT,
        _EMAIL,
        _PHONE,
        ColumnSpec(
            "attests_compliance",
            "依法注册合规经营",
            ("registered and compliant", "compliant"),
            note="是 / 否：依法注册、合规经营、效益优良",
        ),
        ColumnSpec(
            "attests_responsibility",
            "履行社会责任",
            ("fulfils social responsibility", "responsible"),
            note="是 / 否：切实履行社会责任，获得良好社会效益",
        ),
        ColumnSpec(
            "agrees_to_publish",
            "同意公开发布",
            ("agrees to publish", "publish"),
            note="是 / 否：编制并自愿在指定平台发布社会责任报告",
        ),
    ),
)

RECEIPTS = InputKind(
    "receipts",
    "发布回执表",
    "release receipt",
    (
        _USCC,
        _UNIT_NAME,
        ColumnSpec("report_title", "报告名称", ("report title",)),
        _CONTACT,
        _EMAIL,
        _PHONE,
        ColumnSpec("filed_on", "填报日期", ("filed on", "date"), required=False),
    ),
)

BASIC_INFO = InputKind(
    "basic_info",
    "企业社会责任报告基本信息统计表",
    "basic-information form",
    (
        _USCC,
        _UNIT_NAME,
        ColumnSpec("report_title", "报告名称", ("report title",)),
        ColumnSpec("report_year", "报告年度", ("report year",)),
        ColumnSpec("employees", "员工人数", ("employees",)),
        ColumnSpec("revenue", "营业收入（万元）", ("revenue", "营业收入")),
        ColumnSpec("profit", "利润总额（万元）", ("profit", "利润总额")),
        ColumnSpec("taxes", "纳税总额（万元）", ("taxes", "纳税总额")),
        ColumnSpec("rd_spend", "研发投入（万元）", ("r&d", "rd spend", "研发投入")),
        ColumnSpec("donations", "公益捐赠（万元）", ("donations", "公益捐赠"), required=False),
        ColumnSpec("volunteer_hours", "志愿服务时长（小时）", ("volunteer hours",), required=False),
        ColumnSpec(
            "energy_tce", "综合能耗（吨标准煤）", ("energy tce", "综合能耗"), required=False
        ),
        ColumnSpec(
            "emissions_tco2e", "温室气体排放（吨CO2e）", ("emissions", "碳排放"), required=False
        ),
        ColumnSpec("training_hours", "人均培训时长（小时）", ("training hours",), required=False),
        ColumnSpec("safety_incidents", "安全生产事故（起）", ("safety incidents",), required=False),
        ColumnSpec("penalties", "行政处罚（次）", ("penalties",), required=False),
        ColumnSpec(
            "certifications",
            "管理体系认证",
            ("certifications",),
            required=False,
            note="以分号分隔，如 ISO 9001;ISO 14001",
        ),
    ),
)

FINANCIALS = InputKind(
    "financials",
    "近三年财务报表",
    "financial statements",
    (
        _USCC,
        ColumnSpec("fiscal_year", "会计年度", ("fiscal year", "year")),
        ColumnSpec("revenue", "营业收入（万元）", ("revenue", "营业收入")),
        ColumnSpec("operating_cost", "营业成本（万元）", ("operating cost", "营业成本")),
        ColumnSpec("profit", "利润总额（万元）", ("profit", "利润总额")),
        ColumnSpec("total_assets", "资产总额（万元）", ("total assets", "资产总额")),
        ColumnSpec("total_liabilities", "负债总额（万元）", ("total liabilities", "负债总额")),
        ColumnSpec("rd_spend", "研发投入（万元）", ("r&d", "rd spend", "研发投入"), required=False),
        ColumnSpec("taxes", "纳税总额（万元）", ("taxes", "纳税总额"), required=False),
    ),
)

ROSTER = InputKind(
    "roster",
    "评审专家名单",
    "reviewer roster",
    (
        ColumnSpec("name", "姓名", ("name", "reviewer"), identity=True),
        _EMAIL,
        ColumnSpec("employer", "工作单位", ("employer", "organisation")),
        ColumnSpec("industries", "专长行业", ("industries",), required=False, note="分号分隔"),
        ColumnSpec("topics", "专长议题", ("topics",), required=False, note="分号分隔"),
        ColumnSpec("max_load", "最大评审量", ("max load", "capacity")),
        ColumnSpec("conflict_associations", "回避协会", ("conflict associations",), required=False),
        ColumnSpec("conflict_units", "回避单位", ("conflict units",), required=False),
    ),
)

ATTENDANCE = InputKind(
    "attendance",
    "培训签到表",
    "attendance sheet",
    (
        ColumnSpec("session_key", "培训场次", ("session", "session key")),
        _USCC,
        ColumnSpec("attendee", "参会人", ("attendee", "name"), required=False),
        ColumnSpec("attended", "是否出席", ("attended",), note="是 / 否"),
    ),
)

REPORT_MANIFEST = InputKind(
    "report_manifest",
    "报告文件清单",
    "report file manifest",
    (
        ColumnSpec("file", "文件名", ("file", "file name", "filename")),
        _USCC,
    ),
)

REVIEW_OVERRIDES = InputKind(
    "review_overrides",
    "评审分配调整表",
    "review assignment overrides",
    (
        _USCC,
        ColumnSpec("reviewer_email", "专家邮箱", ("reviewer email", "reviewer")),
        ColumnSpec("action", "操作", ("action",), note="指定 (require) / 回避 (forbid)"),
        ColumnSpec("reason", "原因", ("reason",), required=False),
    ),
    allow_empty=True,
)

CHAIR_DECISIONS = InputKind(
    "chair_decisions",
    "评审组长决定表",
    "review chair decisions",
    (
        _USCC,
        ColumnSpec(
            "decision", "决定", ("decision",), note="通过 (pass) / 修改 (revise) / 不通过 (reject)"
        ),
        ColumnSpec("reason", "理由", ("reason", "原因")),
    ),
    allow_empty=True,
)

REVIEW_ABSENCES = InputKind(
    "review_absences",
    "评审专家缺席登记表",
    "experts recorded absent",
    (
        ColumnSpec("reviewer_email", "专家邮箱", ("reviewer email", "reviewer", "expert email")),
        ColumnSpec(
            "round", "轮次", ("round",), required=False, note="0 = 首轮 (default), 1 = 复核"
        ),
        ColumnSpec(
            "uscc",
            "统一社会信用代码",
            ("USCC", "信用代码", "credit code"),
            required=False,
            note="空 = 该专家该轮的全部报告 (blank = all)",
        ),
        ColumnSpec("reason", "原因", ("reason", "理由")),
    ),
    allow_empty=True,
)

INPUT_KINDS: dict[str, InputKind] = {
    k.key: k
    for k in (
        ASSOCIATIONS,
        RECOMMENDATIONS,
        RECEIPTS,
        BASIC_INFO,
        FINANCIALS,
        ROSTER,
        ATTENDANCE,
        REPORT_MANIFEST,
        REVIEW_OVERRIDES,
        CHAIR_DECISIONS,
        REVIEW_ABSENCES,
    )
}
