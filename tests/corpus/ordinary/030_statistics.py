import statistics as st
data = [2, 4, 4, 4, 5, 5, 7, 9]
print(st.mean(data), st.median(data), st.mode(data))
print(round(st.pstdev(data), 4), round(st.stdev(data), 4), st.variance(data))
print(st.median_low([1, 3, 5, 7]), st.median_high([1, 3, 5, 7]), st.quantiles(data, n=4))
print(round(st.correlation([1, 2, 3, 4], [2, 4, 5, 9]), 4))
