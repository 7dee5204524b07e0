"""More tools for the evaluation's own tasks: the longer, story-like ones of `codecall.jsonl`.

Used together with `tools.py` (`--tools examples/eval/tools.py --tools examples/eval/story_tools.py`). These
take three to six typed parameters, optional ones, lists, and values the way an API wants them rather than
the way a person says them: a rate as a fraction (5% is 0.05), a probability between 0 and 1, metres rather
than centimetres. Results are rounded so each task has one exact answer; bad arguments raise ValueError
saying what was expected.
"""

from __future__ import annotations

import math
from datetime import date, timedelta


def _positive(**values: float) -> None:
    for name, value in values.items():
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")


def _fraction(name: str, value: float) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{name} is a fraction between 0 and 1 (5% is 0.05), got {value}")


# --- chance and statistics ----------------------------------------------------------------------------------


def binomial_probability(trials: int, successes: int, p: float) -> float:
    """The probability of exactly `successes` successes in `trials` independent tries, rounded to 4 decimals.

    Args:
        trials: How many independent tries there are.
        successes: How many of them succeed.
        p: The chance that one try succeeds, a probability between 0 and 1 (70% is 0.7).
    """
    _fraction("p", p)
    if not 0 <= successes <= trials:
        raise ValueError("successes must be between 0 and trials")
    return round(math.comb(trials, successes) * p**successes * (1 - p) ** (trials - successes), 4)


def at_least_probability(trials: int, successes: int, p: float) -> float:
    """The probability of at least `successes` successes in `trials` independent tries, rounded to 4 decimals.

    Args:
        trials: How many independent tries there are.
        successes: The smallest number of successes that counts.
        p: The chance that one try succeeds, a probability between 0 and 1 (70% is 0.7).
    """
    _fraction("p", p)
    total = sum(math.comb(trials, k) * p**k * (1 - p) ** (trials - k) for k in range(successes, trials + 1))
    return round(total, 4)


def expected_value(outcomes: list[float], probabilities: list[float]) -> float:
    """The expected value of a bet or game: each outcome times its probability, summed, rounded to 2 decimals.

    Args:
        outcomes: What each outcome pays (negative for a loss).
        probabilities: The probability of each outcome, between 0 and 1, in the same order; they sum to 1.
    """
    if len(outcomes) != len(probabilities):
        raise ValueError("give one probability per outcome")
    if abs(sum(probabilities) - 1) > 1e-6:
        raise ValueError(f"the probabilities sum to {sum(probabilities)}, not 1 (25% is 0.25)")
    return round(sum(o * p for o, p in zip(outcomes, probabilities, strict=True)), 2)


def weighted_average(values: list[float], weights: list[float]) -> float:
    """The average of values, each counted by its weight, rounded to 2 decimals.

    Args:
        values: The values, e.g. grades.
        weights: How much each value counts, in the same order (percentages or any other shares).
    """
    if len(values) != len(weights) or not values:
        raise ValueError("give one weight per value")
    return round(sum(v * w for v, w in zip(values, weights, strict=True)) / sum(weights), 2)


def standard_deviation(values: list[float], sample: bool = False) -> float:
    """The standard deviation of a list of numbers, rounded to 3 decimals.

    Args:
        values: The numbers.
        sample: True for the sample standard deviation (divides by n - 1), False for the population one.
    """
    if len(values) < 2:
        raise ValueError("give at least two values")
    mean = sum(values) / len(values)
    squares = sum((v - mean) ** 2 for v in values)
    return round(math.sqrt(squares / (len(values) - 1 if sample else len(values))), 3)


def final_grade(scores: list[float], drop_lowest: bool = False) -> float:
    """A student's final grade: the average of the scores, optionally without the lowest one, rounded to 2.

    Args:
        scores: The scores, in any order.
        drop_lowest: Whether to leave out the lowest score before averaging.
    """
    kept = sorted(scores)[1:] if drop_lowest else list(scores)
    if not kept:
        raise ValueError("no scores left to average")
    return round(sum(kept) / len(kept), 2)


def percent_change(old: float, new: float) -> float:
    """The change from old to new as a percentage of old, rounded to 2 decimals (negative for a fall).

    Args:
        old: The value before.
        new: The value after.
    """
    if old == 0:
        raise ValueError("old must not be zero")
    return round((new - old) / old * 100, 2)


# --- vectors ------------------------------------------------------------------------------------------------


