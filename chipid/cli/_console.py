"""Terminal output: rich colour and progress bars on a terminal, plain lines when piped."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import TaskID

__all__ = ["Console"]


class Console:
    """A thin output helper: `rich` when writing to a terminal, plain text otherwise.

    Args:
        stream: where to write (stdout by default).
        color: force colour on (True) or off (False); None decides from ``stream.isatty()``.
    """

    def __init__(self, stream: TextIO | None = None, *, color: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.rich = self.stream.isatty() if color is None else color
        self._rich_console = None
        if self.rich:
            from rich.console import Console as RichConsole

            self._rich_console = RichConsole(file=self.stream, highlight=False)

    def print(self, text: str = "", *, style: str | None = None) -> None:
        """Print one line (rich markup is NOT interpreted; style applies to the whole line)."""
        if self._rich_console is not None:
            from rich.text import Text

            self._rich_console.print(Text(text, style=style or ""))
        else:
            print(text, file=self.stream)

    def ok(self, text: str) -> None:
        self.print(text, style="bold green")

    def bad(self, text: str) -> None:
        self.print(text, style="bold red")

    def warn(self, text: str) -> None:
        self.print(text, style="yellow")

    def heading(self, text: str) -> None:
        self.print(text, style="bold")

    @contextmanager
    def progress(self) -> Iterator[Callable[[str, int, int], None]]:
        """Yield ``update(label, done, total)``: a rich bar per file on a terminal, nothing when piped."""
        if self._rich_console is None:
            yield lambda label, done, total: None
            return
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

        bars: dict[str, TaskID] = {}
        with Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=self._rich_console,
            transient=False,
        ) as prog:

            def update(label: str, done: int, total: int) -> None:
                task = bars.get(label)
                if task is None:
                    task = bars[label] = prog.add_task(label, total=max(total, 1))
                prog.update(task, completed=done, total=max(total, 1))

            yield update
