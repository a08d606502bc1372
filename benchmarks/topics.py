"""Benchmark the pre-screen's topic coverage against a trivial keyword baseline, in one run.

Usage: python benchmarks/topics.py [--reports 60] [--seed 1] [--year <campaign>]

Reads the labelled passages of tests/data/topics/ (dev.tsv: the split the lexicons may be tuned
on; heldout.tsv: never tuned on; see its README.md), builds `--reports` synthetic reports per
split from them (seeded: each topic is in a report with probability 1/2, through one to three of
its passages; three to six unlabelled passages are mixed in; three passages a page after a cover
page), and decides each report's topics two ways:
  product   `analyse_text` with the campaign file's lexicons, exclusions and thresholds;
  baseline  each topic's name words as its only keywords (绿色发展与双碳: 绿色发展, 双碳),
            substring matching, one mention enough.
A report covers a topic when one of its passages carries the label. Prints per-topic
precision, recall and F1 and the macro F1 of both, per split, and the matcher's speed; writes
benchmarks/results/topics.json.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from anywhere: make the project importable
    sys.path.insert(0, str(REPO))

from schemas.campaign_file import latest_campaign_year, load_campaign_file  # noqa: E402
from schemas.screening import ScreenRules, rules_from_campaign  # noqa: E402
from tasks.submit.pdf.text import analyse_text, compact, normalise  # noqa: E402
from tasks.submit.pdf.topics import topic_coverage  # noqa: E402

DATA = REPO / "tests" / "data" / "topics"
RESULTS = REPO / "benchmarks" / "results" / "topics.json"
SPLITS = ("dev", "heldout")
PER_PAGE = 3
COVER = "社会责任报告\n本报告由公司编制并发布。欢迎各位读者阅读并提出宝贵意见。"
NAME_SPLIT = re.compile("[与和及、]")
# The lexicons before issue 25 (main 113f01b: substring matching, three mentions for every
# topic): the product as the issue measured it, for a before/after line.
PREVIOUS = {
    "governance": ["组织治理", "公司治理", "董事会", "治理结构", "内部控制", "合规管理"],
    "employee_care": ["员工关爱", "员工福利", "职业健康", "员工培训", "职业发展", "困难员工"],
    "labour_practice": ["用工实践", "劳动合同", "社会保险", "劳动关系", "平等雇佣", "工会"],
    "environment": ["绿色环保", "环境保护", "节能减排", "污染防治", "环境管理体系", "废弃物"],
    "fair_operation": ["公平运营", "反腐败", "公平竞争", "知识产权保护", "供应链管理", "廉洁"],
    "customer_first": ["客户第一", "客户满意", "产品质量", "消费者权益", "客户服务", "质量管理"],
    "community": ["社区参与", "社区服务", "志愿服务", "乡村振兴", "社区共建"],
    "giving_back": ["回报社会", "公益慈善", "捐赠", "慈善", "对口帮扶"],
    "development": ["企业发展", "营业收入", "经营业绩", "高质量发展", "利润总额", "纳税"],
    "green": ["碳达峰", "碳中和", "双碳", "温室气体", "清洁能源", "绿色低碳", "碳排放"],
    "new_productive_forces": [
        "新质生产力", "科技创新", "数字化转型", "研发投入", "数实融合", "数字经济", "智能制造",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class Passage:
    """One labelled passage: its topic keys (empty: about none) and its text."""

    labels: frozenset[str]
    text: str


def read_passages(path: Path, known: set[str]) -> list[Passage]:
    """Return the passages of one split file; raise SystemExit on an unknown topic key."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        labels, _, text = line.partition("\t")
        keys = frozenset() if labels == "-" else frozenset(labels.split(","))
        if not text or keys - known:
            raise SystemExit(f"{path.name}:{number}: bad line (labels {sorted(keys - known)})")
        out.append(Passage(keys, text))
    return out


def build_reports(
    passages: list[Passage], topics: list[str], count: int, seed: int
) -> list[tuple[list[str], frozenset[str]]]:
    """Return `count` synthetic reports (pages, gold topics) from the passages; seeded."""
    rng = random.Random(seed)
    by_topic = {t: [p for p in passages if t in p.labels] for t in topics}
    unlabelled = [p for p in passages if not p.labels]
    reports = []
    for _ in range(count):
        chosen: list[Passage] = []
        for t in topics:
            if by_topic[t] and rng.random() < 0.5:
                k = min(len(by_topic[t]), rng.randint(1, 3))
                chosen += [p for p in rng.sample(by_topic[t], k) if p not in chosen]
        chosen += rng.sample(unlabelled, min(len(unlabelled), rng.randint(3, 6)))
        rng.shuffle(chosen)
        gold = frozenset(t for p in chosen for t in p.labels)
        pages = [COVER] + [
            "\n".join(p.text for p in chosen[i : i + PER_PAGE])
            for i in range(0, len(chosen), PER_PAGE)
        ]
        reports.append((pages, gold))
    return reports


def baseline_rules(rules: ScreenRules) -> ScreenRules:
    """Return the rules with each topic's name words as its only keywords, one mention
    enough, no exclusions; pure."""
    topics = tuple(
        t.model_copy(
            update={
                "keywords": [w for w in NAME_SPLIT.split(t.name) if w],
                "exclude": [],
                "min_hits": 1,
            }
        )
        for t in rules.topics
    )
    return rules.model_copy(update={"topics": topics})


