"""Subcommand modules of ``rvpmu``; each has ``register(subparsers)``."""

from . import config, doctor, generate, model

COMMAND_MODULES = (config, generate, model, doctor)
