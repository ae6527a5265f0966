"""Buurtpreventie area planner: plan neighbourhood-watch WhatsApp groups for a wijk."""

__version__ = "0.1.0"
