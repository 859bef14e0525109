"""Plotting: turns computed data into figures and animations (matplotlib is imported lazily)."""
