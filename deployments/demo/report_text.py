"""The words of a synthetic CSR report: the 报告说明, topic sections whose sentences use the
campaign file's keywords, multi-year indicator tables, a materiality analysis and disclosed
shortfalls or incidents, plus endless filler to reach a page count.

Pure: a seeded `random.Random` and plain values in, layout-free blocks out (`reports.py` puts
them on pages). Topics, keywords and standards come from the campaign file; the report year from
the spec, so the same code writes any year's report (and the wrong year's on purpose).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from deployments.demo.report_model import (
    Block,
    Heading,
    PageBreak,
    Para,
    ReportContext,
    ReportSpec,
    Table,
    Topic,
)

CN_NUMERALS = "一二三四五六七八九十"
SENTENCES = (
    "{y}年，公司持续深化{k1}工作，将其纳入年度重点任务，明确牵头部门和责任人。",
    "围绕{k1}，公司建立健全制度体系，全年新订和修订相关制度{n}项。",
    "公司把{k1}作为履行社会责任的重要内容，定期开展专项检查与评估，推动问题闭环整改。",
    "报告期内，公司在{k1}方面投入资金{m}万元，同比增长{p}%。",
    "通过{k1}与{k2}协同推进，公司管理水平和风险防控能力进一步提升。",
    "公司组织开展{k1}专题培训{n}场，覆盖员工{c}人次。",
    "公司以{k1}为抓手，完善考核评价机制，将相关指标纳入各部门年度绩效考核。",
    "对标行业先进水平，公司在{k1}方面的主要指标持续改善，{k2}成效得到利益相关方认可。",
    "公司积极回应利益相关方关于{k1}的期望，通过座谈会、问卷调查等方式听取意见建议。",
    "{y}年，公司围绕{k1}开展了{n}项重点项目，其中{n2}项已完成验收。",
    "公司设立{k1}工作小组，由分管领导担任组长，每季度召开专题会议研究部署。",
    "公司将{k1}要求嵌入业务流程，覆盖采购、生产、销售等主要环节。",
    "公司印发《{k1}管理办法》，进一步规范{k2}的职责分工与工作流程。",
    "下一步，公司将继续加强{k1}，推动{k2}工作再上新台阶。",
)
INTROS = (
    "{t}是公司履行社会责任的重要组成部分。{y}年，公司坚持问题导向和目标导向，系统推进{t}各项工作。",
    "公司高度重视{t}，将其融入发展战略和日常经营管理，努力实现经济效益与社会效益相统一。",
    "面对新形势新要求，公司不断完善{t}工作机制，以高质量的履责实践回应社会期待。",
)
TABLE_FOR_TOPIC = {
    "development": "economic",
    "environment": "environment",
    "green": "environment",
    "employee_care": "social",
    "community": "social",
    "giving_back": "social",
    "new_productive_forces": "innovation",
}
TABLE_TITLES = {
    "economic": "经济绩效",
    "environment": "环境绩效",
    "social": "社会绩效",
    "innovation": "创新绩效",
}


def report_blocks(
    ctx: ReportContext, spec: ReportSpec, rng: random.Random
) -> tuple[int, list[Block], Iterator[Block]]:
    """Return the target page count, the report's blocks and endless filler; pure."""
    pages = rng.randint(4, 12)
    core = [t for t in ctx.topics if t.kind == "core"]
    focus = [t for t in ctx.topics if t.kind != "core"]
    n_core = len(core) if spec.revised else rng.randint(min(3, len(core)), len(core))
    chosen = rng.sample(core, n_core) + rng.sample(focus, rng.randint(0, len(focus)))
    chosen = chosen[: max(3, 2 * (pages - 2))]
    chosen.sort(key=ctx.topics.index)
    blocks: list[Block] = [*_about(ctx, spec, rng), PageBreak()]
    tables_left = dict(TABLE_TITLES)
    for i, topic in enumerate(chosen):
        blocks.append(Heading(f"{CN_NUMERALS[i % 10]}、{topic.name}"))
        blocks += _section(spec, topic, rng)
        kind = TABLE_FOR_TOPIC.get(topic.key)
        if kind in tables_left and rng.random() < 0.6:
            blocks.append(_table(spec, kind, tables_left.pop(kind)))
    if spec.revised or rng.random() < 0.5:
        blocks += _materiality(spec, chosen, rng)
    if spec.revised or rng.random() < (0.75 if spec.safety_incidents or spec.penalties else 0.25):
        blocks += _disclosure(spec, chosen, rng)
    if tables_left and rng.random() < 0.6:
        blocks.append(Heading("关键绩效表"))
        blocks += [_table(spec, kind, title) for kind, title in tables_left.items()]
    return pages, blocks, _filler(spec, chosen or list(ctx.topics), rng)


