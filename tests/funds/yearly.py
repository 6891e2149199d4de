"""A worked fund year for the statement and reconciliation tests.

Area a1 of ``tests/funds/conftest.py`` (units 1栋-1单元-101 89.50 m², -102 100.00 m²,
-103 120.25 m², 9栋-1单元-901 100.00 m²). Everything is posted through the ledger
services with value dates in 2024 and 2025:

| date | what | fen |
|---|---|---|
| 2024-06-01 | first deposits 101 / 102 / 103 / 901 | 671,250 / 750,000 / 901,875 / 750,000 |
| 2025-02-15 | deposit 101 (bank reference BANK-20250215-0001) | 50,000 |
| 2025-06-30 | interest 2025-01-01..06-30 by 积数 | 12,345 |
| 2025-09-01 | payment to the contractor (works ← bank) | 300,000 |
| 2025-09-20 | settlement of that cost over building 1栋 by area | 300,000 |
| 2025-12-01 | other return (scrap value), 25.00 元 to each unit | 10,000 |
| 2025-12-15 | refund to 901 (房屋灭失, Order 165 art. 29) | 200,000 |

积数 of 2025-01-01..06-30 (181 days): 101 = 45 × 671,250 + 136 × 721,250 =
128,296,250; 102 = 901 = 181 × 750,000 = 135,750,000; 103 = 181 × 901,875 =
163,239,375; total 563,035,625. 12,345 fen × each / total = 2,812.99… /
2,976.42… / 3,579.15… / 2,976.42…: floors 2,812 + 2,976 + 3,579 + 2,976 =
12,343, the two fen left go to 101 (remainder .996) and then 102 (.426, tied
with 901, the smaller code wins): **2,813 / 2,977 / 3,579 / 2,976**.

Settlement: 300,000 × 89.50 / 309.75 = 86,682.8…, × 100.00 / 309.75 =
96,852.3…, × 120.25 / 309.75 = 116,464.89…: floors 299,998, the two fen to
103 (.891) and 101 (.809): **86,683 / 96,852 / 116,465**.
"""

from __future__ import annotations

from datetime import date

from funds.ledger import services
from funds.models import Account, Transaction

FIRST = {"101": 671_250, "102": 750_000, "103": 901_875, "901": 750_000}
INTEREST = {"101": 2_813, "102": 2_977, "103": 3_579, "901": 2_976}
SHARES = {"101": 86_683, "102": 96_852, "103": 116_465}
RETURN_EACH = 2_500
REFUND_901 = 200_000
DEPOSIT_101 = 50_000

OPENING = 3_073_125
CLOSING = 2_645_470  # OPENING + 50,000 + 12,345 + 10,000 − 300,000 − 200,000
UNIT_CLOSING = {"101": 639_880, "102": 658_625, "103": 791_489, "901": 555_476}

PAYMENT_DAY = date(2025, 9, 1)
SETTLED_DAY = date(2025, 9, 20)


def post_first_deposits(fund) -> None:
    for number, fen in FIRST.items():
        fund.deposit(number, fen, on=date(2024, 6, 1), key=f"BANK-20240601-{number}")


def post_worked_year(fund) -> dict[str, Transaction]:
    """Post the table of the module docstring; returns the 2025 transactions by name."""
    post_first_deposits(fund)
    done = {}
    done["deposit"] = services.deposit_record(
        unit=fund.units["101"],
        amount_fen=DEPOSIT_101,
        paid_on=date(2025, 2, 15),
        key="BANK-20250215-0001",
        actor=None,
    )
    done["interest"] = services.interest_post(
        area=fund.area,
        start=date(2025, 1, 1),
        end=date(2025, 6, 30),
        amount_fen=12_345,
        actor=None,
    ).transaction
    works = fund.account(Account.Kind.WORKS)
    done["payment"] = services.transaction_post(
        kind=Transaction.Kind.PAYMENT,
        lines=[(works, 300_000), (fund.bank, -300_000)],
        memo="划款：1栋屋面防水",
        key="test:payment:roof",
        actor=None,
        value_date=PAYMENT_DAY,
    )
    done["settlement"] = services.transaction_post(
        kind=Transaction.Kind.SETTLEMENT,
        lines=[(fund.sub(n), fen) for n, fen in SHARES.items()] + [(works, -300_000)],
        memo="结算分摊：1栋屋面防水",
        key="test:settlement:roof",
        actor=None,
        value_date=SETTLED_DAY,
    )
    done["income"] = services.transaction_post(
        kind=Transaction.Kind.INCOME,
        lines=[(fund.bank, 4 * RETURN_EACH)] + [(fund.sub(n), -RETURN_EACH) for n in FIRST],
        memo="废旧电梯残值收入分配",
        key="test:income:scrap",
        actor=None,
        value_date=date(2025, 12, 1),
    )
    done["refund"] = services.transaction_post(
        kind=Transaction.Kind.REFUND,
        lines=[(fund.sub("901"), REFUND_901), (fund.bank, -REFUND_901)],
        memo="房屋灭失退还 9栋-1单元-901",
        key="test:refund:901",
        actor=None,
        value_date=date(2025, 12, 15),
    )
    return done


def code(number: str) -> str:
    return ("9栋" if number == "901" else "1栋") + f"-1单元-{number}"
