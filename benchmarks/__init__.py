"""Benchmarks for edigw: run each as a module (``python -m benchmarks.parse``); they are not tests."""
