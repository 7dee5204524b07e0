import warnings
def old():
    warnings.warn("old is deprecated", DeprecationWarning)
    return 1
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old()
    old()
print(len(caught), caught[0].category.__name__, str(caught[0].message))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    print(old())
