"""``BoardClient``: the host end of the board link, over any pyserial-like port.

A port needs ``write(data)``, ``read(n)`` (blocking until ``n`` bytes or ``timeout`` seconds),
a settable ``timeout``, ``in_waiting`` and ``reset_input_buffer()``: a ``serial.Serial`` (or
``serial.serial_for_url("socket://...")``) does; so does the simulated link of
``rvpmu.boards.sim``, which also has ``now()`` (simulated seconds) so that timeouts are kept in
the simulation's time.

Every request carries a sequence number. When no valid response arrives (timeout, or the board
reports a damaged request), the client waits until the line has been quiet for longer than the
board's frame timeout (so the board's parser is hunting for a frame start again), then sends
the same request again with the same sequence number: the board answers a repeated write, run
or reset from its stored result instead of doing it twice (docs/board-protocol.md).
"""

from __future__ import annotations

import time
import tomllib
from dataclasses import dataclass, field

from rvpmu import csr
from rvpmu.config import ConfigError, PMUConfig
from rvpmu.model.cycle import CSRResponse

from .. import protocol as P
from .framing import FrameDecoder, encode_request

U32 = (1 << 32) - 1
SIMULATOR_LATENCY = 2.0  # seconds
# What `rvpmu board sim` sends a client that connects while it serves another one.
SIM_BUSY = b"rvpmu board sim: busy, another client is connected\n"
MIN_SIMULATOR_LATENCY = 0.25  # seconds: the least allowance for a simulator's round trip
PACE_MARGIN = 4  # the allowance in round trips of the simulated board
SIMULATOR_PACE = 20_000  # cycles per second a simulated board is assumed to manage at least


class BoardError(RuntimeError):
    """A failure of the board link; the message is one line and says what to check."""


@dataclass(frozen=True)
class Hello:
    version: tuple[int, int]
    board: int
    inputs: int
    clk_hz: int
    baud: int
    frame_timeout: int  # cycles
    config_len: int
    config_hash: bytes

    @property
    def board_name(self) -> str:
        try:
            return P.Board(self.board).name.lower()
        except ValueError:
            return f"board-{self.board}"


@dataclass(frozen=True)
class RunResult:
    cycles: int
    lcofip: bool


@dataclass(frozen=True)
class LinkStatus:
    crc_errors: int
    length_errors: int
    timeouts: int
    uart_errors: int


@dataclass
class LinkStats:
    requests: int = 0
    retries: int = 0
    naks: int = 0  # the board answered BAD_CRC
    timeouts: int = 0  # no valid answer in time
    corrupt: int = 0  # responses with a bad CRC
    stale: int = 0  # answers to an earlier request (after a retry)
    problems: list[str] = field(default_factory=list)


