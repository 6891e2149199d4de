"""Demo data for the vote: one assembly of the first demo area, open now.

So that ``make run`` shows an owner something to vote on at once, the
assembly is created and its notice published 20 days ago — past the 15-day
notice period (RULES.md §3) — on the back-dated clock the demo passes in
(``gongzhi.demo_history.clock_at``): the signed notice PDF carries that date.
Everything goes through the real services: the draft, the motions, the
notice, opening with the frozen roll.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

from django.utils import timezone

DEMO_TITLE = "2026年第二次业主大会会议（演示）"
RULES_TEXT = (
    "本次会议采用网上表决与书面表决相结合的方式。每个表决权一票，投出后不能更改。"
    "表决结果按《民法典》第二百七十八条计算：参与表决的专有部分面积和人数均须达到三分之二以上。"
)
MOTIONS = (
    {"title": "续聘宿州市安居物业服务有限公司为本小区物业服务企业", "item": 4},
    {"title": "修订《管理规约》第十二条（电动车停放与充电）", "item": 2},
    {"title": "续筹专项维修资金（每平方米20元）", "item": 6},
    {
        "title": "增补业主委员会委员",
        "item": 3,
        "seats": 2,
        "candidates": [
            ("陈明", "1号楼业主，退休工程师"),
            ("刘芳", "3号楼业主，会计"),
            ("黄磊", "5号楼业主"),
        ],
    },
)


def voting_demo_seed(*, area, convener, clock=None) -> str:
    """Create and notice the demo assembly 20 days ago, open it now (once); return its title.

    ``clock(moment)`` is a context manager under which ``timezone.now()`` is
    ``moment``; without it the notice is published now and the assembly opens
    when its notice period has run.
    """
    from voting import services
    from voting.models import Assembly
    from voting.services.common import earliest_open_at

    if Assembly.objects.filter(area=area, title=DEMO_TITLE).exists():
        return DEMO_TITLE
    now = timezone.now()
    noticed = now - timedelta(days=20) if clock else now
    opens_at = now - timedelta(hours=1) if clock else earliest_open_at(now)
    with clock(noticed) if clock else nullcontext():
        assembly = services.assembly_create(
            area=area,
            title=DEMO_TITLE,
            opens_at=opens_at,
            closes_at=opens_at + timedelta(days=15),
            rules_text=RULES_TEXT,
            actor=convener,
        )
        for motion in MOTIONS:
            services.motion_add(assembly=assembly, actor=convener, **motion)
        assembly = services.assembly_notice(assembly=assembly, actor=convener, now=noticed)
    if clock:
        services.assembly_open(assembly=assembly, actor=convener, now=now)
    return DEMO_TITLE
