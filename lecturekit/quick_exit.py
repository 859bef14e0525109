"""Leave the build process without the interpreter's teardown.

Everything is written and every helper is reaped by then. Freeing
matplotlib's, SciPy's and scikit-learn's module objects one by one took
0.3 s after a cold build, for memory the operating system takes back at
once. Exit handlers still run, and the output is flushed.
"""
import atexit
import os
import sys


def exit_now(status):
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
