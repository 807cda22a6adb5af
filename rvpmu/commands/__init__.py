"""Subcommand modules of ``rvpmu``; each has ``register(subparsers)``.

Add a module to COMMAND_MODULES (and the import) without removing the others.
"""

from . import compare, config, doctor, generate, model, sim

COMMAND_MODULES = (config, generate, sim, model, compare, doctor)