def dot_product(a: list[float], b: list[float]) -> float:
    """The dot product of two vectors of the same length.

    Args:
        a: The first vector, e.g. [1, 2, 3].
        b: The second vector.
    """
    if len(a) != len(b):
        raise ValueError("the vectors have different lengths")
    return round(sum(x * y for x, y in zip(a, b, strict=True)), 6)


def vector_length(v: list[float]) -> float:
    """The length (Euclidean norm) of a vector, rounded to 3 decimals.

    Args:
        v: The vector, e.g. [3, 4].
    """
    return round(math.sqrt(sum(x * x for x in v)), 3)


# --- money --------------------------------------------------------------------------------------------------


def compound_interest(principal: float, annual_rate: float, years: int, compounds_per_year: int = 1) -> float:
    """What a deposit grows to with compound interest, rounded to 2 decimals.

    Args:
        principal: The amount deposited at the start.
        annual_rate: The yearly interest rate as a fraction (4.5% is 0.045).
        years: How many years the money stays.
        compounds_per_year: How often interest is added each year (1 yearly, 4 quarterly, 12 monthly).
    """
    _fraction("annual_rate", annual_rate)
    n = compounds_per_year
    return round(principal * (1 + annual_rate / n) ** (n * years), 2)


def loan_payment(principal: float, annual_rate: float, months: int) -> float:
    """The fixed monthly payment that repays a loan, rounded to 2 decimals.

    Args:
        principal: The amount borrowed.
        annual_rate: The yearly interest rate as a fraction (6% is 0.06).
        months: The length of the loan in months.
    """
    _fraction("annual_rate", annual_rate)
    _positive(months=months)
    r = annual_rate / 12
    if r == 0:
        return round(principal / months, 2)
    return round(principal * r / (1 - (1 + r) ** -months), 2)


def order_total(unit_price: float, quantity: int, tax_rate: float = 0.0, discount_percent: float = 0.0,
                shipping: float = 0.0) -> float:  # fmt: skip
    """The total of an order, rounded to 2 decimals: price times quantity, less the discount, plus tax on
    the discounted amount, plus shipping (not taxed).

    Args:
        unit_price: The price of one item.
        quantity: How many items.
        tax_rate: The sales tax as a fraction (8% is 0.08).
        discount_percent: The discount in percent (15 for 15% off).
        shipping: A flat shipping charge.
    """
    _fraction("tax_rate", tax_rate)
    if not 0 <= discount_percent <= 100:
        raise ValueError(f"discount_percent is between 0 and 100, got {discount_percent}")
    goods = unit_price * quantity * (1 - discount_percent / 100)
    return round(goods * (1 + tax_rate) + shipping, 2)


def split_bill(total: float, people: int, tip_percent: float = 0.0) -> float:
    """What each person pays when a bill, plus a tip, is split evenly, rounded to 2 decimals.

    Args:
        total: The bill before the tip.
        people: How many people share it.
        tip_percent: The tip in percent of the bill (18 for 18%).
    """
    _positive(people=people)
    return round(total * (1 + tip_percent / 100) / people, 2)


def inflation_adjust(amount: float, annual_inflation: float, years: int) -> float:
    """What an amount of money will have to be in `years` years to buy the same, rounded to 2 decimals.

    Args:
        amount: Today's amount.
        annual_inflation: The yearly inflation as a fraction (3% is 0.03).
        years: How many years ahead.
    """
    _fraction("annual_inflation", annual_inflation)
    return round(amount * (1 + annual_inflation) ** years, 2)


def savings_months(goal: float, monthly_deposit: float, starting_balance: float = 0.0) -> int:
    """How many monthly deposits it takes to reach a savings goal (no interest).

    Args:
        goal: The amount to reach.
        monthly_deposit: What is put aside each month.
        starting_balance: What is already saved.
    """
    _positive(monthly_deposit=monthly_deposit)
    return max(0, math.ceil((goal - starting_balance) / monthly_deposit))


def electricity_cost(watts: float, hours_per_day: float, days: int, price_per_kwh: float) -> float:
    """The cost of running a device, rounded to 2 decimals.

    Args:
        watts: The device's power in watts.
        hours_per_day: How many hours a day it runs.
        days: For how many days.
        price_per_kwh: The price of one kilowatt-hour.
    """
    return round(watts / 1000 * hours_per_day * days * price_per_kwh, 2)


# --- travel -------------------------------------------------------------------------------------------------

