"""Drives the engine durably: one transaction per engine step, timers, integration calls."""
