"""Pages of the vote, one module per audience.

- ``owner``: an owner's assemblies, the ballot with its confirmation step, the
  receipt, and the public board and tracker look-up;
- ``manage``: the committee (or street/bureau where an area has none) calls an
  assembly, adds motions and attachments, publishes the notice, enters paper and
  proxy ballots;
- ``progress``: live participation and approval bars, objections and results.

Each module ends with its ``routes``; ``voting/urls.py`` joins them.
"""
