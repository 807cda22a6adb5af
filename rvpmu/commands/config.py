"""``rvpmu config`` and ``rvpmu csr-map``: the configuration and the CSR map it gives."""

from __future__ import annotations

import argparse

from .common import add_command, load_config, write_out


def cmd_config(args: argparse.Namespace) -> int:
    cfg = load_config(args.config)
    write_out(cfg.to_toml() if args.toml else cfg.summary() + "\n", args.output)
    return 0


def cmd_csr_map(args: argparse.Namespace) -> int:
    from .. import regmap

    cfg = load_config(args.config)
    write_out(regmap.as_json(cfg) if args.format == "json" else regmap.markdown(cfg), args.output)
    return 0


def register(sub) -> None:
    sp = add_command(sub, "config", "validate a PMU configuration and print every value",
                     cmd_config, config=True)
    sp.add_argument("--toml", action="store_true", help="print it as a complete TOML file")
    sp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")

    sp = add_command(sub, "csr-map", "print the CSR map of a configuration (Markdown or JSON)",
                     cmd_csr_map, config=True)
    sp.add_argument("--format", choices=("md", "json"), default="md")
    sp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