def paragraph(spec: ReportSpec, keywords: list[str], rng: random.Random, count: int) -> str:
    """Return `count` different sentences, each using one or two of `keywords`; pure."""
    return "".join(sentence(spec, keywords, rng, t) for t in rng.sample(SENTENCES, count))


def sentence(spec: ReportSpec, keywords: list[str], rng: random.Random, template: str) -> str:
    """Return `template` filled with one or two of `keywords` and numbers; pure."""
    k1, k2 = (rng.sample(keywords, 2) if len(keywords) > 1 else keywords * 2)[:2]
    n = rng.randint(2, 15)
    return template.format(
        y=spec.report_year,
        k1=k1,
        k2=k2,
        n=n,
        n2=rng.randint(1, n),
        m=f"{rng.uniform(20, 2000):.1f}",
        p=f"{rng.uniform(1, 25):.1f}",
        c=rng.randint(50, 5000),
    )


def _about(ctx: ReportContext, spec: ReportSpec, rng: random.Random) -> list[Block]:
    """Return the 报告说明 blocks: period, scope, standards cited, data; pure."""
    y = spec.report_year
    usable = [s for s in ctx.standards if not any(a in s.name for a in spec.avoid)]
    cited = rng.sample(usable, min(len(usable), rng.randint(1, 4)))
    basis = "、".join(s.name for s in cited) if cited else "国家及行业有关要求"
    items = [
        f"时间范围：本报告时间范围为{y}年1月1日至{y}年12月31日，部分内容适当追溯以往年份。",
        f"组织范围：本报告以{spec.name}为主体，涵盖公司本部及主要下属单位。",
        f"编制依据：本报告参照{basis}编制。",
        f"数据说明：本报告数据来源于公司内部统计系统及{y}年度财务报告，金额单位为人民币万元。",
        f"称谓说明：为便于表述，报告中“公司”“我们”均指{spec.name}。",
        f"发布形式：本报告为{y}年度报告，以电子版形式在{ctx.campaign_name}期间发布。",
    ]
    if spec.revised:
        items.append(
            "修订说明：本报告为修订版，根据专家评审意见对议题披露和绩效数据进行了补充完善。"
        )
    return [Heading("报告说明"), *(Para(t) for t in items)]


def _section(spec: ReportSpec, topic: Topic, rng: random.Random) -> list[Block]:
    """Return a topic section: an intro and paragraphs using several of its keywords."""
    kws = rng.sample(topic.keywords, min(len(topic.keywords), rng.randint(3, 5)))
    out: list[Block] = [Para(rng.choice(INTROS).format(t=topic.name, y=spec.report_year))]
    for j in range(rng.randint(1, 3)):
        if rng.random() < 0.5:
            out.append(Heading(f"（{CN_NUMERALS[j]}）{kws[j % len(kws)]}", level=2))
        out.append(Para(paragraph(spec, kws, rng, rng.randint(3, 5))))
    return out


