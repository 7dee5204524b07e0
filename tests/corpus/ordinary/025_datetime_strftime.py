import datetime as dt
d = dt.datetime(2024, 3, 15, 14, 30, 5)
print(d.strftime("%Y-%m-%d %H:%M:%S"), d.strftime("%A, %B %d %Y"), d.strftime("%j %U %p"))
print(d.isoformat(), d.date(), d.time(), d.weekday())
later = d + dt.timedelta(days=20, hours=12)
print(later, later - d, (later - d).total_seconds())
print(dt.date(2024, 2, 29).replace(year=2028), dt.date.fromisoformat("2023-12-31").isocalendar()[1])
print(dt.datetime.strptime("05/06/2021 07:08", "%d/%m/%Y %H:%M"))
