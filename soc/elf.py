"""Reading the firmware ELF on the host: the RAM image and the function symbols.

A small ELF32 little-endian reader (program headers and ``.symtab``), enough for what the
SoC needs; no third-party ELF library.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

EM_RISCV = 243
PT_LOAD = 1
SHT_SYMTAB = 2
STT_FUNC = 2


class ELFError(ValueError):
    """Not a usable RV32 ELF, or it does not fit the SoC; the message says which."""


@dataclass(frozen=True)
class Symbol:
    name: str
    addr: int
    size: int


@dataclass(frozen=True)
class ELF:
    entry: int
    segments: tuple[tuple[int, bytes, int], ...]  # (address, file bytes, memory size)
    functions: tuple[Symbol, ...]  # sorted by address

    def image(self, ram_base: int, ram_bytes: int) -> dict[int, int]:
        """Word index -> 32-bit word of every loaded byte; bss is left to the crt0."""
        words: dict[int, int] = {}
        for addr, body, memsz in self.segments:
            if addr < ram_base or addr + memsz > ram_base + ram_bytes:
                raise ELFError(f"segment at 0x{addr:08x}..0x{addr + memsz:08x} does not fit "
                               f"the SoC's RAM (0x{ram_base:08x}..0x{ram_base + ram_bytes:08x})")
            for i, b in enumerate(body):
                a = addr + i - ram_base
                words[a // 4] = words.get(a // 4, 0) | b << (8 * (a % 4))
        return words

    def function_at(self, pc: int) -> str:
        """The function containing ``pc`` (by symbol size, or the closest one below)."""
        best = None
        for f in self.functions:
            if f.addr <= pc and (pc < f.addr + f.size or f.size == 0):
                best = f
        return best.name if best else f"0x{pc:08x}"


def read_elf(path: str | Path) -> ELF:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ELFError(f"cannot read {path}: {exc.strerror or exc}") from None
    if data[:4] != b"\x7fELF":
        raise ELFError(f"{path} is not an ELF file")
    if data[4] != 1 or data[5] != 1:
        raise ELFError(f"{path} is not a 32-bit little-endian ELF (the SoC is RV32)")
    try:
        (_type, machine, _v, entry, phoff, shoff, _fl, _eh, phentsize, phnum, shentsize, shnum,
         _shstrndx) = struct.unpack_from("<HHIIIIIHHHHHH", data, 16)
        if machine != EM_RISCV:
            raise ELFError(f"{path} is not a RISC-V ELF (machine {machine})")
        segments = []
        for i in range(phnum):
            p_type, off, _va, paddr, filesz, memsz, _f, _a = struct.unpack_from(
                "<IIIIIIII", data, phoff + i * phentsize)
            if p_type == PT_LOAD and memsz:
                segments.append((paddr, data[off:off + filesz], memsz))
        sections = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize)
                    for i in range(shnum)]
        functions = []
        for sh in sections:
            if sh[1] != SHT_SYMTAB:
                continue
            strtab = sections[sh[6]]
            for k in range(sh[5] // 16):
                name_off, value, size, info, _o, _ndx = struct.unpack_from(
                    "<IIIBBH", data, sh[4] + k * 16)
                if info & 0xF == STT_FUNC:
                    start = strtab[4] + name_off
                    name = data[start:data.index(b"\0", start)].decode()
                    functions.append(Symbol(name, value, size))
    except (struct.error, ValueError, IndexError) as exc:
        if isinstance(exc, ELFError):
            raise
        raise ELFError(f"{path} is a truncated or malformed ELF ({exc})") from None
    return ELF(entry, tuple(segments), tuple(sorted(functions, key=lambda s: s.addr)))
