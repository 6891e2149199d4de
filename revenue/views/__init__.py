"""Pages of public revenue (RULES.md §6), one module per side.

- ``ledger``: reading — the area's ledger by quarter or year with totals, a
  decision and its shares, vouchers, CSV/XLSX export (owners of the area may
  read all of it: SPC interpretation art. 13);
- ``manage``: writing — record income or cost, reverse an entry, record the
  owners' decision on the net, publish the quarterly notice (bureau, TOTP).

Each module ends with its ``routes``; ``revenue/urls.py`` joins them.
"""
