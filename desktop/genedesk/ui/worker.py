"""One worker thread owns the vault; the window sends it operations (STYLE.md 3 and 4).

`VaultWorker.run(op, on_done, on_error)` runs `op(vault)` on the worker thread and calls back on the
UI thread. Widgets are only ever touched from those callbacks. The vault connection is opened, used
and closed on the worker thread alone (SQLCipher connections belong to the thread that made them).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

from genedesk.core.errors import GeneDeskError
from genedesk.core.vault import Vault

T = TypeVar("T")
log = logging.getLogger(__name__)


class _Bridge(QObject):
    """Lives on the UI thread; a signal emitted from the worker is delivered here, queued."""

    deliver = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.deliver.connect(self._on_deliver)

    @Slot(object, object)
    def _on_deliver(self, callback: Callable[[Any], object], value: Any) -> None:
        callback(value)


class VaultWorker(QObject):
    busy_changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="genedesk-vault")
        self._bridge = _Bridge()
        self._vault: Vault | None = None
        self._pending = 0
        self._closed = False

    @property
    def has_vault(self) -> bool:
        return self._vault is not None

    def _started(self) -> None:
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)

    def _finished(self, _: object = None) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)

    def submit(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], object],
        on_error: Callable[[Exception], object],
    ) -> Future[None] | None:
        """Run `job()` on the worker thread; call back on the UI thread (nothing once closed)."""
        if self._closed:
            return None  # the window is closing: a late timer's request has nowhere to go
        self._started()

        def work() -> None:
            try:
                result = job()
            except Exception as error:  # noqa: BLE001 - every failure goes back to the window
                if not isinstance(error, GeneDeskError):
                    log.error(
                        "operation failed: %s\n%s",
                        type(error).__name__,
                        "".join(traceback.format_tb(error.__traceback__)),
                    )
                self._bridge.deliver.emit(self._finish_then(on_error), error)
            else:
                self._bridge.deliver.emit(self._finish_then(on_done), result)

        return self._pool.submit(work)

    def _finish_then(self, callback: Callable[[Any], object]) -> Callable[[Any], None]:
        def call(value: Any) -> None:
            self._finished()
            callback(value)

        return call

    def run(
        self,
        op: Callable[[Vault], T],
        on_done: Callable[[T], object],
        on_error: Callable[[Exception], object],
    ) -> Future[None] | None:
        """Run `op(vault)` on the worker thread with the open vault."""

        def job() -> T:
            if self._vault is None:
                raise GeneDeskError("The vault is not open.")
            return op(self._vault)

        return self.submit(job, on_done, on_error)

    def open(
        self,
        opener: Callable[[], Vault],
        on_done: Callable[[Vault], object],
        on_error: Callable[[Exception], object],
    ) -> None:
        def job() -> Vault:
            vault = opener()
            self._vault = vault
            return vault

        self.submit(job, on_done, on_error)

    def close_vault(
        self, on_done: Callable[[None], object], on_error: Callable[[Exception], object]
    ) -> None:
        """Close the open vault (releasing its lock) and keep the worker for the next one."""

        def job() -> None:
            if self._vault is not None:
                vault, self._vault = self._vault, None
                vault.close()

        self.submit(job, on_done, on_error)

    def close(self) -> None:
        """Close the vault on its own thread and stop the worker (waits for running work)."""

        def job() -> None:
            if self._vault is not None:
                self._vault.close()
                self._vault = None

        if self._closed:
            return
        self._closed = True
        self._pool.submit(job).result()
        self._pool.shutdown(wait=True)
