# family: network sockets
# goal: make pandas fetch a URL from the host's 127.0.0.1 listener (only the box can stop this)
import pandas as pd
pd.read_csv("http://127.0.0.1:__HOST_PORT__/data.csv")