def _table(spec: ReportSpec, kind: str, title: str) -> Table:
    """Return a three-year indicator table of one kind from the unit's figures; pure."""
    years = [f for f in spec.figures if spec.report_year - 2 <= f.year <= spec.report_year]
    rows: list[tuple[str, str, list[str]]] = []
    if kind == "economic":
        rows = [
            ("营业收入", "万元", [f"{f.revenue:,.2f}" for f in years]),
            ("利润总额", "万元", [f"{f.profit:,.2f}" for f in years]),
            ("纳税总额", "万元", [f"{f.taxes:,.2f}" for f in years]),
            ("资产总额", "万元", [f"{f.total_assets:,.2f}" for f in years]),
        ]
    elif kind == "environment":
        rows = [
            ("综合能耗", "吨标准煤", [f"{f.energy_tce:,.1f}" for f in years]),
            ("温室气体排放", "吨CO2e", [f"{f.emissions_tco2e:,.1f}" for f in years]),
            (
                "万元营业收入能耗",
                "吨标准煤/万元",
                [f"{f.energy_tce / f.revenue:.4f}" for f in years],
            ),
        ]
    elif kind == "social":
        rows = [
            ("员工总数", "人", [f"{f.employees:,}" for f in years]),
            ("人均培训时长", "小时", [f"{f.training_hours:.1f}" for f in years]),
            ("公益捐赠", "万元", [f"{f.donations:,.2f}" for f in years]),
            ("志愿服务时长", "小时", [f"{f.volunteer_hours:,}" for f in years]),
        ]
    else:
        rows = [
            ("研发投入", "万元", [f"{f.rd_spend:,.2f}" for f in years]),
            ("研发投入强度", "%", [f"{100 * f.rd_spend / f.revenue:.2f}" for f in years]),
        ]
    header = ("指标", "单位", *(f"{f.year}年" for f in years))
    return Table(title, header, tuple((name, unit, *vals) for name, unit, vals in rows))


def _materiality(spec: ReportSpec, chosen: list[Topic], rng: random.Random) -> list[Block]:
    """Return a 实质性议题 analysis: method paragraph and an issue table; pure."""
    issues = [t.name for t in chosen] + [rng.choice(t.keywords) for t in chosen[:4]]
    text = (
        f"公司参照相关标准开展实质性议题识别、评估与排序，通过问卷调查和访谈收集利益相关方意见"
        f"{rng.randint(80, 900)}份，最终确定{spec.report_year}年度实质性议题{len(issues)}项。"
    )
    levels = ("高", "较高", "中")
    rows = tuple((i, rng.choice(levels), rng.choice(levels)) for i in dict.fromkeys(issues))
    return [
        Heading("实质性议题分析"),
        Para(text),
        Table("实质性议题评估结果", ("议题", "对利益相关方的重要性", "对公司发展的重要性"), rows),
    ]


def _disclosure(spec: ReportSpec, chosen: list[Topic], rng: random.Random) -> list[Block]:
    """Return a paragraph disclosing incidents, penalties or a shortfall; pure."""
    texts = []
    if spec.safety_incidents:
        texts.append(
            f"报告期内，公司发生一般生产安全事故{spec.safety_incidents}起，未发生较大及以上事故。"
            "事故发生后，公司立即启动应急预案，查明原因并完成整改，对相关责任人进行了追责。"
        )
    if spec.penalties:
        texts.append(
            f"报告期内，公司受到行政处罚{spec.penalties}次，罚款{rng.uniform(1, 50):.1f}万元。"
            "公司已按要求完成整改，并举一反三开展专项排查。"
        )
    if not texts:
        kws = rng.choice(chosen).keywords if chosen else ["社会责任管理"]
        texts.append(
            f"公司在{rng.choice(kws)}方面仍存在不足：部分下属单位基础工作较为薄弱，"
            "相关数据统计口径尚不统一。下一步，公司将加强制度建设和人员培训，逐步加以改进。"
        )
    return [Heading("不足与改进"), *(Para(t) for t in texts)]


def _filler(spec: ReportSpec, topics: list[Topic], rng: random.Random) -> Iterator[Block]:
    """Yield case studies, stakeholder notes and outlook paragraphs for ever; pure."""
    while True:
        topic = rng.choice(topics)
        kws = list(topic.keywords)
        roll = rng.random()
        if roll < 0.5:
            yield Heading(f"典型案例：{rng.choice(kws)}实践", level=2)
        elif roll < 0.7:
            yield Heading("利益相关方沟通", level=2)
        yield Para(paragraph(spec, kws, rng, rng.randint(2, 4)))
