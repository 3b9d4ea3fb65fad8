"""landreg benchmarks package."""
