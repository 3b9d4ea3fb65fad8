"""landreg projections package."""
