"""The virtual CCCD chip: file system, chip-side BAC/PACE/SM/AA/CA, personalisation, vpcd bridge.

Never imported by the library layers; tests, examples, the demo and the CLI use it.

Typical use::

    from chipid.sim import VirtualChip, SimTransport, default_profile
    transport = SimTransport(VirtualChip(default_profile()))
"""

from __future__ import annotations

from chipid.sim.chip import VirtualChip
from chipid.sim.faults import Faults
from chipid.sim.profile import CardProfile
from chipid.sim.transport import SimTransport

__all__ = ["CardProfile", "Faults", "SimTransport", "VirtualChip"]
