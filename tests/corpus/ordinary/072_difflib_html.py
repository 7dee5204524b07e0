import difflib
import html
a = ["one", "two", "three"]
b = ["one", "too", "three", "four"]
print("\n".join(difflib.unified_diff(a, b, lineterm="")))
print(difflib.get_close_matches("appel", ["ape", "apple", "peach", "puppy"]))
print(round(difflib.SequenceMatcher(None, "abcd", "abed").ratio(), 3))
print(html.escape("<a href='x'>&</a>"), html.unescape("&lt;b&gt; &amp; &#39;"))
