"""Host side without a board: the response decoder's resynchronisation, request encoding, and
the driver's one-line failure when nothing (or only an echo) answers."""

import random

import pytest

from rvpmu.boards import protocol as P
from rvpmu.boards.host import BoardClient, BoardError, open_port
from rvpmu.boards.host.framing import FrameDecoder, encode_request, encode_response


def test_request_layout():
    f = encode_request(P.Cmd.RUN, 0x1FF, bytes(6))
    assert f[0] == P.REQUEST_SYNC and f[1] == 8 and f[2:4] == bytes([P.Cmd.RUN, 0xFF])
    assert len(f) == 2 + 8 + 2


def test_decoder_finds_frames_behind_garbage_and_false_starts():
    good = [encode_response(P.Cmd.CSR, i, 0, bytes(range(i, i + 10))) for i in range(5)]
    bad = bytearray(encode_response(P.Cmd.RUN, 9, 0, bytes(5)))
    bad[5] ^= 0x10
    rng = random.Random(2)
    stream = b""
    for g in good:
        stream += bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 9)))
        stream += bytes([P.RESPONSE_SYNC, 200])  # a false start with an impossible length
        stream += bytes([P.RESPONSE_SYNC, 12, 1, 2])  # a false start cut short by the real one
        stream += g
    stream += bytes(bad)
    dec = FrameDecoder()
    frames = []
    for i in range(0, len(stream), 7):  # arriving in pieces
        frames += dec.feed(stream[i:i + 7])
    ok = [f.payload for f in frames if f.crc_ok]
    assert ok == [g[2:-2] for g in good]
    assert any(not f.crc_ok for f in frames)


def test_no_board_behind_an_echo():
    # loop:// echoes every request back: requests never look like responses
    client = BoardClient(open_port("loop://"), latency=0.01, retries=1, initial_quiet=0.01)
    with pytest.raises(BoardError, match="no rvpmu board answers"):
        client.connect()


def test_unopenable_port():
    with pytest.raises(BoardError, match="cannot open serial port /dev/rvpmu-none"):
        open_port("/dev/rvpmu-none")


def test_protocol_doc_names_every_command_and_status():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "board-protocol.md").read_text()
    for c in P.Cmd:
        assert f"| 0x{c:02X} | {c.name} |" in doc, c
    for s in P.Status:
        if s:
            assert f"{s} `{s.name}`" in doc, s
    assert f"version {P.VERSION_MAJOR}.{P.VERSION_MINOR}" in doc


def test_fields_pack_and_unpack_as_the_layouts_say():
    """protocol.ARGS/DATA are the one layout of both ends: little-endian fields in order."""
    args = P.pack(P.ARGS[P.Cmd.CSR], op=1, mode=3, addr=0xB00, wdata=0x1122)
    assert args == bytes([1, 3, 0x00, 0x0B, 0x22, 0x11]) + bytes(6)
    assert len(args) == P.ARG_LEN[P.Cmd.CSR] and P.offsets(P.ARGS[P.Cmd.CSR])["wdata"] == (4, 8)
    data = bytes([P.FLAG_HIT, 2]) + (7).to_bytes(8, "little")
    assert P.unpack(P.DATA[P.Cmd.CSR], data) == {"flags": 1, "exc": 2, "rdata": 7}
    with pytest.raises(ValueError, match="mode is a 8-bit field, got 256"):
        P.pack(P.ARGS[P.Cmd.RUN], cycles=1, mode=256)
    with pytest.raises(ValueError, match="no field 'wdata'"):
        P.pack(P.ARGS[P.Cmd.RUN], wdata=1)


def test_protocol_doc_gives_the_layouts():
    """The command table of docs/board-protocol.md names the fields of protocol.ARGS and
    protocol.DATA with their sizes, in order (u8, u16, u32, u64)."""
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "board-protocol.md").read_text()
    rows = {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(
        r"^\| 0x[0-9A-F]{2} \| (\w+) \| (.*?) \| (.*?) \|$", doc, re.M)}
    assert set(rows) == {c.name for c in P.Cmd}

    def sizes(text):
        each = re.match(r"u(\d+) each", text)
        return [int(n) // 8 for n in re.findall(r"\bu(\d+)\b", text)] if not each else None

    for c in P.Cmd:
        args, data = rows[c.name]
        assert sizes(args) == [n for _, n in P.ARGS[c]], c
        if c == P.Cmd.STATUS:
            assert data.startswith("u16 each") and [n for _, n in P.DATA[c]] == [2] * 4
        elif c not in (P.Cmd.HELLO, P.Cmd.CONFIG):
            assert sizes(data) == [n for _, n in P.DATA[c]], c
    assert rows["HELLO"][1].startswith(f"{P.HELLO_LEN} bytes")
