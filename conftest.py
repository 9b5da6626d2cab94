"""pytest set-up shared by every test: nbval output comparison, hypothesis profile."""
import os

from hypothesis import settings

settings.register_profile("book", deadline=None, derandomize=True, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "book"))


def pytest_collectstart(collector):
    # nbval compares text outputs; JavaScript is regenerated with fresh ids on every run.
    # pytest 9 collectors without nbval's attribute have no skip_compare: guard it.
    if hasattr(collector, "skip_compare"):
        collector.skip_compare += ("application/javascript",)
