"""Subcommand modules of ``rvpmu``; each has ``register(subparsers)``."""

from . import config, doctor, model

COMMAND_MODULES = (config, model, doctor)
