"""What the fuzz tests share: hypothesis settings, an undo for each example, and the
strategies for typed amounts and free text."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    pass


@contextmanager
def each_example_undone():
    """Each example runs in a savepoint rolled back at its end: every example meets the
    same state."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


amounts = st.one_of(
    st.sampled_from(
        [
            "0",
            "-1",
            "0.001",
            "1e9",
            "99999999999999999999",
            "NaN",
            "1,280.50",
            "１２８０",
            " 12 ",
            "",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
    st.text(max_size=24),
)
texts = st.one_of(
    st.sampled_from(["<script>alert(1)</script>", "=cmd|' /C calc'!A0", "\x00", "a" * 2000]),
    st.text(max_size=300),
)
