"""Tools for the evaluation set (`codecall eval examples/eval/tasks.jsonl --tools examples/eval/tools.py`).

Thirty-odd small, deterministic tools over made-up tables, so tasks have one right answer and tasks that
offer every tool test the retrieval of the few relevant ones. Docstrings are what the model and the
retriever see; a few carry Chinese aliases, as a tool author serving Chinese users would write.
"""

from __future__ import annotations

import math

#: Chinese names of the countries, cities and items the tables know: the tools accept either.
_ALIASES = {"法国": "france", "德国": "germany", "日本": "japan", "中国": "china", "意大利": "italy", "西班牙": "spain",
            "加拿大": "canada", "埃及": "egypt", "巴黎": "paris", "柏林": "berlin", "东京": "tokyo", "北京": "beijing",
            "罗马": "rome", "马德里": "madrid", "伦敦": "london", "上海": "shanghai", "开罗": "cairo", "苹果": "apple",
            "香蕉": "banana", "樱桃": "cherry", "梨": "pear"}  # fmt: skip
_CAPITALS = {"france": "Paris", "germany": "Berlin", "japan": "Tokyo", "china": "Beijing", "italy": "Rome",
             "spain": "Madrid", "canada": "Ottawa", "egypt": "Cairo", "kenya": "Nairobi"}  # fmt: skip
_POPULATION_M = {"france": 68, "germany": 84, "japan": 124, "china": 1410, "italy": 59, "spain": 48, "canada": 40}
_WEATHER = {"paris": 18, "berlin": 15, "tokyo": 22, "beijing": 25, "rome": 24, "madrid": 27, "london": 14,
            "shanghai": 26, "cairo": 33}  # fmt: skip
_RATES = {"USD": 1.0, "EUR": 0.9, "CNY": 7.0, "JPY": 150.0, "GBP": 0.8}
_STOCK = {"apple": 12, "banana": 30, "cherry": 0, "pear": 7}
_PRICES = {"apple": 0.5, "banana": 0.25, "cherry": 3.0, "pear": 0.8}
_USERS = {"alice": "alice@example.com", "bob": "bob@example.com", "carol": "carol@example.com"}


def _key(name: str) -> str:
    name = name.strip().lower()
    return _ALIASES.get(name, name)


def add(a: float, b: float) -> float:
    """Add two numbers and return the sum (加法, 相加)."""
    return a + b


def subtract(a: float, b: float) -> float:
    """Subtract b from a and return the difference (减法)."""
    return a - b


def multiply(a: float, b: float) -> float:
    """Multiply two numbers and return the product (乘法)."""
    return a * b


def divide(a: float, b: float) -> float:
    """Divide a by b and return the quotient (除法)."""
    return a / b


def power(base: float, exponent: float) -> float:
    """Raise base to the power exponent (幂, 次方)."""
    return base**exponent


def square_root(x: float) -> float:
    """Return the square root of a number (平方根)."""
    return math.sqrt(x)


def factorial(n: int) -> int:
    """Return n factorial, n! (阶乘)."""
    return math.factorial(n)


def is_prime(n: int) -> bool:
    """Tell whether an integer is a prime number (质数)."""
    return n > 1 and all(n % d for d in range(2, math.isqrt(n) + 1))


def gcd(a: int, b: int) -> int:
    """Greatest common divisor of two integers (最大公约数)."""
    return math.gcd(a, b)


def average(numbers: list[float]) -> float:
    """The average (mean) of a list of numbers (平均值)."""
    return sum(numbers) / len(numbers)


def maximum(numbers: list[float]) -> float:
    """The largest number in a list (最大值)."""
    return max(numbers)


def sort_numbers(numbers: list[float], descending: bool = False) -> list[float]:
    """Sort a list of numbers, ascending unless descending is True (排序)."""
    return sorted(numbers, reverse=descending)


def percent_of(percent: float, amount: float) -> float:
    """Return percent % of an amount, e.g. percent_of(15, 200) -> 30 (百分比)."""
    return percent * amount / 100


def apply_discount(price: float, percent: float) -> float:
    """The price after a discount of percent % (折扣)."""
    return round(price * (1 - percent / 100), 2)


def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert a temperature from degrees Celsius to degrees Fahrenheit (摄氏度转华氏度)."""
    return celsius * 9 / 5 + 32


def km_to_miles(km: float) -> float:
    """Convert a distance in kilometers to miles (公里转英里)."""
    return round(km * 0.621371, 3)


def kg_to_pounds(kg: float) -> float:
    """Convert a weight in kilograms to pounds (公斤转磅)."""
    return round(kg * 2.20462, 3)


def convert_currency(amount: float, from_currency: str, to_currency: str) -> float:
    """Convert an amount of money between currencies: USD, EUR, CNY, JPY, GBP (货币兑换, 汇率)."""
    return round(amount / _RATES[from_currency.upper()] * _RATES[to_currency.upper()], 2)


def word_count(text: str) -> int:
    """Count the words in a text (words are separated by whitespace) (字数)."""
    return len(text.split())


def reverse_text(text: str) -> str:
    """Return the text reversed, last character first (反转)."""
    return text[::-1]


def to_uppercase(text: str) -> str:
    """Return the text in upper case letters (大写)."""
    return text.upper()


def count_vowels(text: str) -> int:
    """Count the vowels (a, e, i, o, u) in a text (元音)."""
    return sum(ch in "aeiou" for ch in text.lower())


def is_palindrome(text: str) -> bool:
    """Tell whether a word reads the same backwards, ignoring case (回文)."""
    clean = text.lower().replace(" ", "")
    return clean == clean[::-1]


def capital_of(country: str) -> str:
    """Return the capital city of a country, e.g. capital_of("France") -> "Paris" (首都)."""
    return _CAPITALS[_key(country)]


def population_of(country: str) -> int:
    """Return the population of a country, in millions of people (人口)."""
    return _POPULATION_M[_key(country)]


def weather_in(city: str) -> int:
    """Return today's temperature in a city, in degrees Celsius (天气, 气温)."""
    return _WEATHER[_key(city)]


def stock_of(item: str) -> int:
    """How many units of an item are in the shop's inventory (库存)."""
    return _STOCK[_key(item)]


def price_of(item: str) -> float:
    """The unit price of an item in the shop, in USD (价格)."""
    return _PRICES[_key(item)]


def email_of(user: str) -> str:
    """The email address of a user of the system (邮箱)."""
    return _USERS[_key(user)]


def circle_area(radius: float) -> float:
    """The area of a circle of a given radius, rounded to 2 decimals (圆的面积)."""
    return round(math.pi * radius**2, 2)


def rectangle_area(width: float, height: float) -> float:
    """The area of a rectangle (矩形面积)."""
    return width * height


def days_between(start: str, end: str) -> int:
    """The number of days between two dates written YYYY-MM-DD (日期, 天数)."""
    from datetime import date

    return (date.fromisoformat(end) - date.fromisoformat(start)).days


def weekday_of(day: str) -> str:
    """The weekday (Monday...Sunday) of a date written YYYY-MM-DD (星期几)."""
    from datetime import date

    return date.fromisoformat(day).strftime("%A")


def bmi(weight_kg: float, height_m: float) -> float:
    """Body mass index from weight in kilograms and height in meters, rounded to 1 decimal (体重指数)."""
    return round(weight_kg / height_m**2, 1)


def current_year() -> int:
    """The current year of the evaluation's fixed clock (今年)."""
    return 2025


def fibonacci(n: int) -> int:
    """The n-th Fibonacci number, fibonacci(1) = fibonacci(2) = 1 (斐波那契)."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
