import sys

# The suite keeps its bytecode in __pycache__ (gitignored) even where PYTHONDONTWRITEBYTECODE is
# set: otherwise every run, and every xdist worker, rewrites the asserts of every test module and
# compiles the project anew, more CPU than many of the tests take. Here, before any of them loads.
sys.dont_write_bytecode = False