#: Rail distances in km between the cities the fare table knows.
_RAIL_KM = {frozenset(("paris", "lyon")): 465, frozenset(("paris", "brussels")): 312,
            frozenset(("berlin", "munich")): 585, frozenset(("madrid", "barcelona")): 621,
            frozenset(("rome", "milan")): 574, frozenset(("london", "edinburgh")): 650,
            frozenset(("beijing", "shanghai")): 1318, frozenset(("tokyo", "osaka")): 515}  # fmt: skip
_HOTEL_RATES = {"paris": 180.0, "lyon": 110.0, "berlin": 120.0, "rome": 150.0, "madrid": 115.0, "tokyo": 160.0,
                "london": 200.0, "beijing": 95.0, "shanghai": 105.0}  # fmt: skip
_CAR_RATES = {"economy": 35.0, "compact": 45.0, "suv": 70.0, "van": 85.0}


#: Chinese names of the cities, activities and car categories above: the tools accept either.
_ALIASES = {"巴黎": "paris", "里昂": "lyon", "布鲁塞尔": "brussels", "柏林": "berlin", "慕尼黑": "munich",
            "马德里": "madrid", "巴塞罗那": "barcelona", "罗马": "rome", "米兰": "milan", "伦敦": "london",
            "爱丁堡": "edinburgh", "北京": "beijing", "上海": "shanghai", "东京": "tokyo", "大阪": "osaka",
            "跑步": "running", "骑车": "cycling", "骑自行车": "cycling", "步行": "walking", "游泳": "swimming",
            "瑜伽": "yoga", "经济型": "economy", "紧凑型": "compact", "面包车": "van"}  # fmt: skip


def _key(name: str) -> str:
    name = name.strip().lower()
    return _ALIASES.get(name, name)


def train_fare(origin: str, destination: str, passengers: int = 1, first_class: bool = False,
               return_trip: bool = False) -> float:  # fmt: skip
    """The price of train tickets in EUR, rounded to 2 decimals: 0.12 per km per passenger, first class
    costs 1.5 times as much, a return trip twice as much.

    Args:
        origin: The departure city.
        destination: The arrival city.
        passengers: How many people travel.
        first_class: Whether they travel first class.
        return_trip: Whether the tickets include the way back.
    """
    km = _RAIL_KM.get(frozenset((_key(origin), _key(destination))))
    if km is None:
        raise ValueError(f"no line between {origin} and {destination}")
    _positive(passengers=passengers)
    return round(km * 0.12 * passengers * (1.5 if first_class else 1) * (2 if return_trip else 1), 2)


def hotel_cost(city: str, nights: int, rooms: int = 1, breakfast: bool = False) -> float:
    """The cost of a hotel stay in EUR: the city's nightly rate per room, plus 15 per room and night for
    breakfast.

    Args:
        city: The city of the hotel.
        nights: How many nights.
        rooms: How many rooms.
        breakfast: Whether breakfast is included.
    """
    rate = _HOTEL_RATES.get(_key(city))
    if rate is None:
        raise ValueError(f"no hotel rates for {city}; known: {', '.join(_HOTEL_RATES)}")
    _positive(nights=nights, rooms=rooms)
    return round((rate + (15 if breakfast else 0)) * nights * rooms, 2)


def car_rental(days: int, category: str = "economy", insurance: bool = False, extra_drivers: int = 0) -> float:
    """The cost of renting a car in EUR: the category's daily rate, plus 12 a day for insurance and 5 a day
    for each extra driver.

    Args:
        days: How many days.
        category: economy, compact, suv or van.
        insurance: Whether to add full insurance.
        extra_drivers: How many drivers besides the renter.
    """
    rate = _CAR_RATES.get(_key(category))
    if rate is None:
        raise ValueError(f"unknown category {category!r}; choose from {', '.join(_CAR_RATES)}")
    _positive(days=days)
    return round((rate + (12 if insurance else 0) + 5 * extra_drivers) * days, 2)


def fuel_cost(distance_km: float, liters_per_100km: float, price_per_liter: float) -> float:
    """The cost of the fuel for a drive, rounded to 2 decimals.

    Args:
        distance_km: The distance in kilometres.
        liters_per_100km: The car's consumption in litres per 100 km.
        price_per_liter: The price of one litre of fuel.
    """
    return round(distance_km * liters_per_100km / 100 * price_per_liter, 2)


