"""The pins amaranth-boards gives each resource the board design uses (the reference the
generated constraint files are checked against)."""


def resource_pins(platform, name: str, number: int, sub: str | None = None) -> list[str]:
    for res in platform.resources.values():
        if res.name == name and res.number == number:
            ios = res.ios
            if sub is not None:
                ios = [s for s in ios if getattr(s, "name", None) == sub][0].ios
            return [p for io in ios if hasattr(io, "names") for p in io.names]
    raise KeyError((name, number))


def design_pins(platform, spec) -> dict[str, list[str]]:
    """Port name in the constraints -> the pins it must be on."""
    clk = platform.default_clk
    out = {f"{clk}_0__io": resource_pins(platform, clk, 0),
           "uart_0__rx__io": resource_pins(platform, "uart", 0, "rx"),
           "uart_0__tx__io": resource_pins(platform, "uart", 0, "tx")}
    for kind, n in (("led", spec.leds), ("button", spec.buttons), ("switch", spec.switches)):
        for i in range(n):
            out[f"{kind}_{i}__io"] = resource_pins(platform, kind, i)
    return out
