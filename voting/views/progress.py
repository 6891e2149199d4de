"""See voting/views/__init__.py."""

routes: list = []
