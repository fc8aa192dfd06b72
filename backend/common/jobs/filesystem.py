"""kombu's file-system transport (the embedded broker), with messages that appear whole.

kombu writes a message by creating its file and then writing into it, and a consumer takes any
file it lists: a worker polling often enough reads a file still empty, and the JSON error stops
the worker. Here a message is written under a name no consumer takes, then renamed into place
(atomic on one file system). A message that still cannot be read is logged and dropped instead
of stopping the worker: its item stays `pending` and the sweep queues it again.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from queue import Empty
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

log = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    # kombu's file channel takes **kwargs where its base class does not: keep the file one's.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        # kombu takes files in name order: a zero-padded wall-clock stamp keeps that first in,
        # first out, also across a reboot (kombu's own monotonic stamp restarts at boot).
        name = f"{time.time_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # A leading dot: kombu's consumer takes only "<stamp>.<queue>.msg" names.
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        try:
            return super()._get(queue)
        except ValueError as exc:  # not JSON: written by something else, or truncated
            log.error("file broker: dropped an unreadable message from %s: %s", queue, exc)
            raise Empty() from exc


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT = f"{__name__}:Transport"
