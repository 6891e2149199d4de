"""Pages of the fund-use procedure (RULES.md §4): applicant and committee (``proposal``),
the bureau (``bureau``, ``closing``), owners (``owner``); the application page's data
(``detail``)."""
