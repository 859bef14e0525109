"""The lecture-agnostic build engine: find lectures, compute, draw, write pages."""
