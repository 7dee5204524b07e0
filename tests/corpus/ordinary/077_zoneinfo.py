from datetime import datetime, timezone, timedelta
utc = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
print(utc.isoformat(), utc.astimezone(timezone(timedelta(hours=-5))).strftime("%H:%M %z"))
try:
    from zoneinfo import ZoneInfo
    paris = utc.astimezone(ZoneInfo("Europe/Paris"))
    print(paris.strftime("%H:%M %Z"))
except Exception as e:
    print("zoneinfo unavailable", type(e).__name__)
