"""FPGA board support: the PMU behind a UART on a ULX3S or an Arty A7.

- ``protocol``: the link protocol's numbers, shared by both ends (docs/board-protocol.md);
- ``gateware``: the board top (UART, frame parser, command executor, sender, inputs);
- ``platforms``: the top on the amaranth-boards platforms; ``build``: bitstreams and projects;
- ``host``: the pyserial driver, the KVM hardware backend over it, the checks against the model;
- ``sim``: the board top in cocotb behind a simulated serial link.
"""
