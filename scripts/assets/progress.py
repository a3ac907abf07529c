"""What the asset build shows while it runs: a line per recipe built or failed and, in a terminal,
one live line below them (recipes done of the total, the ones running, and the time left,
estimated from how long each recipe took the last time, as the manifest records it).

Elsewhere (CI, `make test`, a pipe) only the plain lines are written, as a log wants them.
"""

import statistics
import sys
import time

DEFAULT_SECONDS = 10.0  # a recipe never built before, when none has a time to go by


class Progress:
    """The build's report for ``stale`` recipes (each with ``name`` and ``label``), ``jobs`` at a
    time; ``last_seconds`` maps a recipe's name to how long it took last time. ``live``: draw
    the live line (default: when standard output is a terminal)."""

    def __init__(self, stale, last_seconds, jobs, live=None):
        known = [s for s in last_seconds.values() if s]
        guess = statistics.median(known) if known else DEFAULT_SECONDS
        self.expected = {r.name: last_seconds.get(r.name) or guess for r in stale}
        self.total, self.done, self.jobs = len(stale), 0, jobs
        self.running = {}  # name -> (label, started)
        self.live = sys.stdout.isatty() if live is None else live
        self._display = None
        if self.live and self.total:
            from rich.console import Console
            from rich.live import Live

            self._display = Live(self.line(), console=Console(), auto_refresh=True, refresh_per_second=4,
                                 transient=True, get_renderable=self.line)
            self._display.start()

    def line(self):
        """The live line, e.g. ``5 of 32 recipes · running post3_layers.layers_grid, post1_intro.neuron_video
        · about 1 min 10 s left``."""
        now = time.perf_counter()
        left = sum(self.expected[name] for name in self.expected if name not in self.running) \
            + sum(max(0.0, self.expected[name] - (now - started)) for name, (_, started) in self.running.items())
        running = ", ".join(label for label, _ in self.running.values()) or "nothing"
        text = f"{self.done} of {self.total} recipes · running {running} · about {_duration(left / self.jobs)} left"
        if self._display is None:
            return text
        from rich.text import Text

        return Text(text, overflow="ellipsis", no_wrap=True)

    def start(self, recipe):
        self.running[recipe.name] = (recipe.label, time.perf_counter())

    def finish(self, recipe, text):
        """``recipe`` ended: write ``text`` (its plain line) above the live line."""
        self.running.pop(recipe.name, None)
        self.expected.pop(recipe.name, None)
        self.done += 1
        if self._display is not None:
            self._display.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text, flush=True)

    def close(self):
        if self._display is not None:
            self._display.stop()
            self._display = None


def _duration(seconds):
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"
