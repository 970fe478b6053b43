"""Something of the Kubernetes backend that runs in the background while a drill lasts."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Background:
    """`with X(...) as x:` starts it and closes it, also on an exception or Ctrl-C."""

    def start(self) -> Self:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
