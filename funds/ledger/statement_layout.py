"""The annual statement notice's content: tables and text from the statement's data.

RULES.md §4 "Publication" (Order 165 art. 30): totals, each account, each use
with its apportionment, each unit's figures. Built from
``funds.ledger.figures.area_statement`` data for the template
``funds/statement.html``; read-only, no Django model access. Unit codes and
figures only: never an owner's name or ID number (a notice is public for ever).

Long tables (the units, each use's apportionment) are set as text grids
(``publications.rendering.table_grid``), so a 2,000-unit area renders in
seconds; the short tables with free text (memos, titles) are ordinary tables.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.money import yuan as y
from core.text import cn_date
from publications.rendering import GRID_KEY, table_grid

# Apportionment tables are set three units to a row: a use over 2,000 units is ~670 lines.
PAIRS_PER_ROW = 3


def _table(
    *,
    title: str,
    columns: list[dict],
    rows: list[list[str]],
    totals: list[str] | None = None,
    intro: list[str] = (),
    level: int = 2,
    grid: bool = True,
) -> dict:
    """One table of the notice: its text grid (``publications.rendering.table_grid``) and,
    for the fallback to an ordinary table, its cells with their alignment.

    ``grid=False`` for the short tables whose cells are free text (memos, titles): a
    character the fonts do not set exactly on the grid would send every table of the
    notice back to the slow ordinary layout; a short table costs nothing as one.
    """
    aligns = [column.get("align", "") for column in columns]
    return {
        "title": title,
        "level": level,
        "intro": list(intro),
        "columns": columns,
        "grid": table_grid(columns=columns, rows=rows, totals=totals) if grid else None,
        "cells": [
            [{"text": t, "align": a} for t, a in zip(row, aligns, strict=True)] for row in rows
        ],
        "totals": (
            [{"text": t, "align": a} for t, a in zip(totals, aligns, strict=True)]
            if totals is not None
            else None
        ),
    }


def _money_column(label: str) -> dict:
    return {"label": label, "align": "num"}


def _summary_fields(data: dict) -> list[tuple[str, str]]:
    t = data["totals"]
    profile = data["profile"]
    fields = [
        (_("物业管理区域"), f"{data['area']['name']}（{data['area']['code']}）"),
        (_("期间"), f"{cn_date(data['start'])}至{cn_date(data['end'])}"),
    ]
    if profile:
        fields += [
            (_("资金管理方式"), profile["regime_label"]),
            (
                _("专户银行"),
                _("%(bank)s（账号尾号 %(tail)s）")
                % {"bank": profile["bank_name"], "tail": profile["account_tail"]},
            ),
        ]
    fields += [
        (_("分户账数"), str(len(data["units"]))),
        (_("年初余额"), _("%(y)s 元") % {"y": y(t["opening_fen"])}),
        (_("本年交存"), _("%(y)s 元") % {"y": y(t["deposits_fen"])}),
        (_("本年利息"), _("%(y)s 元") % {"y": y(t["interest_fen"])}),
        (_("本年其他收益"), _("%(y)s 元") % {"y": y(t["returns_fen"])}),
        (
            _("本年使用（分摊）"),
            _("%(y)s 元（%(n)d 笔）") % {"y": y(t["uses_fen"]), "n": len(data["uses"])},
        ),
        (_("本年退还"), _("%(y)s 元") % {"y": y(t["refunds_fen"])}),
    ]
    if t["adjustments_fen"]:
        fields.append((_("本年调整"), _("%(y)s 元") % {"y": y(t["adjustments_fen"])}))
    fields.append((_("年末余额"), _("%(y)s 元") % {"y": y(t["closing_fen"])}))
    return fields


def _accounts_table(data: dict) -> dict:
    rows = [
        [
            a["label"],
            y(a["opening_fen"]),
            y(a["debit_fen"]),
            y(a["credit_fen"]),
            y(a["closing_fen"]),
        ]
        for a in data["accounts"]
    ]
    return _table(
        title=_("二、各账户本年发生额"),
        columns=[
            {"label": _("账户"), "align": ""},
            _money_column(_("年初余额")),
            _money_column(_("借方发生额")),
            _money_column(_("贷方发生额")),
            _money_column(_("年末余额")),
        ],
        rows=rows,
        grid=False,
        intro=[
            _(
                "专户存款、待分摊维修支出等为资产类账户（借方增加），区域维修资金总账、分户账、"
                "应付维修款、待分配收益为负债类账户（贷方增加）；余额均按账户的正常方向列示。"
            )
        ],
    )


def _uses_tables(data: dict) -> list[dict]:
    uses = data["uses"]
    if not uses:
        return []
    listing = _table(
        title=_("三、本年维修资金使用及分摊"),
        columns=[
            {"label": _("序号"), "align": "center"},
            {"label": _("日期"), "align": ""},
            {"label": _("事项"), "align": ""},
            _money_column(_("分摊金额（元）")),
            {"label": _("户数"), "align": "num"},
            {"label": _("使用公示编号"), "align": ""},
        ],
        rows=[
            [
                str(number),
                use["value_date"].isoformat(),
                (_("（冲正）") if use["reversal"] else "")
                + (use["fund_use"]["title"] if use["fund_use"] else use["memo"]),
                y(use["amount_fen"]),
                str(use["unit_count"]),
                (use["fund_use"] or {}).get("serial", ""),
            ]
            for number, use in enumerate(uses, start=1)
        ],
        totals=[
            _("合计"),
            "",
            "",
            y(sum(u["amount_fen"] for u in uses)),
            "",
            "",
        ],
        grid=False,
    )
    tables = [listing]
    for number, use in enumerate(uses, start=1):
        pairs = min(PAIRS_PER_ROW, len(use["units"]))
        columns = []
        for _i in range(pairs):
            columns += [{"label": _("房屋编码"), "align": ""}, _money_column(_("分摊（元）"))]
        rows = []
        for i in range(0, len(use["units"]), pairs):
            chunk = use["units"][i : i + pairs]
            row = []
            for share in chunk:
                row += [share["code"], y(share["amount_fen"])]
            row += [""] * (2 * pairs - len(row))
            rows.append(row)
        tables.append(
            _table(
                title=_("（%(n)d）%(date)s %(memo)s：%(total)s 元，%(units)d 户")
                % {
                    "n": number,
                    "date": use["value_date"].isoformat(),
                    "memo": use["memo"],
                    "total": y(use["amount_fen"]),
                    "units": use["unit_count"],
                },
                columns=columns,
                rows=rows,
                level=3,
            )
        )
    return tables


def _units_table(data: dict, number: str) -> dict:
    adjustments = any(u["adjustments_fen"] for u in data["units"])
    columns = [
        {"label": _("房屋编码"), "align": ""},
        _money_column(_("年初余额")),
        _money_column(_("交存")),
        _money_column(_("利息及收益")),
        _money_column(_("使用分摊")),
        _money_column(_("退还")),
    ]
    if adjustments:
        columns.append(_money_column(_("调整")))
    columns.append(_money_column(_("年末余额")))

    def row(code: str, f: dict) -> list[str]:
        cells = [
            code,
            y(f["opening_fen"]),
            y(f["deposits_fen"]),
            y(f["interest_fen"] + f["returns_fen"]),
            y(f["uses_fen"]),
            y(f["refunds_fen"]),
        ]
        if adjustments:
            cells.append(y(f["adjustments_fen"]))
        return [*cells, y(f["closing_fen"])]

    return _table(
        title=_("%(n)s、各户分户账本年情况") % {"n": number},
        columns=columns,
        rows=[row(u["code"], u) for u in data["units"]],
        totals=row(_("合计（%(n)d 户）") % {"n": len(data["units"])}, data["totals"]),
        intro=[
            _(
                "单位：元。每户：年末余额 = 年初余额 + 交存 + 利息及收益 − 使用分摊 − 退还"
                "%(adj)s；各户合计等于区域维修资金总账。业主可登录平台查看本户每一笔记录。"
            )
            % {"adj": _(" + 调整") if adjustments else ""}
        ],
    )


def statement_context(data: dict, *, reason: str = "") -> dict:
    """The notice's template context from ``funds.ledger.figures.area_statement`` data."""
    tables = [_accounts_table(data), *_uses_tables(data)]
    tables.append(_units_table(data, _("四") if data["uses"] else _("三")))
    notes = [
        _(
            "依据《住宅专项维修资金管理办法》第三十条，维修资金管理机构每年至少一次与专户管理银行"
            "核对维修资金账目，并向业主公布交存、使用、增值收益和结存情况。"
        ),
        _(
            "本表由平台根据维修资金账簿自动生成：每一笔交存、利息分配、使用分摊和退还均为记账凭证，"
            "只增不改，更正以冲正凭证记账，冲正计入被冲正事项的类别。"
        ),
        _(
            "使用分摊按《住宅专项维修资金管理办法》第二十条、第二十一条由列支范围内的业主按专有部分"
            "面积比例分摊；本表列示各户分户账实际扣划的金额，每项使用的完整分摊公示见其使用公示编号。"
        ),
    ]
    bank = data["bank"]
    if bank is None:
        notes.append(_("截至本公示发布，尚未导入覆盖年末的专户银行对账单。"))
    elif bank["difference_fen"] == 0:
        notes.append(
            _("经与专户银行对账单核对，%(day)s 专户存款余额 %(bank)s 元，与账面一致。")
            % {"day": cn_date(bank["day"]), "bank": y(bank["bank_fen"])}
        )
    else:
        notes.append(
            _(
                "与专户银行对账单核对：%(day)s 银行余额 %(bank)s 元，账面余额 %(ledger)s 元，"
                "差额 %(diff)s 元，正在核查。"
            )
            % {
                "day": cn_date(bank["day"]),
                "bank": y(bank["bank_fen"]),
                "ledger": y(bank["ledger_fen"]),
                "diff": y(bank["difference_fen"]),
            }
        )
    lead = [
        _(
            "根据《住宅专项维修资金管理办法》第三十条和《埇桥区住宅物业服务管理提升行动方案》，"
            "现将%(area)s住宅专项维修资金%(year)s年度的交存、使用、增值收益和结存情况公示如下。"
        )
        % {"area": data["area"]["name"], "year": data["year"]}
    ]
    if reason:
        lead.append(_("更正原因：%(reason)s") % {"reason": reason})
    return {
        "title": statement_title_text(data),
        "lead": lead,
        "fields": _summary_fields(data),
        "summary_title": _("一、本年收支及结存"),
        "tables": tables,
        "notes": notes,
        # The text grids are used only while every one lines up; render_pdf clears this
        # key (and so every grid) when one does not (publications.rendering).
        GRID_KEY: {"tables": sum(1 for t in tables if t["grid"])}
        if any(t["grid"] for t in tables)
        else None,
    }


def statement_title_text(data: dict) -> str:
    return _("%(area)s住宅专项维修资金%(year)s年度账目公示") % {
        "area": data["area"]["name"],
        "year": data["year"],
    }
