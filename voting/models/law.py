"""The legal texts every motion shows: Civil Code art. 278 items, their kinds and
thresholds, and the labels of choices and outcomes (RULES.md §2)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from voting import counting

# --------------------------------------------------------------------------- law texts

# Civil Code art. 278 para 1: the matters owners decide jointly (RULES.md §2).
CIVIL_CODE_ITEMS: dict[int, str] = {
    1: "制定和修改业主大会议事规则",
    2: "制定和修改管理规约",
    3: "选举业主委员会或者更换业主委员会成员",
    4: "选聘和解聘物业服务企业或者其他管理人",
    5: "使用建筑物及其附属设施的维修资金",
    6: "筹集建筑物及其附属设施的维修资金",
    7: "改建、重建建筑物及其附属设施",
    8: "改变共有部分的用途或者利用共有部分从事经营活动",
    9: "有关共有和共同管理权利的其他重大事项",
}
_ITEM_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九"}
SPECIAL_ITEMS = frozenset({6, 7, 8})
ELECTION_ITEMS = frozenset({3})

QUORUM_TEXT = (
    "应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决"
    "（《民法典》第二百七十八条第二款）"
)
ORDINARY_TEXT = (
    "经参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意"
    "（《民法典》第二百七十八条第二款）"
)
SPECIAL_TEXT = (
    "经参与表决专有部分面积四分之三以上的业主且参与表决人数四分之三以上的业主同意"
    "（《民法典》第二百七十八条第二款）"
)
ELECTION_TEXT = (
    "每名候选人须经参与表决专有部分面积过半数的业主且参与表决人数过半数的业主同意；"
    "应选名额按同意人数、再按同意面积依次确定，末位同票的如实公布、不自行决定"
    "（《民法典》第二百七十八条第二款）"
)


def kind_for_item(item: int) -> str:
    """The kind of a motion follows from the art. 278 item it decides (never typed by hand).

    Items 6–8 need three quarters (special); item 3 is an election; items
    1–2, 4–5 and 9 need more than half (ordinary). Fund *use* (item 5) is
    ordinary, raising the fund (item 6) special (RULES.md §2).
    """
    if item not in CIVIL_CODE_ITEMS:
        raise ValueError(f"art. 278 has items 1–9, not {item!r}")
    if item in SPECIAL_ITEMS:
        return counting.SPECIAL
    if item in ELECTION_ITEMS:
        return counting.ELECTION
    return counting.ORDINARY


def legal_basis(item: int) -> str:
    return f"《民法典》第二百七十八条第一款第（{_ITEM_NUMERALS[item]}）项：{CIVIL_CODE_ITEMS[item]}"


def item_name(item: int) -> str:
    """第（一）项“制定和修改业主大会议事规则” — how a message names an art. 278 item."""
    return f"第（{_ITEM_NUMERALS[item]}）项“{CIVIL_CODE_ITEMS[item]}”"


def threshold_text(kind: str) -> str:
    approval = {
        counting.SPECIAL: SPECIAL_TEXT,
        counting.ELECTION: ELECTION_TEXT,
        counting.ORDINARY: ORDINARY_TEXT,
    }[kind]
    return f"参与：{QUORUM_TEXT}；通过：{approval}。"


CHOICE_LABELS = {
    counting.APPROVE: _("同意"),
    counting.REJECT: _("反对"),
    counting.ABSTAIN: _("弃权"),
    counting.INVALID: _("无效"),
}
OUTCOME_LABELS = {
    counting.APPROVED: _("通过"),
    counting.REJECTED: _("未通过"),
    counting.NO_QUORUM: _("参与表决未达法定比例（不成立）"),
    counting.ELECTED: _("选举有效"),
}
