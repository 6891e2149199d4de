"""Pages of the emergency app (mobile-first, 375 px): one module per audience.

- ``applications``: applicants' list, filing, one application, the works after approval;
- ``bureau``: review (with its checklist), approval, refusal, 代修;
- ``recovery``: recovery claims (追偿) of repairs paid inside warranty;
- ``whitelist``: the list in force, past versions, the admins' edits;
- ``plans``: an area's response plan;
- ``oversight``: the response-time dashboard and the annex-2 problem ledger.
"""
