"""Errors an author can act on: they name the file and line at fault."""


class BuildError(Exception):
    """A mistake in a lecture's sources, reported as `file:line: message`."""

    def __init__(self, message, path=None, line=None):
        self.message, self.path, self.line = message, path, line
        super().__init__(str(self))

    def __str__(self):
        where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: " if self.path else ""
        return where + self.message
