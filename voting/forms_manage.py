"""Forms of the committee's assembly pages (voting/views/manage*.py).

They parse input only. Whatever a rule decides — a title that is missing or
too long, a window that closes before it opens, a scope naming an unknown
building, the seats of an election, a file that is not a PDF or an image,
a ballot without any answer — is left to the services, whose
``DomainError`` messages the views put back on these fields. That is why
most fields here are ``required=False``: an empty title must reach
``assembly_create`` and come back with *its* message, not Django's.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import DistrictDateTimeField
from voting import counting, scoperule
from voting.models import CIVIL_CODE_ITEMS, Assembly, kind_for_item

KIND_SHORT = {
    counting.ORDINARY: _("一般事项：参与表决面积、人数均过半数同意"),
    counting.SPECIAL: _("特别事项：参与表决面积、人数均四分之三以上同意"),
    counting.ELECTION: _("选举：每名候选人须参与表决面积、人数均过半数同意"),
}
_NUMERALS = "一二三四五六七八九"
# Unit codes may be pasted from a spreadsheet: one per line, or separated by commas or 、.
_CODE_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


class UploadField(forms.FileField):
    """A PDF or image to attach. Not checked here: the service checks type, size and content
    (``core.uploads.validate_upload``), so an empty or missing file comes back with its message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})
        )
        super().__init__(**kwargs)


def split_codes(text: str) -> list[str]:
    return [part.strip() for part in _CODE_SEPARATORS.split(text or "") if part.strip()]


# --------------------------------------------------------------------------- assembly