class BoardClient:
    """One session with a board. ``connect()`` first (it sends HELLO).

    ``latency``: worst-case seconds a USB serial adapter adds to a round trip (0 for the
    simulated link); ``retries``: tries after the first before giving up.
    """

    def __init__(self, port, *, latency: float = 0.05, retries: int = 6,
                 initial_quiet: float = 0.02, name: str | None = None):
        if not (isinstance(latency, (int, float)) and 0 <= latency < float("inf")):
            raise ValueError(f"latency must be a finite number of seconds >= 0, got {latency!r}")
        self.port = port
        self.name = name or str(getattr(port, "port", None) or getattr(port, "name", "port"))
        self.latency = latency
        self.retries = retries
        self.initial_quiet = initial_quiet
        self._now = getattr(port, "now", time.monotonic)
        self._seq = 0
        self._baud = getattr(port, "baudrate", None) or 115200
        self.info: Hello | None = None
        self.cycles_per_second: float | None = None  # the board's clock, or a simulator's pace
        self.lcofip = False  # the PMU's LCOFIP as the latest CSR or RUN response reported it
        self.decoder = FrameDecoder()
        self.stats = LinkStats()
        self._heard = b""  # the last bytes read, to recognise SIM_BUSY
        self._pace_latency = False  # a simulator over a real-time link: learn its pace
        self._usual_round_trip = 0.0

    # -- the link ------------------------------------------------------------------------------

    def _quiet_time(self) -> float:
        if self.info is None:
            return self.initial_quiet + self.latency
        return 2 * self.info.frame_timeout / self.info.clk_hz + self.latency

    def resync(self, quiet: float | None = None) -> None:
        """Wait until nothing has arrived for ``quiet`` seconds; forget what arrived."""
        quiet = self._quiet_time() if quiet is None else quiet
        self.port.reset_input_buffer()
        for _ in range(1000):
            self.port.timeout = quiet
            data = self.port.read(4096)
            if not data:
                break
            self._heard = (self._heard + data)[-2 * len(SIM_BUSY):]
        else:
            raise BoardError(f"{self.name}: the line never goes quiet (is this the board's "
                             "UART at the right baud rate?)")
        self.decoder.reset()

    def _learn_latency(self, round_trip: float) -> None:
        """A simulated board's answers take what the simulator needs, so a damaged request
        (no answer) should cost a few of its round trips, not a fixed 2 s: the allowance is
        ``PACE_MARGIN`` times the usual round trip (a moving average), within the limits. A
        slow outlier only costs a retry, which the board answers from its stored result."""
        avg = self._usual_round_trip
        self._usual_round_trip = round_trip if not avg else 0.8 * avg + 0.2 * round_trip
        self.latency = min(SIMULATOR_LATENCY, max(MIN_SIMULATOR_LATENCY,
                                                  PACE_MARGIN * self._usual_round_trip))

    def _reply_timeout(self, request_len: int, data_len: int, extra: float) -> float:
        bits = 10 * (request_len + data_len + 9)
        return 2 * bits / self._baud + self.latency + extra

    def _await(self, cmd: int, seq: int, timeout: float):
        deadline = self._now() + timeout
        while True:
            remaining = deadline - self._now()
            if remaining <= 0:
                self.stats.timeouts += 1
                return None, "no answer in time"
            self.port.timeout = remaining
            data = self.port.read(max(1, self.port.in_waiting))
            if not data:
                continue
            self._heard = (self._heard + data)[-2 * len(SIM_BUSY):]
            for f in self.decoder.feed(data):
                if not f.crc_ok:
                    self.stats.corrupt += 1
                elif f.payload[2] == P.Status.BAD_CRC:
                    self.stats.naks += 1
                    return None, "the board received a damaged request"
                elif f.payload[0] == cmd and f.payload[1] == seq:
                    return f.payload, ""
                else:
                    self.stats.stale += 1

    def transact(self, cmd: P.Cmd, args: bytes = b"", *, extra_time: float = 0.0) -> bytes:
        """Send a request until it is answered; return the response data (after STATUS)."""
        if len(args) != P.ARG_LEN[cmd]:
            raise ValueError(f"{cmd.name} takes {P.ARG_LEN[cmd]} argument bytes, got {len(args)}")
        self._seq = (self._seq + 1) & 0xFF
        request = encode_request(cmd, self._seq, args)
        want = P.DATA_LEN[cmd]
        timeout = self._reply_timeout(len(request), P.CONFIG_CHUNK if want is None else want,
                                      extra_time)
        self.stats.requests += 1
        problem = ""
        for attempt in range(self.retries + 1):
            try:
                if attempt:
                    self.stats.retries += 1
                    self.stats.problems.append(f"{cmd.name}: {problem}")
                    self.resync()
                sent = time.monotonic()
                self.port.write(request)
                payload, problem = self._await(cmd, self._seq, timeout)
                if payload is not None and self._pace_latency and not extra_time:
                    self._learn_latency(time.monotonic() - sent)
            except OSError as exc:  # pyserial's SerialException too: the port went away
                why = " ".join(str(exc).split()) or type(exc).__name__
                raise BoardError(f"{self.name}: the link failed during {cmd.name}: {why}") \
                    from None
            if payload is None:
                continue
            status = payload[2]
            data = payload[3:]
            if status != P.Status.OK:
                try:
                    what = P.Status(status).name
                except ValueError:
                    what = f"status {status}"
                raise BoardError(f"{self.name}: the board rejected {cmd.name} ({what}); the "
                                 "board and this host disagree about the protocol")
            if want is not None and len(data) != want:
                raise BoardError(f"{self.name}: {cmd.name} answered {len(data)} data bytes, "
                                 f"expected {want}")
            return data
        raise BoardError(f"{self.name}: no valid answer to {cmd.name} after "
                         f"{self.retries + 1} tries ({problem}); is the board programmed with "
                         "the rvpmu board design and is this its UART?")

    # -- commands ------------------------------------------------------------------------------

    def connect(self) -> Hello:
        """Resynchronise, then HELLO: check the magic and the protocol version."""
        saved = self.retries
        self.retries = min(self.retries, 2)
        try:
            self.resync()
            data = self.transact(P.Cmd.HELLO, extra_time=self.initial_quiet)
        except (BoardError, OSError) as exc:
            if SIM_BUSY in self._heard:
                raise BoardError(f"{self.name}: the simulated board is busy with another "
                                 "client; try again when it has finished") from None
            if isinstance(exc, OSError):
                why = " ".join(str(exc).split()) or type(exc).__name__
                raise BoardError(f"{self.name}: the link failed: {why}") from None
            raise BoardError(f"{self.name}: no rvpmu board answers (HELLO got no valid "
                             "response); check the port, that the board is programmed with "
                             "`rvpmu board build ... --program`, and the baud rate") from None
        finally:
            self.retries = saved
        f = P.unpack(P.HELLO_FIELDS, data, raw=("magic", "config_hash"))
        if f["magic"] != P.MAGIC:
            raise BoardError(f"{self.name}: the device answered, but it is not an rvpmu board")
        version = (f["version_major"], f["version_minor"])
        if version[0] != P.VERSION_MAJOR:
            raise BoardError(f"{self.name}: the board speaks protocol {version[0]}.{version[1]}, "
                             f"this host {P.VERSION_MAJOR}.{P.VERSION_MINOR}: rebuild and "
                             "program the board with this rvpmu")
        self.info = Hello(version, f["board"], f["inputs"], f["clk_hz"], f["baud"],
                          f["frame_timeout"], f["config_len"], f["config_hash"])
        self.cycles_per_second = self.info.clk_hz
        if self.info.board == P.Board.SIMULATION and not hasattr(self.port, "now"):
            # a simulated board over a real-time link (`rvpmu board sim`): the simulator runs
            # far slower than its nominal clock, so allow for its pace
            self.latency = max(self.latency, SIMULATOR_LATENCY)
            self.cycles_per_second = SIMULATOR_PACE
            self._pace_latency = True
        return self.info

    def read_config(self) -> PMUConfig:
        """The PMU configuration the board was built with (checked against HELLO's hash)."""
        info = self.info or self.connect()
        text = b""
        while len(text) < info.config_len:
            chunk = self.transact(P.Cmd.CONFIG, P.pack(P.ARGS[P.Cmd.CONFIG], offset=len(text)))
            if not chunk:
                break
            text += chunk
        if P.config_hash(text) != info.config_hash:
            raise BoardError(f"{self.name}: the configuration text read from the board does "
                             "not match its hash")
        try:
            return PMUConfig.from_dict(tomllib.loads(text.decode("utf-8")), source="board")
        except (ConfigError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise BoardError(f"{self.name}: the board's configuration is unreadable: "
                             f"{exc}") from None

    def csr(self, op: csr.CSROp, addr: int, wdata: int = 0,
            mode: csr.Mode = csr.Mode.M) -> CSRResponse:
        """One CSR access, answered as the PMU's port answers it; ``lcofip`` then holds the
        PMU's LCOFIP after it."""
        d = self._call(P.Cmd.CSR, op=int(op), mode=int(mode), addr=addr,
                       wdata=wdata & ((1 << 64) - 1))
        self.lcofip = bool(d["flags"] & P.FLAG_LCOFIP)
        return CSRResponse(True, bool(d["flags"] & P.FLAG_HIT), d["rdata"], csr.Exc(d["exc"]))

    def run(self, cycles: int, mode: csr.Mode, stop_on_lcofip: bool = False) -> RunResult:
        if not 0 <= cycles <= U32:
            raise ValueError(f"a run is 0..{U32} cycles, got {cycles}")
        clk = self.cycles_per_second or 1e6
        d = self._call(P.Cmd.RUN, extra_time=1.05 * cycles / clk, cycles=cycles, mode=int(mode),
                       flags=P.RUN_STOP_ON_LCOFIP * stop_on_lcofip)
        self.lcofip = bool(d["flags"] & P.FLAG_LCOFIP)
        return RunResult(d["cycles"], self.lcofip)

    def gen_write(self, register: int, value: int) -> None:
        self._call(P.Cmd.GEN, register=register, value=value & U32)

    def inputs(self, mask: int) -> int:
        """Let board input j drive event input j where bit j of ``mask`` is set; returns the
        inputs' levels."""
        return self._call(P.Cmd.INPUTS, mask=mask & U32)["levels"]

    def _call(self, cmd: P.Cmd, *, extra_time: float = 0.0, **args) -> dict[str, int]:
        """``cmd`` with its arguments by field name (``protocol.ARGS``); its data by field."""
        data = self.transact(cmd, P.pack(P.ARGS[cmd], **args), extra_time=extra_time)
        return P.unpack(P.DATA[cmd], data)

    def reset(self) -> None:
        self.transact(P.Cmd.RESET)
        self.lcofip = False  # the PMU as after power-on

    def status(self) -> LinkStatus:
        return LinkStatus(**self._call(P.Cmd.STATUS))
