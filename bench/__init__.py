"""Benchmarks that are run by hand or in CI output, never as pass/fail gates on timing."""
