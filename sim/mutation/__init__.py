"""Mutation scoring of the regression (``rvpmu mutate``, docs/mutation.md).

Yosys' ``mutate`` pass lists faults in the PMU's cells; each mutant runs the cocotb regression
of rvpmu.sim.tb_pmu; survivors are checked for equivalence with a miter and SymbiYosys.
"""

from .design import Mutation, MutationError
from .equiv import EQUIVALENT, NOT_EQUIVALENT, UNKNOWN, Equivalence
from .score import KILLED, NOT_COMPILED, SURVIVED, TIMEOUT, Outcome, Score, run

__all__ = ["Mutation", "MutationError", "Equivalence", "Outcome", "Score", "run", "KILLED",
           "TIMEOUT", "SURVIVED", "NOT_COMPILED", "EQUIVALENT", "NOT_EQUIVALENT", "UNKNOWN"]
