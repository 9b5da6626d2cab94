"""pytest set-up shared by every test: nbval output comparison, hypothesis profile."""
import os
import time
from pathlib import Path

from hypothesis import settings

settings.register_profile("book", deadline=None, derandomize=True, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "book"))


def pytest_collectstart(collector):
    # nbval compares text outputs; JavaScript is regenerated with fresh ids on every run.
    # pytest 9 collectors without nbval's attribute have no skip_compare: guard it.
    if hasattr(collector, "skip_compare"):
        collector.skip_compare += ("application/javascript",)


_SESSION_START = time.time()
_LIVE_REPORT = Path(__file__).parent / "_build" / "live-screenshots" / "report.txt"


def pytest_terminal_summary(terminalreporter):
    """The live JupyterLab test's time per chapter and the requests it saw, if it ran just now."""
    if _LIVE_REPORT.is_file() and _LIVE_REPORT.stat().st_mtime >= _SESSION_START:
        terminalreporter.write_sep("-", "live JupyterLab test")
        terminalreporter.write(_LIVE_REPORT.read_text(encoding="utf-8"))
