"""Evaluations of argmap stages against labelled data, each runnable as ``python -m``."""
