"""kombu's file-system transport (the embedded broker), with messages and exchange tables that
appear whole.

kombu writes a message by creating its file and then writing into it, and a consumer takes any
file it lists: a worker polling often enough reads a file still empty, and the JSON error stops
the worker. Here a message is written under a name no consumer takes, then renamed into place
(atomic on one file system). A message that still cannot be read is logged and dropped instead
of stopping the worker: its item stays `pending` and the sweep queues it again.

The exchange tables in the control folder had the same race: kombu creates a table's file
empty and then locks and writes it, so a publisher reading it in between (another process
declaring its queue at that moment) failed on the empty file. Here one writer at a time (a lock
file beside the table) writes the new table under another name and renames it into place;
readers always see a whole table.

Within one process kombu records a binding (`Transport.global_state`) before it writes the
binding's table, and skips a binding already recorded: a second thread declaring the same queue
in between published into an exchange with no table yet, and the message went to kombu's
undeliverable queue. Binding is one thread at a time here, so a binding recorded is a table
written.

Why not kombu's own SQLAlchemy transport on SQLite, which needs none of this: it carried 47-53
messages/s to two consumers where this carries 250-1,355 (bench/embedded_broker.py; neither
lost or doubled a message), and the embedded stack's bulk intake queues thousands.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem, virtual
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps, loads

log = logging.getLogger(__name__)

# One per process, as kombu's record of the bindings made is.
_binding = threading.Lock()


class Channel(filesystem.Channel):
    # kombu's file channel takes **kwargs where its base class does not: keep the file one's.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        # kombu takes files in name order: a zero-padded wall-clock stamp keeps that first in,
        # first out, also across a reboot (kombu's own monotonic stamp restarts at boot).
        final = Path(self.data_folder_out, f"{time.time_ns():020d}_{uuid.uuid4()}.{queue}.msg")
        try:
            _write_whole(final, str_to_bytes(dumps(payload)))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final} to directory") from exc

    def queue_bind(self, *args: Any, **kwargs: Any) -> None:
        with _binding:
            super().queue_bind(*args, **kwargs)

    def get_table(self, exchange: str) -> list[Any]:
        file = self._exchange_file(exchange)
        try:
            table = file.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc
        return [filesystem.exchange_queue_t(*entry) for entry in loads(table)]

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._change_table(exchange, lambda table: table if entry in table else [entry, *table])

    def _delete(
        self, queue: str, exchange: str, routing_key: str, pattern: str, *args: Any, **kwargs: Any
    ) -> None:
        # The virtual channel's own bookkeeping; kombu's file channel then rewrites the table.
        virtual.Channel._delete(self, queue, exchange, routing_key, pattern, *args, **kwargs)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._change_table(exchange, lambda table: [e for e in table if e != entry])

    def _change_table(self, exchange: str, change: Callable[[list[Any]], list[Any]]) -> None:
        file = self._exchange_file(exchange)
        try:
            self.control_folder.mkdir(exist_ok=True)
            with open(file.with_name(f".{file.name}.lock"), "ab") as guard:
                filesystem.lock(guard, filesystem.LOCK_EX)
                try:
                    table = self.get_table(exchange)
                    changed = change(table)
                    if changed == table:
                        return
                    _write_whole(file, str_to_bytes(dumps(changed)))
                finally:
                    filesystem.unlock(guard)
        except OSError as exc:
            raise ChannelError(f"Cannot change {file}") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        try:
            return super()._get(queue)
        except ValueError as exc:  # not JSON: written by something else, or truncated
            log.error("file broker: dropped an unreadable message from %s: %s", queue, exc)
            raise Empty() from exc


def _write_whole(file: Path, data: bytes) -> None:
    """Written under a name no reader takes (a leading dot: kombu's consumer takes only
    "<stamp>.<queue>.msg"), then renamed into place: atomic on one file system."""
    partial = file.with_name(f".{file.name}.part")
    partial.write_bytes(data)
    os.replace(partial, file)


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT = f"{__name__}:Transport"