def previous_rules(rules: ScreenRules) -> ScreenRules:
    """Return the rules with the lexicons before issue 25 (PREVIOUS), three mentions each, no
    exclusions; pure."""
    topics = tuple(
        t.model_copy(update={"keywords": PREVIOUS[t.key], "exclude": [], "min_hits": 3})
        for t in rules.topics
    )
    return rules.model_copy(update={"topics": topics})


def dev_words_only(rules: ScreenRules, dev_text: str) -> ScreenRules:
    """Return the rules keeping only the keywords that occur in the dev split's text: the
    lexicon a tuner who never saw the held-out split could at least justify (a lower bound on
    the held-out figure, since the same person wrote both splits and the lexicons); pure."""
    topics = tuple(
        t.model_copy(
            update={
                "keywords": [k for k in t.keywords if k in dev_text] or [t.name],
                "exclude": [
                    w for w in t.exclude if any(k in w for k in t.keywords if k in dev_text)
                ],
            }
        )
        for t in rules.topics
    )
    return rules.model_copy(update={"topics": topics})


def scores(
    reports: list[tuple[list[str], frozenset[str]]], decided: list[set[str]], topics: list[str]
) -> dict[str, object]:
    """Return per-topic precision, recall, F1 and support, and the macro averages; pure."""
    per: dict[str, dict[str, float]] = {}
    for t in topics:
        tp = sum(
            1 for (_, gold), got in zip(reports, decided, strict=True) if t in gold and t in got
        )
        fp = sum(
            1 for (_, gold), got in zip(reports, decided, strict=True) if t not in gold and t in got
        )
        fn = sum(
            1 for (_, gold), got in zip(reports, decided, strict=True) if t in gold and t not in got
        )
        p = tp / (tp + fp) if tp + fp else (0.0 if tp + fn else 1.0)  # nothing found: 0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        per[t] = {
            "precision": round(p, 3),
            "recall": round(r, 3),
            "f1": round(f1, 3),
            "support": tp + fn,
        }
    macro = {
        m: round(sum(v[m] for v in per.values()) / len(per), 3)
        for m in ("precision", "recall", "f1")
    }
    return {"per_topic": per, "macro": macro}


def decide(reports: list[tuple[list[str], frozenset[str]]], rules: ScreenRules) -> list[set[str]]:
    """Return the topics the screen finds covered in each report, with these rules."""
    return [{c.key for c in analyse_text(pages, rules).topics if c.covered} for pages, _ in reports]


def matcher_speed(rules: ScreenRules, reports: list[tuple[list[str], frozenset[str]]]) -> float:
    """Return the topic matcher's speed in thousands of characters per second."""
    pages = [compact(normalise(p)) for pages, _ in reports for p in pages] * 20
    chars = sum(len(p) for p in pages)
    started = time.perf_counter()
    topic_coverage(rules, pages)
    return round(chars / (time.perf_counter() - started) / 1000, 1)


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark on both splits; write benchmarks/results/topics.json; print tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=None, help="campaign year (default: newest)")
    args = parser.parse_args(argv)
    year = args.year or latest_campaign_year(REPO / "campaigns")
    rules = rules_from_campaign(load_campaign_file(REPO / "campaigns" / f"{year}.toml"))
    topics = [t.key for t in rules.topics]
    result: dict[str, object] = {
        "benchmark": "topics",
        "campaign_year": year,
        "reports": args.reports,
    }
    for split in SPLITS:
        passages = read_passages(DATA / f"{split}.tsv", set(topics))
        reports = build_reports(passages, topics, args.reports, args.seed)
        product = scores(reports, decide(reports, rules), topics)
        baseline = scores(reports, decide(reports, baseline_rules(rules)), topics)
        before = scores(reports, decide(reports, previous_rules(rules)), topics)
        result[split] = {
            "passages": len(passages),
            "product": product,
            "baseline": baseline,
            "product_before_issue_25": before,
        }
        print(f"\n[{split}] {len(passages)} passages, {len(reports)} reports")
        print(f"{'topic':24} {'product P/R/F1':>20} {'baseline P/R/F1':>20} support")
        for t in topics:
            a, b = product["per_topic"][t], baseline["per_topic"][t]  # type: ignore[index]
            print(
                f"{t:24} {a['precision']:>6} {a['recall']:>6} {a['f1']:>6} "
                f"{b['precision']:>6} {b['recall']:>6} {b['f1']:>6} {a['support']:>5}"
            )
        print(
            f"macro F1: product {product['macro']['f1']}, baseline {baseline['macro']['f1']}, "  # type: ignore[index]
            f"product before issue 25 {before['macro']['f1']}"  # type: ignore[index]
        )
        if split == "heldout":
            dev_text = (DATA / "dev.tsv").read_text(encoding="utf-8")
            bound = scores(reports, decide(reports, dev_words_only(rules, dev_text)), topics)
            result[split]["product_dev_words_only"] = bound  # type: ignore[index]
            print(f"product with dev-attested words only: macro F1 {bound['macro']['f1']}")  # type: ignore[index]
    speed_reports = build_reports(
        read_passages(DATA / "dev.tsv", set(topics)), topics, 20, args.seed
    )
    result["matcher_kchars_per_second"] = matcher_speed(rules, speed_reports)
    result["timestamp"] = datetime.now(UTC).isoformat(timespec="seconds")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"matcher: {result['matcher_kchars_per_second']} k chars/s -> {RESULTS.relative_to(REPO)}"
    )
    return result


if __name__ == "__main__":
    main()
