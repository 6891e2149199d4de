"""The one helper that puts a service's refusal on a form (STYLE.md §15)."""

from __future__ import annotations

from .errors import DomainError


def place_error(form, error: DomainError) -> int:
    """Put ``error`` on ``form``: on the fields it names that the form has, else above
    the form. Returns the status the page answers with (``error.status``: 400 for
    invalid input, 409 for a state conflict), the same as the API would."""
    placed = False
    for name, message in error.fields.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
    return error.status
