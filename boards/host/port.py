"""Opening the board's serial port with pyserial, with one-line errors."""

from __future__ import annotations

from . import simlink
from .driver import BoardError

DEFAULT_BAUD = 115200
INSTALL_HINT = "install it with `.venv/bin/pip install -e '.[board]'` (or run `make test`)"


def open_port(name: str, baud: int = DEFAULT_BAUD):
    """A ``serial.Serial`` for a device (``/dev/ttyUSB0``, ``COM3``) or a pyserial URL
    (``socket://127.0.0.1:5555`` reaches ``rvpmu board sim`` in wall time; ``loop://``
    echoes); ``rvpmu-sim://127.0.0.1:5555`` reaches it in simulated time
    (``rvpmu.boards.host.simlink``)."""
    if name.startswith(simlink.SCHEME):
        try:
            return simlink.TimedSimPort(name, baud)
        except OSError as exc:
            raise BoardError(f"cannot open {name}: {exc.strerror or exc}") from None
    try:
        import serial
    except ImportError:
        raise BoardError(f"pyserial is not installed: {INSTALL_HINT}") from None
    try:
        return serial.serial_for_url(name, baudrate=baud, timeout=0.1, write_timeout=5)
    except (serial.SerialException, ValueError, OSError) as exc:
        text = str(exc).strip().splitlines()
        raise BoardError(f"cannot open serial port {name}: "
                         f"{text[0] if text else type(exc).__name__}") from None
