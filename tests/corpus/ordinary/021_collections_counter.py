from collections import Counter
text = "the quick brown fox jumps over the lazy dog the end"
c = Counter(text.split())
print(c.most_common(3))
letters = Counter(ch for ch in text if ch.isalpha())
print(letters["o"], letters["e"], sum(letters.values()))
print(Counter("aab") + Counter("bcc"), Counter("aab") - Counter("a"))
