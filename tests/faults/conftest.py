"""Fixtures of the fault tests: the registers, fund estate and signing keys of the app tests.

Nothing new is built here: the voting register and assembly
(tests/voting/conftest.py), the fund-use estate (tests/funds/app_helpers.py),
the revenue ledger helper (tests/revenue/conftest.py), the signing keys
(tests/signing.py) and the shared sample register (../shared/samples) are the
ones the app tests use; the faults are in ``tests.faults.dbfault``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.dbfault import fault  # noqa: F401
from tests.faults.killing import dying_sender  # noqa: F401
from tests.funds.app_helpers import estate_fixture  # noqa: F401
from tests.revenue.conftest import record  # noqa: F401
from tests.signing import publishing_fixture, signing_dir_fixture  # noqa: F401
from tests.voting.conftest import assembly, outbox, register  # noqa: F401

# CI clones the repository somewhere else with shared/ beside it: <repo>/../shared/samples.
SAMPLE_CSV = (
    Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "register-sample.csv"
)


@pytest.fixture
def sample() -> bytes:
    """The shared sample register: 48 units of area a1, 60 owners."""
    if not SAMPLE_CSV.is_file():
        pytest.skip(f"sample register not found at {SAMPLE_CSV}")
    return SAMPLE_CSV.read_bytes()
