"""Subcommand modules of ``rvpmu``; each has ``register(subparsers)``.

Add a module to COMMAND_MODULES (and the import) without removing the others.
"""

from . import board, compare, config, coverage, doctor, formal, generate, model, mutate, sim, soc

COMMAND_MODULES = (config, generate, sim, coverage, model, compare, formal, board, doctor, mutate,
                   soc)
