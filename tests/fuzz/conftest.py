"""The security tests' small district (tests/security/conftest.py) for the fuzz tests too."""

from tests.security.conftest import world  # noqa: F401 (fixture)
