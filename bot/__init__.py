"""paperbot: answers questions about research papers from a curated YAML catalog."""

import os

# One BLAS thread, set before numpy loads: the bot's one BLAS call (for-you's dense rows,
# bot/search/accumulate.py) is a mat-vec of a few ms, and OpenBLAS's helper threads spin on after
# each call, doubling an ask's CPU time on a machine whose cores are shared.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