class AssemblyForm(forms.Form):
    """Title, convener, scope, voting window and rules text of a draft (``assembly_create``)."""

    WHOLE, PART = "area", "part"

    title = forms.CharField(
        label=_("会议名称"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：2026年第一次业主大会会议")}),
    )
    convener = forms.CharField(
        label=_("召集人"),
        required=False,
        help_text=_("留空则为本区域的业委会/物管会（无业委会的区域为街道/社区）。"),
    )
    scope = forms.ChoiceField(
        label=_("表决范围"),
        choices=[
            (WHOLE, _("全体业主（整个物业管理区域）")),
            (PART, _("列支范围：部分楼栋或单元（如某栋楼的维修）")),
        ],
        initial=WHOLE,
        widget=forms.RadioSelect,
    )
    scope_buildings = forms.MultipleChoiceField(
        label=_("列支范围内的楼栋"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope_unit_codes = forms.CharField(
        label=_("列支范围内的其他房屋"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "1栋-1单元-101\n1栋-1单元-102"}),
        help_text=_(
            "每行一个房屋编码（也可用逗号或顿号分隔）。一个单元（楼梯）请逐户列出，"
            "不能挑选个别房屋。写错的楼栋或编码会被拒绝，不会悄悄缩小表决范围。"
            "部分范围只能表决第五至第八项。"
        ),
    )
    opens_at = DistrictDateTimeField(
        label=_("表决开始时间"),
        required=False,
        help_text=_("北京时间。公告发布之日不计入，须满公告期后才能开始表决。"),
    )
    closes_at = DistrictDateTimeField(
        label=_("表决截止时间"),
        required=False,
        help_text=_("北京时间。截止后提交的表决票（含纸质票）一律不予接受。"),
    )
    rules_text = forms.CharField(
        label=_("表决规则"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("印在会议公告上，如投票方式、纸质票的领取与交回地点。"),
    )

    def __init__(self, *args, buildings: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_buildings"].choices = [(name, name) for name in buildings]
        if not buildings:
            self.fields["scope_buildings"].help_text = _("本区域台账中还没有楼栋。")

    @classmethod
    def initial_for(cls, assembly: Assembly) -> dict:
        return {
            "title": assembly.title,
            "convener": assembly.convener,
            "scope": cls.WHOLE if assembly.whole_area else cls.PART,
            "scope_buildings": list(assembly.scope_buildings),
            "scope_unit_codes": "\n".join(assembly.scope_unit_codes),
            "opens_at": assembly.opens_at,
            "closes_at": assembly.closes_at,
            "rules_text": assembly.rules_text,
        }

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.WHOLE:
            data["scope_buildings"], data["scope_unit_codes"] = [], ""
        elif data.get("scope") == self.PART and not (
            data.get("scope_buildings") or split_codes(data.get("scope_unit_codes", ""))
        ):
            # Both lists empty means the whole area to the service: say so rather than
            # turn a 列支范围 vote into an all-owners vote behind the user's back.
            self.add_error("scope", _("选择了列支范围，请勾选楼栋或填写房屋编码。"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "convener": data["convener"],
            "rules_text": data["rules_text"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "scope_buildings": list(data["scope_buildings"]),
            "scope_unit_codes": split_codes(data["scope_unit_codes"]),
        }


# --------------------------------------------------------------------------- motions


def item_label(item: int) -> str:
    kind = kind_for_item(item)
    return f"（{_NUMERALS[item - 1]}）{CIVIL_CODE_ITEMS[item]} — {KIND_SHORT[kind]}"


class MotionForm(forms.Form):
    """A motion: the art. 278 item is chosen, the kind follows from it (``kind_for_item``)."""

    item = forms.ChoiceField(
        label=_("《民法典》第二百七十八条第一款事项"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("议题类型和通过条件由所选事项决定，不能另行填写。"),
    )
    title = forms.CharField(label=_("议题"), required=False)
    description = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如维修项目、预算、列支范围；会印在公告和表决票上。"),
    )
    seats = forms.IntegerField(
        label=_("应选名额"),
        required=False,
        help_text=_("仅选举议题（第三项）填写。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    candidates = forms.CharField(
        label=_("候选人"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "张三：3栋业主\n李四"}),
        help_text=_("仅选举议题填写。每行一名；姓名后可加“：”写简介。"),
    )
    # RULES.md §1 "Scope" (voting.scoperule): only items 5–8 fill these in.
    scope_buildings = forms.MultipleChoiceField(
        label=_("列支范围或涉及的楼栋（第五至第八项）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "第五、六项：费用由哪些业主承担（列支范围），须与本次会议的表决范围相同；"
            "不勾选、不填写即为全体业主。第七、八项：改建或改变用途的部位属于哪些楼栋。"
        ),
    )
    scope_unit_codes = forms.CharField(
        label=_("列支范围或涉及的单元（逐户列出房屋编码）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "1栋-1单元-101\n1栋-1单元-102"}),
        help_text=_("按单元（楼梯）列出时，须列出该单元的全部房屋，不能挑选个别房屋。"),
    )
    common_parts = forms.MultipleChoiceField(
        label=_("涉及的全区域共有部分（第七、八项）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(scoperule.AREA_WIDE_PARTS.items()),
        help_text=_("涉及这些部位的议题须由全体业主（整个物业管理区域）表决。"),
    )

    def __init__(self, *args, buildings: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(str(n), item_label(n)) for n in CIVIL_CODE_ITEMS]
        self.fields["scope_buildings"].choices = [(name, name) for name in buildings]

    def candidate_list(self) -> list[tuple[str, str]]:
        people = []
        for line in (self.cleaned_data.get("candidates") or "").splitlines():
            if not line.strip():
                continue
            name, *statement = re.split(r"[:：]", line, maxsplit=1)
            people.append((name.strip(), "".join(statement).strip()))
        return people

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "item": data["item"] or None,
            "description": data["description"],
            "seats": data["seats"],
            "candidates": self.candidate_list(),
            "scope_buildings": list(data["scope_buildings"]),
            "scope_unit_codes": split_codes(data["scope_unit_codes"]),
            "common_parts": list(data["common_parts"]),
        }


class AttachmentForm(forms.Form):
    title = forms.CharField(
        label=_("名称"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：维修方案及预算")}),
    )
    file = UploadField(label=_("文件"), help_text=_("PDF、JPG 或 PNG，不超过 10 MB。"))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("取消原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("已发布公告的，取消原因印在取消公告上。"),
    )


# --------------------------------------------------------------------------- ballots


class UnitSearchForm(forms.Form):
    unit = forms.CharField(
        label=_("房屋编码"),
        max_length=120,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "1栋-1单元-101"}),
        error_messages={"required": _("请填写表决票上的房屋编码。")},
    )


BLANK = ""
PAPER_ANSWERS = [
    (counting.APPROVE, _("同意")),
    (counting.REJECT, _("反对")),
    (counting.ABSTAIN, _("弃权")),
    (counting.INVALID, _("无效（多选、涂改或无法辨认）")),
    (BLANK, _("空白（本议题未表态）")),
]
ANSWER_TEXT = dict(PAPER_ANSWERS)


class SheetForm(forms.Form):
    """The sheet as it is marked (paper or proxy): one field per motion, named by its code.

    A blank answer leaves the motion out of the ballot — that ballot did not
    take part in it (DESIGN.md board format); "invalid" records a spoiled
    answer. An election sheet is recorded as marked, even with more names
    than seats: ``voting.counting`` counts that as spoiled.
    """

    def __init__(self, *args, motions, proxy: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.motions = motions
        if proxy:
            self.fields["proxy_name"] = forms.CharField(
                label=_("受托人姓名"),
                required=False,
                help_text=_("与授权委托书上的受托人一致。"),
            )
        for motion in motions:
            if motion.is_election:
                options = [(c.code, c.name) for c in motion.candidates.all()]
                options += [
                    (counting.ABSTAIN, _("弃权")),
                    (counting.INVALID, _("无效（涂改或无法辨认）")),
                ]
                field = forms.MultipleChoiceField(
                    choices=options, required=False, widget=forms.CheckboxSelectMultiple
                )
            else:
                field = forms.ChoiceField(
                    choices=PAPER_ANSWERS,
                    required=False,
                    initial=BLANK,
                    widget=forms.RadioSelect,
                )
            field.label = motion.title
            self.fields[motion.code] = field

    def clean(self):
        data = super().clean()
        words = {counting.ABSTAIN, counting.INVALID}
        for motion in self.motions:
            value = data.get(motion.code)
            if motion.is_election and value and words & set(value) and len(value) > 1:
                self.add_error(
                    motion.code,
                    _("弃权或无效只能单独勾选；候选人与弃权同时勾选的票，请记为“无效”。"),
                )
        return data

    def choices(self) -> dict:
        """The answers in the service's shape; a blank motion is left out."""
        result: dict = {}
        for motion in self.motions:
            value = self.cleaned_data.get(motion.code)
            if (
                motion.is_election
                and value
                and len(value) == 1
                and value[0]
                in {
                    counting.ABSTAIN,
                    counting.INVALID,
                }
            ):
                value = value[0]
            if value:
                result[motion.code] = value
        return result

    def rows(self):
        return [(motion, self[motion.code]) for motion in self.motions]


class PaperFilesForm(forms.Form):
    scan = UploadField(
        label=_("表决票扫描件"),
        help_text=_("必须上传。PDF、JPG 或 PNG，不超过 10 MB；手机可直接拍照。"),
    )


class ProxyFilesForm(forms.Form):
    authorisation = UploadField(
        label=_("授权委托书"),
        help_text=_("必须上传。委托书须写明受托人和本次会议。PDF、JPG 或 PNG，不超过 10 MB。"),
    )
    scan = UploadField(label=_("受托人填写的表决票扫描件"), help_text=_("如有，请一并上传。"))


class TraceForm(forms.Form):
    assembly = forms.ModelChoiceField(
        label=_("业主大会会议"), queryset=Assembly.objects.none(), empty_label=None
    )
    tracker = forms.CharField(
        label=_("投票凭证号"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, assemblies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assembly"].queryset = assemblies
        self.fields["assembly"].label_from_instance = lambda a: f"{a.area.name} · {a.title}"