def average_speed(distance_km: float, hours: float) -> float:
    """The average speed in km/h, rounded to 2 decimals.

    Args:
        distance_km: The distance in kilometres.
        hours: The time taken, in hours.
    """
    _positive(hours=hours)
    return round(distance_km / hours, 2)


def add_days(day: str, days: int) -> str:
    """The date a number of days after (or, when negative, before) a date written YYYY-MM-DD.

    Args:
        day: The starting date, YYYY-MM-DD.
        days: How many days to add.
    """
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def shipping_cost(weight_kg: float, distance_km: float, express: bool = False, insured_value: float = 0.0) -> float:
    """The price of sending a parcel, rounded to 2 decimals: 5 plus 0.8 per kg plus 0.02 per km; express
    costs 1.5 times as much; insurance adds 1% of the insured value.

    Args:
        weight_kg: The parcel's weight in kilograms.
        distance_km: How far it goes, in kilometres.
        express: Whether to send it express.
        insured_value: The value to insure (0 for none).
    """
    _positive(weight_kg=weight_kg)
    base = (5 + 0.8 * weight_kg + 0.02 * distance_km) * (1.5 if express else 1)
    return round(base + 0.01 * insured_value, 2)


# --- home, kitchen, sport -----------------------------------------------------------------------------------

_UNITS_M = {"mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0, "in": 0.0254, "ft": 0.3048, "yd": 0.9144,
            "mi": 1609.344}  # fmt: skip


def convert_length(value: float, from_unit: str, to_unit: str) -> float:
    """Convert a length between units, rounded to 4 decimals.

    Args:
        value: The length.
        from_unit: Its unit: mm, cm, m, km, in, ft, yd or mi.
        to_unit: The unit wanted, from the same list.
    """
    try:
        return round(value * _UNITS_M[from_unit.strip().lower()] / _UNITS_M[to_unit.strip().lower()], 4)
    except KeyError as e:
        raise ValueError(f"unknown unit {e.args[0]!r}; use one of {', '.join(_UNITS_M)}") from None


def paint_needed(length_m: float, width_m: float, height_m: float, coats: int = 1, doors: int = 0,
                 windows: int = 0) -> float:  # fmt: skip
    """Litres of paint for the walls of a room, rounded to 2 decimals: the wall area less 1.9 m² per door
    and 1.5 m² per window, times the coats, at 10 m² per litre.

    Args:
        length_m: The room's length in metres.
        width_m: The room's width in metres.
        height_m: The height of the walls in metres.
        coats: How many coats of paint.
        doors: How many doors.
        windows: How many windows.
    """
    _positive(length_m=length_m, width_m=width_m, height_m=height_m, coats=coats)
    area = 2 * (length_m + width_m) * height_m - 1.9 * doors - 1.5 * windows
    return round(area * coats / 10, 2)


def tiles_needed(area_m2: float, tile_cm: float, waste_percent: float = 10.0) -> int:
    """How many square tiles cover a floor, with a share added for cuts and breakage, rounded up.

    Args:
        area_m2: The floor area in square metres.
        tile_cm: The side of one square tile in centimetres.
        waste_percent: The extra share in percent (10 for 10%).
    """
    _positive(area_m2=area_m2, tile_cm=tile_cm)
    return math.ceil(area_m2 / (tile_cm / 100) ** 2 * (1 + waste_percent / 100) - 1e-9)


def scale_recipe(amount: float, servings: int, new_servings: int) -> float:
    """The amount of an ingredient for a different number of servings, rounded to 2 decimals.

    Args:
        amount: The amount the recipe gives.
        servings: How many servings the recipe makes.
        new_servings: How many servings are wanted.
    """
    _positive(servings=servings, new_servings=new_servings)
    return round(amount * new_servings / servings, 2)


_METS = {"running": 9.8, "cycling": 7.5, "walking": 3.5, "swimming": 8.0, "yoga": 2.5}


def calories_burned(activity: str, minutes: float, weight_kg: float) -> float:
    """The calories (kcal) a person burns doing an activity, rounded to 1 decimal.

    Args:
        activity: running, cycling, walking, swimming or yoga.
        minutes: How long, in minutes.
        weight_kg: The person's weight in kilograms.
    """
    met = _METS.get(_key(activity))
    if met is None:
        raise ValueError(f"unknown activity {activity!r}; choose from {', '.join(_METS)}")
    return round(met * 3.5 * weight_kg / 200 * minutes, 1)
