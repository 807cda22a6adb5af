"""The host end of the board link: framing, the pyserial driver, the KVM backend, the checks."""

from .backend import BoardAccessError, BoardPMUBackend
from .driver import BoardClient, BoardError, Hello, LinkStatus, RunResult
from .port import open_port

__all__ = ["BoardClient", "BoardError", "BoardAccessError", "BoardPMUBackend",
           "Hello", "LinkStatus", "RunResult", "open_port"]
