"""Models shared by every domain app (the bureau-kept working-day calendar lives here)."""
