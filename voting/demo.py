"""Demo data for the vote: one assembly of the first demo area, open now.

So that ``make run`` shows an owner something to vote on at once, the demo
records the notice as given 20 days ago — past the 15-day notice period
(RULES.md §3) — instead of publishing it: a real notice is dated by its
signed publication, which cannot be backdated, so the demo assembly has no
notice PDF and its rules text says so. Everything else goes through the real
services: the draft, the motions, opening with the frozen roll, the ballots.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

DEMO_TITLE = "2026年第二次业主大会会议（演示）"
RULES_TEXT = (
    "本次会议采用网上表决与书面表决相结合的方式。每个表决权一票，投出后不能更改。"
    "表决结果按《民法典》第二百七十八条计算：参与表决的专有部分面积和人数均须达到三分之二以上。"
    "（演示数据：公告日期按 20 天前模拟，未生成公告 PDF。）"
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


def voting_demo_seed(*, area, convener) -> str:
    """Create, notice (backdated) and open the demo assembly once; return its title."""
    from voting import services
    from voting.models import Assembly

    if Assembly.objects.filter(area=area, title=DEMO_TITLE).exists():
        return DEMO_TITLE
    now = timezone.now()
    assembly = services.assembly_create(
        area=area,
        title=DEMO_TITLE,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=14),
        rules_text=RULES_TEXT,
        actor=convener,
    )
    for motion in MOTIONS:
        services.motion_add(assembly=assembly, actor=convener, **motion)
    # The module docstring: the notice is recorded, not published (demo only).
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.NOTICED, notice_published_at=now - timedelta(days=20)
    )
    assembly.refresh_from_db()
    services.assembly_open(assembly=assembly, actor=convener, now=now)
    return DEMO_TITLE
