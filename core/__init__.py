"""The shared core below every domain app (DESIGN.md "Layout").

Nothing in ``core`` imports a domain app (accounts, estates, voting, funds, emergency,
revenue, publications, audit): domains build on it, never the reverse.
"""
