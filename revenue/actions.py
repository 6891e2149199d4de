"""The permission actions public revenue is guarded by (``accounts.permissions.ACTIONS``).

- ``revenue.view``: owners of the area (SPC interpretation art. 13: owners may
  see the records of the common parts' income), its committee and property
  company, the officers over it and the bureau.
- ``revenue.record``: the committee and the property company of the area,
  who collect the income and pay the costs, enter them.
- ``revenue.allocate``: the committee records the owners' decision on the
  use of the net; where there is no committee, the street or community
  office that convenes the assembly does.
- ``publication.issue``: the bureau signs the quarterly notice (RULES.md §7).
"""

VIEW = "revenue.view"
RECORD = "revenue.record"
ALLOCATE = "revenue.allocate"
PUBLISH = "publication.issue"
