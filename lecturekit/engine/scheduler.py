"""Every helper process a build starts: the computations, the figure workers and Node.

The scheduler starts them, feeds them, knows what each is doing, and reaps
them. A helper that dies, however it dies (an exception, `os._exit`,
`SystemExit`, a signal, the OOM killer), ends the build at once with a
message naming what it was doing and how it ended: never a hang. Helpers
are forked (they share the loaded libraries) and die with the build: the
kernel kills them if the build is killed (PR_SET_PDEATHSIG), and the build
lock (a POSIX record lock, see build.py) is not inherited by them.
"""
import ctypes
import os
import signal
import traceback

# multiprocessing and subprocess are imported where used: a build that reuses
# everything starts no helper and need not load them.

PR_SET_PDEATHSIG = 1


class HelperDied(Exception):
    """A helper process ended while it had work; the message says what and how."""


def how_it_ended(exitcode):
    """A process's end in words: 'exit status 3', 'signal SIGKILL (...)'."""
    if exitcode is None:
        return "no exit status"
    if exitcode >= 0:
        return f"exit status {exitcode}"
    name = signal.Signals(-exitcode).name
    hint = " (the system may have run out of memory)" if -exitcode == signal.SIGKILL else ""
    return f"signal {name}{hint}"


def _die_with_parent():
    """In a helper: the kernel sends SIGKILL when the build goes, so no orphan outlives it (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle, once


def _helper_main(conn, parent_pid, target, args):
    os.setpgid(0, 0)  # a group of its own: whatever it forks is stopped with it (see Scheduler.retire)
    _die_with_parent()
    if os.getppid() != parent_pid:  # the build died before the line above took effect
        os._exit(1)
    try:
        target(conn, *args)
    except BaseException as error:  # SystemExit, KeyboardInterrupt too: report, never vanish silently
        try:
            conn.send(("crashed", "".join(traceback.format_exception_only(error)).strip()))
        except OSError:
            pass
    finally:
        conn.close()


class Helper:
    """One forked process and its pipe; `doing` names its current work for a death report."""

    def __init__(self, label, target, args):
        import multiprocessing
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.label, self.doing = label, None
        self.process = context.Process(target=_helper_main, args=(child, os.getpid(), target, args), daemon=True)
        self.process.start()
        child.close()  # the helper holds the only other end: its death reads as end of file

    def send(self, message):
        self.conn.send(message)

    def death(self):
        """Why this helper can say nothing more."""
        self.process.join(5)
        what = f" while {self.doing}" if self.doing else ""
        return f"the {self.label} ended{what}: {how_it_ended(self.process.exitcode)}"


class Scheduler:
    """Owns a build's helpers: start, wait on all at once, stop."""

    def __init__(self):
        self.helpers, self.programs = [], []

    def start(self, label, target, *args):
        helper = Helper(label, target, args)
        self.helpers.append(helper)
        return helper

    def messages(self, helpers, timeout=1.0):
        """(helper, message) pairs as they arrive from `helpers`; raises HelperDied when one dies.

        A helper's death is also seen by its process having ended, checked at least every `timeout`
        seconds: a child it forked may hold its pipe (and multiprocessing's sentinel) open for ever.
        """
        import multiprocessing.connection
        by_conn = {h.conn: h for h in helpers}
        ready = multiprocessing.connection.wait(list(by_conn), timeout)
        for ended in [h for h in helpers if h.conn not in ready and not h.process.is_alive()]:
            if not ended.conn.poll():
                self.retire(ended)
                raise HelperDied(ended.death())
        for conn in [r for r in ready if r in by_conn]:
            helper = by_conn[conn]
            try:
                message = conn.recv()
            except (EOFError, OSError):
                self.retire(helper)
                raise HelperDied(helper.death()) from None
            if message[0] == "crashed":
                self.retire(helper)
                what = f" while {helper.doing}" if helper.doing else ""
                raise HelperDied(f"the {helper.label} failed{what}: {message[1]}")
            yield helper, message

    def retire(self, helper):
        """Stop one helper (it finished its work, or died)."""
        if helper in self.helpers:
            self.helpers.remove(helper)
        helper.conn.close()
        if helper.process.is_alive():
            helper.process.terminate()
        helper.process.join(5)
        if helper.process.is_alive():
            helper.process.kill()
            helper.process.join()
        try:  # what it forked, which may hold the build's output open
            os.killpg(helper.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def run_program(self, argv, stdin_text):
        """Start a program (Node) fed `stdin_text`; the request is fully written on return."""
        import subprocess
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, encoding="utf-8")
        self.programs.append(process)
        # The program reads its whole request before it writes, so writing it all first cannot deadlock.
        with process.stdin:
            process.stdin.write(stdin_text)
        process.stdin = None  # closed: communicate() must not flush it
        return process

    def stop(self):
        """Stop every helper and program still running (after a failure, or at the end)."""
        for helper in list(self.helpers):
            self.retire(helper)
        for process in self.programs:
            if process.poll() is None:
                process.kill()
            process.wait()
        self.programs = []


SCHEDULER = Scheduler()  # one per build process; build.py stops it when the build ends
