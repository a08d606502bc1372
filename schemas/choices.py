"""The values an input column offers as a drop-down in the templates (`campaign template`).

Strict lists are the only values intake accepts (是/否, 单位类型, 操作, 决定); the districts and
industries are offered as suggestions (a warning, not a refusal, in Excel), since intake keeps
whatever text an association writes there. Pure data.
"""

from __future__ import annotations

YES_NO = ("是", "否")
UNIT_KINDS = ("企业", "事业单位", "协会")
OVERRIDE_ACTIONS = ("指定", "回避")
CHAIR_DECISIONS = ("通过", "修改", "不通过")

SHANGHAI_DISTRICTS = (
    "黄浦区",
    "徐汇区",
    "长宁区",
    "静安区",
    "普陀区",
    "虹口区",
    "杨浦区",
    "闵行区",
    "宝山区",
    "嘉定区",
    "浦东新区",
    "金山区",
    "松江区",
    "青浦区",
    "奉贤区",
    "崇明区",
)

# The sections (门类) of GB/T 4754-2017, the national industry classification.
INDUSTRIES = (
    "农、林、牧、渔业",
    "采矿业",
    "制造业",
    "电力、热力、燃气及水生产和供应业",
    "建筑业",
    "批发和零售业",
    "交通运输、仓储和邮政业",
    "住宿和餐饮业",
    "信息传输、软件和信息技术服务业",
    "金融业",
    "房地产业",
    "租赁和商务服务业",
    "科学研究和技术服务业",
    "水利、环境和公共设施管理业",
    "居民服务、修理和其他服务业",
    "教育",
    "卫生和社会工作",
    "文化、体育和娱乐业",
    "公共管理、社会保障和社会组织",
    "国际组织",
)

OWNERSHIP = ("国有企业", "民营企业", "外资企业", "合资企业", "集体企业", "其他")

# column key -> (values, strict): strict lists refuse other values in Excel, the rest warn
CHOICES: dict[str, tuple[tuple[str, ...], bool]] = {
    "listed": (YES_NO, True),
    "attests_compliance": (YES_NO, True),
    "attests_responsibility": (YES_NO, True),
    "agrees_to_publish": (YES_NO, True),
    "attended": (YES_NO, True),
    "kind": (UNIT_KINDS, True),
    "action": (OVERRIDE_ACTIONS, True),
    "decision": (CHAIR_DECISIONS, True),
    "district": (SHANGHAI_DISTRICTS, False),
    "industry": (INDUSTRIES, False),
    "ownership": (OWNERSHIP, False),
}
