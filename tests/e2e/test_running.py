"""The harness itself: stacks running side by side never share a port."""

from __future__ import annotations

import socket

from tests.e2e.running import PortReservation, _bindable


def test_a_reserved_port_is_never_handed_out_again_until_released() -> None:
    first = PortReservation.take(40)
    try:
        second = PortReservation.take(40)
        try:
            assert len(set(first.ports)) == 40
            assert not set(first.ports) & set(second.ports)
        finally:
            second.release()
    finally:
        first.release()


def test_a_port_something_else_listens_on_is_not_taken() -> None:
    reservation = PortReservation.take(1)
    port = reservation.ports[0]
    try:
        assert _bindable(port)
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", port))
            listener.listen()
            assert not _bindable(port)
    finally:
        reservation.release()
