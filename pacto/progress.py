"""A progress bar for long command-line jobs (recompute, imports), on the command's stderr."""

from __future__ import annotations

import time

from django.core.management.base import OutputWrapper


class Progress:
    """``[#####---------------] 412/1000 tickets`` on stderr.

    Redrawn in place on a terminal (at most ten times a second); otherwise one line at every
    tenth of the way, so logs stay short.
    """

    WIDTH = 20

    def __init__(self, stream: OutputWrapper, total: int, noun: str = "tickets"):
        self.stream = stream
        self.total = total
        self.noun = noun
        self.done = 0
        self.tty = stream.isatty()
        self.last_decile = 0
        self.last_draw = 0.0

    def line(self) -> str:
        filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        return f"[{bar}] {self.done}/{self.total} {self.noun}"

    def advance(self, *_args) -> None:
        self.done += 1
        if self.tty:
            moment = time.monotonic()
            if self.done == self.total or moment - self.last_draw >= 0.1:
                self.last_draw = moment
                self.stream.write("\r" + self.line(), ending="")
                self.stream.flush()
            return
        decile = 10 * self.done // self.total
        if decile > self.last_decile:
            self.last_decile = decile
            self.stream.write(self.line())

    def finish(self) -> None:
        if self.tty and self.total:
            self.stream.write("")  # end the line drawn in place
