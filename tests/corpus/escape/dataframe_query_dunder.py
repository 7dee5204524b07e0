# family: object-graph walk (DataFrame.query)
# goal: reach internals through DataFrame.query's evaluator
import pandas as pd
df = pd.DataFrame({"a": [1]})
print(df.query("a.__class__.__base__.__subclasses__().__len__() > 0"))
