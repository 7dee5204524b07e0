"""Example tools for `codecall ask --tools examples/tools.py`: plain typed functions with docstrings.

No decorator is needed: a module without `@codecall.tool` functions offers every public function it defines.
"""

from __future__ import annotations

#: Capitals of a few countries, as a small lookup table.
CAPITALS = {"france": "Paris", "germany": "Berlin", "japan": "Tokyo", "china": "Beijing", "italy": "Rome"}


def add(a: float, b: float) -> float:
    """Add two numbers and return the sum."""
    return a + b


def multiply(a: float, b: float) -> float:
    """Multiply two numbers and return the product."""
    return a * b


def word_count(text: str) -> int:
    """Count the words in a text (words are separated by whitespace)."""
    return len(text.split())


def capital_of(country: str) -> str:
    """Return the capital city of a country, e.g. capital_of("France") -> "Paris"."""
    try:
        return CAPITALS[country.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown country {country!r}; known: {', '.join(sorted(CAPITALS))}") from None


def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert a temperature from degrees Celsius to degrees Fahrenheit."""
    return celsius * 9 / 5 + 32
