"""Readers that turn a plan's appendix into a ParsedPlan, and the service that writes it."""
