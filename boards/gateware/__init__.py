"""The board's gateware: UART, framing, command executor, inputs, and the board top."""

from .top import BoardTop

__all__ = ["BoardTop"]
