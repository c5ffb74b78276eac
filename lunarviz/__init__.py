"""lunarviz: fly and watch lunar descents in 3D with real SPICE ephemerides."""

__version__ = "0.1.0"
