"""Name pools and makers for synthetic units: companies, people, USCCs, emails and phones.

Everything here is made up. Emails only ever use the reserved example.com / example.org
domains, phone numbers only have the shape of Shanghai numbers, and USCCs are valid in form
(python-stdnum accepts them) but belong to nobody on purpose. Pure: values in, values out; the
caller hands in a seeded `random.Random`. Holds nothing about any campaign year.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from schemas.uscc import uscc_check_character

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class District(NamedTuple):
    """A Shanghai district and its administrative division code."""

    name: str
    code: str


class TradeName(NamedTuple):
    """A two-character trade name and its pinyin."""

    chars: str
    pinyin: str


# Shanghai's 16 districts and their administrative division codes (GB/T 2260).
DISTRICTS: tuple[District, ...] = tuple(
    District(name, code)
    for name, code in (
        ("黄浦区", "310101"),
        ("徐汇区", "310104"),
        ("长宁区", "310105"),
        ("静安区", "310106"),
        ("普陀区", "310107"),
        ("虹口区", "310109"),
        ("杨浦区", "310110"),
        ("闵行区", "310112"),
        ("宝山区", "310113"),
        ("嘉定区", "310114"),
        ("浦东新区", "310115"),
        ("金山区", "310116"),
        ("松江区", "310117"),
        ("青浦区", "310118"),
        ("奉贤区", "310120"),
        ("崇明区", "310151"),
    )
)
DISTRICT_CODES = dict(DISTRICTS)

# Industry -> words that make a company name in that industry.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "装备制造": ("机械", "重工", "精密机械", "自动化设备", "装备科技"),
    "电子信息": ("电子", "微电子", "通信技术", "光电科技", "电子科技"),
    "生物医药": ("生物医药", "医药", "生物科技", "医疗器械", "制药"),
    "汽车": ("汽车零部件", "汽车", "新能源汽车", "汽车电子", "车用系统"),
    "化工": ("化工", "新材料", "精细化工", "涂料", "高分子材料"),
    "钢铁": ("钢铁", "特钢", "金属制品", "钢材", "冶金"),
    "纺织服装": ("纺织", "服饰", "针织", "时装", "家纺"),
    "食品": ("食品", "乳业", "饮料", "粮油", "餐饮管理"),
    "建筑": ("建设", "建筑工程", "建工", "装饰工程", "建筑设计"),
    "交通运输": ("物流", "运输", "航运", "供应链管理", "港务"),
    "金融": ("投资", "融资租赁", "资产管理", "保险代理", "金融服务"),
    "商贸流通": ("商贸", "贸易", "商业", "百货", "连锁超市"),
    "信息服务": ("信息技术", "软件", "网络科技", "数据科技", "智能科技"),
    "能源": ("能源", "电力", "燃气", "新能源", "节能科技"),
    "城市服务": ("环境服务", "物业管理", "城市服务", "市政工程", "水务"),
}
OWNERSHIPS: tuple[tuple[str, float], ...] = (
    ("国有", 0.25),
    ("民营", 0.45),
    ("外资", 0.15),
    ("混合所有制", 0.12),
    ("集体", 0.03),
)
COMPANY_SUFFIXES: tuple[tuple[str, float], ...] = (
    ("有限公司", 0.55),
    ("股份有限公司", 0.2),
    ("集团有限公司", 0.12),
    ("科技有限公司", 0.08),
    ("实业有限公司", 0.05),
)
INSTITUTE_SUFFIXES = ("研究院", "研究所", "检测中心", "技术中心", "设计院", "服务中心")


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """Return `(hanzi, pinyin)` pairs from `"字:zi 字:zi"` text; pure."""
    return tuple((h, p) for h, _, p in (item.partition(":") for item in text.split()))


# Characters that make trade names (字号), with pinyin for email domains.
TRADE_CHARS = _pairs(
    "恒:heng 通:tong 华:hua 鑫:xin 泰:tai 达:da 博:bo 瑞:rui 安:an 康:kang 宏:hong "
    "远:yuan 创:chuang 新:xin 嘉:jia 盛:sheng 源:yuan 丰:feng 德:de 信:xin 汇:hui "
    "联:lian 天:tian 合:he 立:li 中:zhong 金:jin 海:hai 浦:pu 申:shen 明:ming 光:guang "
    "辰:chen 睿:rui 智:zhi 卓:zhuo 越:yue 振:zhen 兴:xing 永:yong 隆:long 腾:teng "
    "弘:hong 毅:yi 凯:kai 东:dong 方:fang 益:yi 阳:yang 锦:jin 润:run 宁:ning 美:mei "
    "佳:jia 鼎:ding 贤:xian 荣:rong 昌:chang 宇:yu 洋:yang 晟:sheng 沪:hu 江:jiang"
)
SURNAMES = _pairs(
    "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou 徐:xu "
    "孙:sun 马:ma 朱:zhu 胡:hu 郭:guo 何:he 林:lin 高:gao 罗:luo 郑:zheng 梁:liang 谢:xie "
    "宋:song 唐:tang 许:xu 韩:han 冯:feng 邓:deng 曹:cao 彭:peng 曾:zeng 肖:xiao 田:tian "
    "董:dong 潘:pan 袁:yuan 蔡:cai 蒋:jiang 余:yu 于:yu 杜:du 叶:ye 程:cheng 魏:wei 沈:shen "
    "顾:gu 陆:lu 钱:qian 姚:yao"
)
GIVEN_CHARS = _pairs(
    "伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong "
    "艳:yan 杰:jie 娟:juan 涛:tao 明:ming 超:chao 秀:xiu 霞:xia 平:ping 刚:gang 桂:gui "
    "英:ying 华:hua 文:wen 慧:hui 婷:ting 浩:hao 宇:yu 欣:xin 晨:chen 颖:ying 斌:bin "
    "佳:jia 俊:jun 建:jian 国:guo 志:zhi 海:hai 燕:yan 雪:xue 琳:lin 峰:feng 鹏:peng "
    "晓:xiao 倩:qian 蕾:lei 辉:hui 帆:fan 锋:feng 萍:ping 玲:ling 丹:dan 亮:liang"
)
UNIT_KINDS: tuple[tuple[str, float], ...] = (("企业", 0.88), ("事业单位", 0.08), ("协会", 0.04))
USCC_PREFIX = {"企业": "91", "事业单位": "12", "协会": "51"}


def weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    """Return one option drawn by weight; no side effects beyond advancing `rng`."""
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def trade_name(rng: random.Random) -> TradeName:
    """Return a two-character trade name and its pinyin; advances `rng` only."""
    (a, pa), (b, pb) = rng.sample(TRADE_CHARS, 2)
    return TradeName(a + b, pa + pb)


def person_name(rng: random.Random) -> tuple[str, str]:
    """Return a fake Chinese person name and a pinyin login for it; advances `rng` only."""
    surname, sp = rng.choice(SURNAMES)
    given = rng.sample(GIVEN_CHARS, rng.choice((1, 2, 2)))
    return surname + "".join(c for c, _ in given), "".join(p for _, p in given) + "." + sp


def company_name(rng: random.Random, kind: str, industry: str) -> tuple[str, str]:
    """Return a unit name fitting its kind and industry plus its trade-name pinyin."""
    trade, pinyin = trade_name(rng)
    if kind == "事业单位":
        field = rng.choice(("工业技术", "质量技术", "环境科学", "产业发展", industry))
        return f"上海市{trade}{field}{rng.choice(INSTITUTE_SUFFIXES)}", pinyin
    if kind == "协会":
        return f"上海市{trade}{industry}促进会", pinyin
    word = rng.choice(INDUSTRIES[industry])
    suffix = weighted(rng, COMPANY_SUFFIXES)
    if word.endswith("科技") and suffix == "科技有限公司":
        suffix = "有限公司"
    return f"上海{trade}{word}{suffix}", pinyin


def unit_email(rng: random.Random, login: str, domain: str) -> str:
    """Return `<login>@<domain>.example.com` (reserved domain only); advances `rng` only."""
    tld = "example.com" if rng.random() < 0.9 else "example.org"
    return f"{login}@{domain}.{tld}"


def phone(rng: random.Random) -> str:
    """Return a made-up number shaped like a Shanghai landline or a mobile; advances `rng`."""
    if rng.random() < 0.6:
        return f"021-{rng.choice('3456')}{rng.randrange(10**6, 10**7):07d}"
    return f"13{rng.randrange(10)}{rng.randrange(10**8):08d}"


def make_uscc(rng: random.Random, kind: str, district_code: str) -> str:
    """Return a valid 18-character USCC for the unit kind and district; advances `rng` only.

    About half the organisation codes are all digits (like old 组织机构代码), so some complete
    codes are all digits too: those are the ones a spreadsheet turns into a number.
    """
    prefix = USCC_PREFIX[kind] + district_code
    if rng.random() < 0.5:
        org = "".join(rng.choice("0123456789") for _ in range(9))
    else:
        org = "MA1" + "".join(rng.choice(USCC_ALPHABET) for _ in range(6))
    body = prefix + org
    return body + uscc_check_character(body)


def break_check_character(rng: random.Random, uscc: str) -> str:
    """Return the USCC with a different (wrong) check character; advances `rng` only."""
    wrong = rng.choice([c for c in USCC_ALPHABET if c != uscc[-1]])
    return uscc[:-1] + wrong


def break_email(rng: random.Random, email: str) -> str:
    """Return a malformed variant of an email that still ends in its reserved domain."""
    local, _, domain = email.partition("@")
    variants = (
        f"{local}#{domain}",
        f"{local}@@{domain}",
        f"{local} {local[:2]}@{domain}",
        f"{local}@.{domain}",
        f"@{domain}",
    )
    return rng.choice(variants)
