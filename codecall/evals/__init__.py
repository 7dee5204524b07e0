"""Evaluation harnesses, apart from the library: tool-calling tasks (`evaluate`) and DABench's data-analysis
questions (`dabench`), each run through the same `Agent` a user runs."""
