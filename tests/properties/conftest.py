"""Hypothesis draws the same examples on every run (``derandomize``): a test suite that CI
runs on every change must not pass or fail by the luck of the draw. Exploring new examples
is a separate, deliberate run: ``pytest tests/properties --hypothesis-profile=explore``."""

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("ci")
