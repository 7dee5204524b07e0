import pprint
import calendar
data = {"users": [{"name": "ann", "roles": ["admin", "dev"]}, {"name": "bob", "roles": []}], "count": 2}
pprint.pprint(data, width=40)
print(pprint.pformat(list(range(30)), width=50, compact=True))
print(calendar.month(2024, 2))
print(calendar.isleap(2024), calendar.monthrange(2023, 2), calendar.day_name[0])
