"""The paper's code for the reference scripts (paper_*.py): where it is, its commit, pyplot stubbed.

SGN_PAPER_CODE is the path of a copy of AashVed/SmallGainNash; SGN_PAPER_COMMIT names its commit
when the copy is not a git checkout. Imported by the scripts beside it (their folder is on
sys.path when they run).
"""

import os
import pathlib
import subprocess
import sys
import types
from unittest import mock

import numpy as np


def paper_root(marker: str):
    """The copy's path when SGN_PAPER_CODE holds `marker` (e.g. "LQ_GAMES/figures.py"), else None."""
    root = os.environ.get("SGN_PAPER_CODE")
    if not root or not (pathlib.Path(root) / marker).exists():
        return None
    return root


def require_paper_root(marker: str) -> str:
    """paper_root, or exit 2 saying what to set; the copy is put on sys.path for its imports."""
    root = paper_root(marker)
    if root is None:
        folder = marker.split("/")[0]
        sys.stderr.write(f"set SGN_PAPER_CODE to a checkout of the paper's code (with {folder}/)\n")
        sys.exit(2)
    sys.path.insert(0, root)
    return root


def paper_commit(root: str):
    """The checkout's HEAD, else SGN_PAPER_COMMIT (a copy that is not a git checkout), else None."""
    try:
        return subprocess.run(
            ["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except Exception:
        return os.environ.get("SGN_PAPER_COMMIT")


def stub_pyplot_if_absent() -> None:
    """The paper's scripts import pyplot at the top and draw with it; nothing drawn is a number we keep."""
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError:
        mpl = types.ModuleType("matplotlib")
        plt = mock.MagicMock(name="pyplot")
        plt.rcParams = {}
        plt.subplots.side_effect = lambda *a, **k: (mock.MagicMock(), [mock.MagicMock(), mock.MagicMock()])
        mpl.pyplot = plt
        sys.modules["matplotlib"] = mpl
        sys.modules["matplotlib.pyplot"] = plt


def floats(a) -> list:
    return [float(x) for x in np.asarray(a).ravel()]
