"""Pick the few tools relevant to a task, so a prompt stays short and a small model chooses among few.

A BM25 score over each tool's name, description, docstring and parameters. Words are split the way
code names them (`celsius_to_fahrenheit`, `getWeather`) and lightly stemmed; Chinese (and other CJK) text
is read as characters and character pairs, since it has no spaces. A Chinese task finds an English tool
through a small glossary of words tools are commonly about (计算 -> compute, 天气 -> weather), and
through whatever Chinese a tool's docstring holds, so an author can add aliases there. Lexical on
purpose: no embedding model to download, a few hundred microseconds per task, and its choice is easy to
explain; the choice goes into the trace (`Step.tools_shown`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from codecall.tools import Tool

#: Chinese words -> English words that tool names and docstrings use for the same thing.
GLOSSARY: dict[str, str] = {
    "计算": "compute calculate", "加": "add sum plus", "相加": "add sum", "总和": "sum total",
    "减": "subtract minus difference", "差": "difference subtract", "乘": "multiply product times",
    "积": "product multiply", "除": "divide division quotient", "商": "quotient divide", "平方": "square power",
    "平方根": "square root sqrt", "开方": "square root sqrt", "幂": "power exponent", "次方": "power exponent",
    "百分比": "percent percentage", "折扣": "discount price", "平均": "average mean", "最大": "max maximum largest",
    "最小": "min minimum smallest", "排序": "sort", "阶乘": "factorial", "质数": "prime", "素数": "prime",
    "温度": "temperature celsius fahrenheit", "摄氏": "celsius", "华氏": "fahrenheit", "天气": "weather forecast",
    "首都": "capital city country", "国家": "country", "城市": "city", "人口": "population", "货币": "currency",
    "汇率": "exchange rate currency convert", "兑换": "convert exchange currency", "转换": "convert",
    "单词": "word words", "字数": "count words", "词": "word words", "统计": "count", "数量": "count number",
    "长度": "length", "字符": "character characters", "反转": "reverse", "大写": "upper uppercase",
    "小写": "lower lowercase", "翻译": "translate", "距离": "distance", "公里": "km kilometers",
    "英里": "miles mile", "米": "meters meter", "重量": "weight", "公斤": "kg kilograms", "磅": "pounds lb",
    "时间": "time", "日期": "date day", "星期": "weekday day week", "年": "year", "天": "days day",
    "小时": "hours hour", "分钟": "minutes minute", "秒": "seconds second", "时区": "timezone time zone",
    "股票": "stock price", "价格": "price cost", "税": "tax", "利息": "interest rate", "贷款": "loan payment",
    "邮件": "email mail", "发送": "send", "搜索": "search find", "查找": "find search lookup", "查询": "lookup query",
    "用户": "user", "订单": "order", "库存": "stock inventory", "面积": "area", "周长": "perimeter",
    "圆": "circle radius", "半径": "radius", "矩形": "rectangle", "三角形": "triangle", "体积": "volume",
    "随机": "random", "密码": "password", "回文": "palindrome", "元音": "vowel vowels", "斐波那契": "fibonacci",
    "最大公约数": "gcd greatest common divisor", "最小公倍数": "lcm least common multiple",
    "身体质量指数": "bmi body mass index", "体重指数": "bmi", "二进制": "binary", "十六进制": "hex hexadecimal",
    "罗马数字": "roman numeral", "提醒": "reminder remind", "日历": "calendar event", "文件": "file",
}  # fmt: skip

STOPWORDS = frozenset(
    "a an the of to in on for and or is are was be by with from as at it its this that what which how "
    "many much me my please give tell find get return returns value values number given two into".split()
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[A-Za-z]+|\d+")


def terms(text: str) -> list[str]:
    """Search terms of `text`: stemmed words (code names split), and CJK characters and character pairs."""
    out: list[str] = []
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).replace("_", " ")
    for word in _WORD.findall(spaced):
        word = word.lower()
        if word not in STOPWORDS and len(word) > 1:
            out.append(_stem(word))
    for run in _CJK.findall(text):
        out.extend(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def query_terms(task: str) -> list[str]:
    """A task's terms, with the glossary's English words for the Chinese words it contains."""
    english = [gloss for word, gloss in GLOSSARY.items() if word in task]
    return terms(" ".join([task, *english]))


def select_tools(task: str, tools: Sequence[Tool], k: int = 6) -> list[Tool]:
    """Up to `k` tools that match `task`, best first (all of them when there are no more than `k`).

    Tools sharing no term with the task are left out, since every extra tool is one more wrong choice
    for a small model; when none matches, the first `k` are shown rather than none.
    """
    if len(tools) <= k:
        return list(tools)
    scores = relevance(task, tools)
    ranked = sorted(range(len(tools)), key=lambda i: -scores[i])  # stable: ties keep the given order
    return [tools[i] for i in ranked[:k] if scores[i] > 0] or list(tools[:k])


def relevance(task: str, tools: Sequence[Tool]) -> list[float]:
    """Each tool's BM25 score for `task` among `tools`, scaled so the best is 1 (all 0 when none matches)."""
    docs = [Counter(_tool_terms(t)) for t in tools]
    query = set(query_terms(task))
    avg_len = sum(sum(d.values()) for d in docs) / max(len(docs), 1) or 1.0
    scores = [_bm25(query, doc, docs, avg_len) for doc in docs]
    best = max(scores, default=0.0)
    return [s / best if best else 0.0 for s in scores]


def _tool_terms(tool: Tool) -> list[str]:
    props = tool.parameters.get("properties") or {}
    params = " ".join(f"{name} {prop.get('description', '')}" for name, prop in props.items())
    return terms(tool.name) * 2 + terms(f"{tool.doc or tool.description} {params}")


def _bm25(query: set[str], doc: Counter[str], docs: list[Counter[str]], avg_len: float) -> float:
    k1, b = 1.2, 0.75
    length = sum(doc.values())
    score = 0.0
    for term in query & doc.keys():
        having = sum(term in d for d in docs)
        idf = math.log(1 + (len(docs) - having + 0.5) / (having + 0.5))
        tf = doc[term]
        score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg_len))
    return score


def _stem(word: str) -> str:
    """A light English stemmer: plurals and -ing/-ed, enough to match "words" with "word"."""
    for suffix, keep, shortest in (("ies", "y", 3), ("ing", "", 4), ("ed", "", 4), ("s", "", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word
