"""Models of the maintenance fund; one module per part, re-exported here."""
