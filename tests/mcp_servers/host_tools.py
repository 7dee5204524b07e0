"""Host tools for `codecall mcp --tools` in the tests: they run outside the sandbox."""

RATES = {"eur": 1.1, "gbp": 1.25}


def rate(currency: str) -> float:
    """The dollar value of one unit of a currency (eur, gbp)."""
    return RATES[currency.lower()]
