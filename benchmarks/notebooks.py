"""Execution time of every chapter notebook, against the 30 s budget (a `make bench` section).

Each notebook runs as the book build runs it: a fresh kernel, every cell top to bottom, in the
book/ folder (nbclient, as myst-nb uses). The kernel's start is timed apart from the cells.

    python benchmarks/notebooks.py [--repeats N] [book/01_fnn_vs_rnn.ipynb ...]
"""
import argparse
import glob
import os
import subprocess
import sys
import time

BUDGET_S = 30.0
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def time_notebook(path):
    """(kernel start s, cells s) of one execution of the notebook at ``path`` in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": os.path.dirname(path)}})
    started = time.perf_counter()
    with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's start-up chatter
        ready = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        done = time.perf_counter()
    return ready - started, done - ready


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--repeats", type=int, default=1, help="runs per notebook; the fastest counts")
    args = parser.parse_args()
    paths = args.notebooks or sorted(glob.glob(os.path.join(ROOT, "book", "[0-9]*.ipynb")))
    print(f"Each notebook in a fresh kernel, every cell, as the build runs it; fastest of "
          f"{args.repeats} run(s). Budget: {BUDGET_S:.0f} s per notebook, kernel start included.")
    print(f"{'notebook':28s} {'kernel s':>9s} {'cells s':>8s} {'total s':>8s}  target")
    for path in paths:
        runs = [time_notebook(path) for _ in range(args.repeats)]
        start, cells = min(runs, key=sum)
        total = start + cells
        verdict = "met" if total <= BUDGET_S else "MISSED"
        print(f"{os.path.basename(path):28s} {start:9.1f} {cells:8.1f} {total:8.1f}  "
              f"<= {BUDGET_S:.0f} s {verdict}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
