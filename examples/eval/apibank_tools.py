"""Tools for the API-Bank tasks (`codecall eval examples/eval/apibank.jsonl --tools examples/eval/apibank_tools.py`).

Written for codecall from the API descriptions of API-Bank's level-1 data (AlibabaResearch/DAMO-ConvAI,
api-bank/, Apache-2.0): the names, parameters and meanings are API-Bank's, the code is not. Everything is
in memory and deterministic, over the seed in `apibank_data.json` (taken from API-Bank's init_database):

- The store is read-only: a change (add, modify, delete, cancel, register) is checked against the seed
  and confirmed, but not kept, so every task starts from the same state whatever ran before it.
- A confirmation repeats the checked values in a normal form ("success: alarm set for 2023-03-16
  07:00:00"), and ids are derived from the values, so a task's answer shows whether the call was right.
- Times are read in a few written forms (2023-03-16 07:00:00, 2023-03-16 07:00, 2023-03-16T07:00, ...);
  a time or date that cannot be read, an unknown token, user or record raises ValueError saying what
  was expected.
"""

from __future__ import annotations

import ast
import hashlib
import json
import operator
import re
from datetime import datetime
from pathlib import Path
from typing import Any

_DATA = json.loads((Path(__file__).with_name("apibank_data.json")).read_text(encoding="utf-8"))
_VERIFICATION_CODE = 970420  #: the code ForgotPassword "sends by email"

_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S",
                 "%Y/%m/%d %H:%M", "%Y-%m-%d %I:%M %p", "%Y-%m-%d %I:%M%p", "%Y-%m-%d %I %p", "%Y-%m-%d %I%p",
                 "%Y-%m-%d")  # fmt: skip
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")


def _when(text: str, what: str = "time") -> str:
    """A time in the form %Y-%m-%d %H:%M:%S (a bare date is midnight)."""
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(str(text).strip(), fmt).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            pass
    raise ValueError(f"{what} {text!r} is not a time written like 2023-03-16 07:00:00")


def _day(text: str, what: str = "date") -> str:
    """A date in the form %Y-%m-%d."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(str(text).strip(), fmt).strftime("%Y-%m-%d")
        except ValueError:
            pass
    raise ValueError(f"{what} {text!r} is not a date written like 2023-03-16")


def _user(token: str) -> str:
    for name, account in _DATA["accounts"].items():
        if account["token"] == str(token).strip():
            return name
    raise ValueError("invalid token: get one with GetUserToken(username, password)")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", str(text).lower()))


def _best(records: list[dict[str, Any]], key: str, text: str) -> dict[str, Any] | None:
    """The record whose `key` shares the most words with `text` (None when none shares any)."""
    scored = [(len(_words(r[key]) & _words(text)), i) for i, r in enumerate(records)]
    score, i = max(scored, default=(0, -1))
    return records[i] if score else None


def _doctor(name: str) -> str:
    bare = re.sub(r"^(dr\.?|doctor)\s+", "", str(name).strip(), flags=re.IGNORECASE)
    return "Dr. " + " ".join(part[:1].upper() + part[1:] for part in bare.split())


def _digits(*parts: object, n: int = 8) -> str:
    text = "|".join(str(p).strip().lower() for p in parts)
    return str(int(hashlib.sha256(text.encode()).hexdigest(), 16) % 10**n).zfill(n)


def _names(people: list[str]) -> str:
    return ", ".join(sorted(str(p).strip() for p in people))


# --- accounts --------------------------------------------------------------------------------------------


def GetUserToken(username: str, password: str) -> str:
    """Get the user token by username and password.

    Args:
        username: The username of the user.
        password: The password of the user.

    Returns the token of the user, which the other APIs take to know who is asking.
    """
    account = _DATA["accounts"].get(str(username).strip())
    if account is None or account["password"] != str(password):
        raise ValueError("wrong username or password")
    return account["token"]


def CheckToken(token: str) -> str:
    """Check the user token and return the username it belongs to.

    Args:
        token: The token of the user.
    """
    return _user(token)


def RegisterUser(username: str, password: str, email: str) -> str:
    """The API for registering an account, given the username, password and email.

    Args:
        username: The username of the user.
        password: The password of the user.
        email: The email of the user.

    Returns the token of the new user.
    """
    if str(username).strip() in _DATA["accounts"]:
        raise ValueError(f"username {username!r} is taken")
    if "@" not in str(email):
        raise ValueError(f"{email!r} is not an email address")
    return "t" + _digits(username, email, n=18)


def DeleteAccount(token: str) -> str:
    """Delete an account.

    Args:
        token: The token of the user.

    Returns the status: success or failed.
    """
    return f"success: account {_user(token)} deleted"


def ModifyPassword(token: str, old_password: str, new_password: str) -> str:
    """The API for modifying the password of the account.

    Args:
        token: The token of the user.
        old_password: The old password of the user.
        new_password: The new password of the user.

    Returns the status: success or failed.
    """
    user = _user(token)
    if _DATA["accounts"][user]["password"] != str(old_password):
        raise ValueError("the old password is wrong")
    if not str(new_password):
        raise ValueError("the new password is empty")
    return f"success: password of {user} changed"


def ForgotPassword(
    status: str,
    username: str | None = None,
    email: str | None = None,
    verification_code: int | None = None,
    new_password: str | None = None,
) -> int | str:
    """Sends an email to the user with a code to reset the password. Call it twice: first with status
    'Forgot Password' (and username, email) to get the verification code, then with status
    'Verification Code' (and verification_code, new_password) to change the password. Pass the
    parameters by name, like ForgotPassword(status='Forgot Password', username='...', email='...').

    Args:
        status: 'Forgot Password' for the first call, 'Verification Code' for the second.
        username: The username of the user. Only needed for the first call.
        email: The email of the user. Only needed for the first call.
        verification_code: The verification code sent to the user. Only needed for the second call.
        new_password: The new password of the user. Only needed for the second call.

    Returns the verification code (first call), or the status: success or failed (second call).
    """
    step = str(status).strip().lower()
    if step == "forgot password":
        account = _DATA["accounts"].get(str(username or "").strip())
        if account is None or account["email"].lower() != str(email or "").strip().lower():
            raise ValueError("no account with that username and email")
        return _VERIFICATION_CODE
    if step == "verification code":
        if str(verification_code).strip() != str(_VERIFICATION_CODE):
            raise ValueError("wrong verification code")
        if not new_password:
            raise ValueError("give new_password with the verification code")
        return "success: password reset"
    raise ValueError("status must be 'Forgot Password' or 'Verification Code'")


# --- alarms, reminders, agenda, meetings -------------------------------------------------------------------


def AddAlarm(token: str, time: str) -> str:
    """The API for setting an alarm includes a parameter for the alarm time.

    Args:
        token: User's token.
        time: The time for alarm. Format: %Y-%m-%d %H:%M:%S

    Returns the status: success or failed.
    """
    _user(token)
    return f"success: alarm set for {_when(time)}"


def _alarm(token: str, time: str) -> dict[str, Any]:
    user, at = _user(token), _when(time)
    for alarm in _DATA["alarms"]:
        if alarm["username"] == user and alarm["time"] == at:
            return alarm
    raise ValueError(f"{user} has no alarm at {at}")


def DeleteAlarm(token: str, time: str) -> str:
    """The API for removing an alarm includes a parameter for the time.

    Args:
        token: User's token.
        time: The time for alarm. Format: %Y-%m-%d %H:%M:%S

    Returns the status: success or failed.
    """
    return f"success: alarm at {_alarm(token, time)['time']} deleted"


def ModifyAlarm(token: str, from_time: str, to_time: str) -> str:
    """The API for modifying an alarm includes a parameter for the from_time to to_time.

    Args:
        token: User's token.
        from_time: The time for alarm which changed from. Format: %Y-%m-%d %H:%M:%S
        to_time: The time for alarm which changed to. Format: %Y-%m-%d %H:%M:%S

    Returns the status: success or failed.
    """
    alarm = _alarm(token, from_time)
    return f"success: alarm moved from {alarm['time']} to {_when(to_time, 'to_time')}"


def QueryAlarm(token: str, time: str) -> dict[str, Any]:
    """The API for querying alarm clock, help user to check the alarm clock they have set.

    Args:
        token: User's token.
        time: The time for alarm. Format: %Y-%m-%d %H:%M:%S

    Returns the alarm info: time and username.
    """
    return dict(_alarm(token, time))


def AddReminder(token: str, content: str, time: str) -> str:
    """The API for adding a reminder item includes content and time.

    Args:
        token: User's token.
        content: The content of the reminder.
        time: The time for the reminder. Format: %Y-%m-%d %H:%M:%S

    Returns the status: success or failed.
    """
    _user(token)
    if not str(content).strip():
        raise ValueError("the reminder has no content")
    return f"success: reminder set for {_when(time)}"


def _reminder(token: str, content: str, time: str) -> dict[str, Any]:
    """The user's reminder at `time`, else the one whose content is closest to `content`."""
    user, at = _user(token), _when(time)
    mine = [r for r in _DATA["reminders"] if r["username"] == user]
    found = next((r for r in mine if r["time"] == at), None) or _best(mine, "content", content)
    if found is None:
        raise ValueError(f"{user} has no reminder at {at}")
    return found


def DeleteReminder(token: str, content: str, time: str) -> str:
    """The API for deleting a reminder item includes content and time.

    Args:
        token: User's token.
        content: The content of the reminder.
        time: The time for the reminder. Format: %Y-%m-%d %H:%M:%S

    Returns the status: success or failed.
    """
    _when(time)
    reminder = _reminder(token, content, time)
    return f"success: reminder '{reminder['content']}' at {reminder['time']} deleted"


def ModifyReminder(token: str, content: str, time: str) -> str:
    """The API for modifying a reminder item: the user's reminder at that time, or with that content,
    gets the given content and time.

    Args:
        token: User's token.
        content: The (new) content of the reminder.
        time: The (new) time for the reminder. Format: %Y-%m-%d %H:%M:%S

    Returns the status: success or failed.
    """
    _reminder(token, content, time)
    return f"success: reminder now at {_when(time)}"


def QueryReminder(token: str, content: str, time: str) -> dict[str, Any]:
    """The API for querying a reminder item includes content and time.

    Args:
        token: User's token.
        content: The content of the reminder.
        time: The time for the reminder. Format: %Y-%m-%d %H:%M:%S

    Returns the reminder info: content, time and username.
    """
    return dict(_reminder(token, content, time))


def AddAgenda(token: str, content: str, time: str, location: str) -> str:
    """The API for adding a agenda item includes content, time and location.

    Args:
        token: User's token.
        content: The content of the agenda.
        time: The time for agenda. Format: %Y-%m-%d %H:%M:%S
        location: The location of the agenda.

    Returns the status: success or failed.
    """
    _user(token)
    if not str(content).strip():
        raise ValueError("the agenda item has no content")
    return f"success: agenda item added for {_when(time)}"


def _agenda(token: str, content: str, time: str | None) -> dict[str, Any]:
    """The user's agenda item on the day of `time` (the closest in content when several), else the one
    whose content is closest to `content`."""
    user = _user(token)
    mine = [a for a in _DATA["agenda"] if a["username"] == user]
    if time is not None:
        day = _day(_when(time))
        same_day = [a for a in mine if a["time"] == day]
        if same_day:
            return _best(same_day, "content", content) or same_day[0]
    found = _best(mine, "content", content)
    if found is None:
        raise ValueError(f"{user} has no agenda item like {content!r}")
    return found


def DeleteAgenda(token: str, content: str, time: str, location: str) -> str:
    """The API for deleting a schedule item includes parameters for token, content, time, and location.

    Args:
        token: User's token.
        content: The content of the agenda.
        time: The time for agenda. Format: %Y-%m-%d %H:%M:%S
        location: The location of the agenda.

    Returns the status: success or failed.
    """
    user = _user(token)
    item = _agenda(token, content, time)
    if item["time"] != _day(_when(time)):
        raise ValueError(f"{user} has nothing on the agenda on {_day(_when(time))}")
    return f"success: agenda item '{item['content']}' on {item['time']} deleted"


def ModifyAgenda(token: str, content: str, time: str, location: str) -> str:
    """The API for modifying a schedule item includes parameters for content, time, and location.

    Args:
        token: User's token.
        content: The content of the agenda.
        time: The new time for agenda. Format: %Y-%m-%d %H:%M:%S
        location: The new location of the agenda.

    Returns the status: success or failed.
    """
    item = _agenda(token, content, None)
    return f"success: agenda item '{item['content']}' moved to {_when(time)}"


def QueryAgenda(token: str, content: str, time: str, location: str) -> dict[str, Any]:
    """The API for getting a schedule item includes parameters for token, content, time, and location.

    Args:
        token: User's token.
        content: The content of the agenda.
        time: The time for agenda. Format: %Y-%m-%d %H:%M:%S
        location: The location of the agenda.

    Returns the agenda info: content, time, location and username.
    """
    user = _user(token)
    item = _agenda(token, content, time)
    if item["time"] != _day(_when(time)):
        raise ValueError(f"{user} has nothing on the agenda on {_day(_when(time))}")
    return dict(item)


def _meeting_times(start_time: str, end_time: str) -> tuple[str, str]:
    start, end = _when(start_time, "start_time"), _when(end_time, "end_time")
    if end <= start:
        raise ValueError(f"the meeting ends ({end}) before it starts ({start})")
    return start, end


def AddMeeting(token: str, meeting_topic: str, start_time: str, end_time: str, location: str,
               attendees: list[str]) -> str:  # fmt: skip
    """This API allows users to make a reservation for a meeting and store the meeting information
    (e.g., topic, time, location, attendees) in the database.

    Args:
        token: User's token.
        meeting_topic: The title of the meeting, no more than 50 characters.
        start_time: The start time of the meeting, in the pattern of %Y-%m-%d %H:%M:%S
        end_time: The end time of the meeting, in the pattern of %Y-%m-%d %H:%M:%S
        location: The location where the meeting to be held, no more than 100 characters.
        attendees: The attendees of the meeting, including names, positions and other information.

    Returns the status: success or failed.
    """
    _user(token)
    start, end = _meeting_times(start_time, end_time)
    return f"success: meeting booked from {start} to {end} with {_names(attendees)}"


def _meeting(token: str, meeting_topic: str, start_time: str | None) -> dict[str, Any]:
    user = _user(token)
    mine = [m for m in _DATA["meetings"] if m["username"] == user]
    if start_time is not None:
        found = next((m for m in mine if m["start_time"] == _when(start_time, "start_time")), None)
    else:
        found = _best(mine, "meeting_topic", meeting_topic)
    if found is None:
        raise ValueError(f"{user} has no such meeting")
    return found


def DeleteMeeting(token: str, meeting_topic: str, start_time: str, end_time: str, location: str,
                  attendees: list[str]) -> str:  # fmt: skip
    """This API allows users to delete a reservation for a meeting and remove the meeting information in
    the database.

    Args:
        token: User's token.
        meeting_topic: The title of the meeting, no more than 50 characters.
        start_time: The start time of the meeting, in the pattern of %Y-%m-%d %H:%M:%S
        end_time: The end time of the meeting, in the pattern of %Y-%m-%d %H:%M:%S
        location: The location where the meeting to be held, no more than 100 characters.
        attendees: The attendees of the meeting, including names, positions and other information.

    Returns the status: success or failed.
    """
    _meeting_times(start_time, end_time)
    meeting = _meeting(token, meeting_topic, start_time)
    return f"success: meeting '{meeting['meeting_topic']}' at {meeting['start_time']} deleted"


def ModifyMeeting(token: str, meeting_topic: str, start_time: str, end_time: str, location: str,
                  attendees: list[str]) -> str:  # fmt: skip
    """This API allows users to modify a reservation for a meeting: the user's meeting with that topic
    gets the given times, location and attendees.

    Args:
        token: User's token.
        meeting_topic: The title of the meeting, no more than 50 characters.
        start_time: The start time of the meeting, in the pattern of %Y-%m-%d %H:%M:%S
        end_time: The end time of the meeting, in the pattern of %Y-%m-%d %H:%M:%S
        location: The location where the meeting to be held, no more than 100 characters.
        attendees: The attendees of the meeting, including names, positions and other information.

    Returns the status: success or failed.
    """
    start, end = _meeting_times(start_time, end_time)
    meeting = _meeting(token, meeting_topic, None)
    return f"success: meeting '{meeting['meeting_topic']}' now from {start} to {end} with {_names(attendees)}"


def QueryMeeting(token: str, meeting_topic: str, start_time: str, end_time: str, location: str,
                 attendees: list[str]) -> dict[str, Any]:  # fmt: skip
    """This API allows users to query the information of a meeting.

    Args:
        token: User's token.
        meeting_topic: The title of the meeting, no more than 50 characters.
        start_time: The start time of the meeting, in the pattern of %Y-%m-%d %H:%M:%S
        end_time: The end time of the meeting, in the pattern of %Y-%m-%d %H:%M:%S
        location: The location where the meeting to be held, no more than 100 characters.
        attendees: The attendees of the meeting, including names, positions and other information.

    Returns the meeting info.
    """
    _meeting_times(start_time, end_time)
    return dict(_meeting(token, meeting_topic, start_time))


def GetToday() -> str:
    """This API gets the current date.

    Returns the current date. Format: %Y-%m-%d
    """
    return _DATA["today"]


# --- hospital and health -------------------------------------------------------------------------------------


def AppointmentRegistration(patient_name: str, date: str, doctor_name: str) -> str:
    """This API registers an appointment of hospital.

    Args:
        patient_name: The name of patient.
        date: The date of appointment. Format be like %Y-%m-%d
        doctor_name: The name of appointed doctor.

    Returns the ID of appointment.
    """
    if not str(patient_name).strip():
        raise ValueError("no patient name")
    return _digits(" ".join(str(patient_name).split()), _day(date), _doctor(doctor_name))


def _appointment(appointment_id: str) -> dict[str, Any]:
    found = _DATA["appointments"].get(str(appointment_id).strip())
    if found is None:
        raise ValueError(f"no appointment with ID {appointment_id!r}")
    return found


def QueryRegistration(patient_name: str, date: str) -> dict[str, Any]:
    """This API queries the registration of a patient, given patient name and date.

    Args:
        patient_name: The name of patient.
        date: The date of appointment. Format be like %Y-%m-%d

    Returns a dict from appointment ID to the appointment (patient_name, date, doctor_name).
    """
    name, day = " ".join(str(patient_name).split()).lower(), _day(date)
    found = _DATA["appointments"].items()
    return {k: dict(v) for k, v in found if v["patient_name"].lower() == name and v["date"] == day}


def CancelRegistration(appointment_id: str) -> str:
    """This API cancels the registration of a patient given appointment ID.

    Args:
        appointment_id: The ID of appointment.

    Returns the status of cancellation.
    """
    _appointment(appointment_id)
    return f"success: appointment {str(appointment_id).strip()} cancelled"


def ModifyRegistration(appointment_id: str, new_appointment_date: str, new_appointment_doctor: str) -> str:
    """This API modifies the registration of a patient given appointment ID.

    Args:
        appointment_id: The ID of appointment.
        new_appointment_date: The new appointment date. Format: %Y-%m-%d.
        new_appointment_doctor: The new appointment doctor.

    Returns the status of modification.
    """
    _appointment(appointment_id)
    when, doctor = _day(new_appointment_date, "new_appointment_date"), _doctor(new_appointment_doctor)
    return f"success: appointment {str(appointment_id).strip()} moved to {when} with {doctor}"


def RecordHealthData(user_id: str, time: str, health_data: list[dict[str, Any]]) -> str:
    """This API records the health data of a user.

    Args:
        user_id: The ID of user.
        time: The time of health data. Format: %Y-%m-%d %H:%M:%S
        health_data: The health data, with the format like
            [{'name': 'blood_pressure', 'value': '120/80'}, {'name': 'heart_rate', 'value': '80'}]

    Returns the status of recording.
    """
    items = []
    for entry in health_data:
        if not isinstance(entry, dict) or "name" not in entry or "value" not in entry:
            raise ValueError("each health data entry is a dict like {'name': 'heart_rate', 'value': '80'}")
        name = re.sub(r"\s+", "_", str(entry["name"]).strip().lower())
        value = re.match(r"[\d./]+", str(entry["value"]).strip())
        items.append(f"{name}={value.group() if value else str(entry['value']).strip()}")
    if not items:
        raise ValueError("no health data given")
    return f"success: recorded {', '.join(sorted(items))} for user {str(user_id).strip()} at {_when(time)}"


def QueryHealthData(user_id: str, start_time: str, end_time: str) -> list[dict[str, Any]]:
    """This API queries the recorded health data in database of a given user and time span.

    Args:
        user_id: The user id of the given user. Cases are ignored.
        start_time: The start time of the time span. Format: %Y-%m-%d %H:%M:%S
        end_time: The end time of the time span. Format: %Y-%m-%d %H:%M:%S

    Returns the health data of the given user and time span.
    """
    start, end = _when(start_time, "start_time"), _when(end_time, "end_time")
    records = {k.lower(): v for k, v in _DATA["health_data"].items()}.get(str(user_id).strip().lower())
    if records is None:
        raise ValueError(f"no user with ID {user_id!r}")
    return [dict(r) for r in records if start <= r["time"] <= end]


def _symptom(symptom: str) -> list[dict[str, str]]:
    text = str(symptom).strip().lower()
    for name, diseases in _DATA["symptoms"].items():
        if name == text or name in text or (len(text) > 3 and text in name):
            return diseases
    raise ValueError(f"nothing known about {symptom!r}; known symptoms: {', '.join(_DATA['symptoms'])}")


def SymptomSearch(symptom: str) -> list[dict[str, str]]:
    """This API searches for a given symptom.

    Args:
        symptom: The symptom to search.

    Returns the list of results, like [{"name": possible disease name, "description": disease details}, ...]
    """
    return [{"name": d["name"], "description": d["description"]} for d in _symptom(symptom)]


def EmergencyKnowledge(symptom: str) -> list[dict[str, str]]:
    """This API searches for a given symptom for emergency knowledge.

    Args:
        symptom: The symptom to search.

    Returns the list of results, like [{"name": possible disease name, "aid": first-aid method}, ...]
    """
    return [{"name": d["name"], "aid": d["aid"]} for d in _symptom(symptom)]


# --- bank and stocks ------------------------------------------------------------------------------------------


def OpenBankAccount(account: str, password: str, name: str) -> str:
    """This is an API for opening a bank account for a user, given the account, password and name.

    Args:
        account: The account for the user.
        password: The password.
        name: account holder name.

    Returns the status: success or failed.
    """
    if not str(account).strip() or not str(password) or not str(name).strip():
        raise ValueError("account, password and name must all be given")
    return f"success: account {str(account).strip()} opened for {' '.join(str(name).split())}"


def QueryBalance(token: str) -> float:
    """This API queries the balance of a given user.

    Args:
        token: The token of the user.

    Returns the balance of the user.
    """
    return _DATA["balances"][_user(token)]


def QueryStock(stock_code: str, date: str) -> float:
    """This API queries the stock price of a given stock code and date.

    Args:
        stock_code: The stock code of the given stock.
        date: The date of the stock price. Format: %Y-%m-%d

    Returns the stock price of the given stock.
    """
    prices = _DATA["stock_prices"].get(str(stock_code).strip().upper())
    if prices is None:
        raise ValueError(f"unknown stock code {stock_code!r}; known codes: {', '.join(_DATA['stock_prices'])}")
    day = _day(date)
    if day not in prices:
        raise ValueError(f"no price of {stock_code} on {day}; prices are known from {min(prices)} to {max(prices)}")
    return prices[day]


# --- smart home ------------------------------------------------------------------------------------------------


def _devices(devices: list[dict[str, Any]]) -> str:
    if not devices or not all(isinstance(d, dict) and d.get("name") for d in devices):
        raise ValueError('devices is a list like [{"name": "light", "description": "Smart light in the kitchen"}]')
    return ", ".join(sorted(str(d["name"]).strip().lower() for d in devices))


def _scene(name: str) -> str:
    key = " ".join(str(name).split()).lower()
    if key not in _DATA["scenes"]:
        raise ValueError(f"no scene named {name!r}; scenes: {', '.join(_DATA['scenes'])}")
    return key


def AddScene(name: str, devices: list[dict[str, Any]]) -> str:
    """This API adds a scene of smart home system, given the scene name and a list of smart devices.

    Args:
        name: The name of the scene.
        devices: The list of smart devices, containing the name and description. Format be like
            [{"name": "light", "description": "Smart light in the kitchen"}, {"name": "oven", ...}]

    Returns whether it succeeded.
    """
    if not str(name).strip():
        raise ValueError("the scene has no name")
    return f"success: scene '{' '.join(str(name).split())}' added with {_devices(devices)}"


def DeleteScene(name: str) -> str:
    """This API deletes a scene by its name.

    Args:
        name: The name of the scene.

    Returns whether the deletion is successful.
    """
    return f"success: scene '{_scene(name)}' deleted"


def ModifyScene(name: str, devices: list[dict[str, Any]]) -> str:
    """This API modifies a scene of smart home system, given the scene name and a list of smart devices.

    Args:
        name: The name of the scene.
        devices: The list of smart devices, containing the name and description.

    Returns whether the modification is successful.
    """
    return f"success: scene '{_scene(name)}' now has {_devices(devices)}"


def QueryScene(name: str) -> list[dict[str, str]]:
    """This API queries a scene of smart home system, given the scene name.

    Args:
        name: The name of the scene.

    Returns the list of smart devices, containing the name and description.
    """
    return [dict(d) for d in _DATA["scenes"][_scene(name)]]


def TimedSwitch(device_id: str, time: str, on: bool) -> str:
    """This API for setting a timed switch for a smart device.

    Args:
        device_id: The ID of the smart device.
        time: The time to switch the device on or off. Format: %Y-%m-%d %H:%M:%S
        on: Whether to switch the device on or off.

    Returns whether the time switch is successful.
    """
    if not isinstance(on, bool):
        raise ValueError("on is True (switch on) or False (switch off)")
    return f"success: device {str(device_id).strip()} switches {'on' if on else 'off'} at {_when(time)}"


def CancelTimedSwitch(device_id: str, time: str) -> str:
    """Cancels a timed switch for a smart device.

    Args:
        device_id: The ID of the smart device.
        time: The time to switch the device on or off. Format: %Y-%m-%d %H:%M:%S

    Returns whether the cancellation is successful.
    """
    at = _when(time)
    switches = _DATA["timed_switches"].get(str(device_id).strip(), [])
    if not any(s["time"] == at for s in switches):
        raise ValueError(f"device {device_id} has no timed switch at {at}")
    return f"success: timed switch of device {str(device_id).strip()} at {at} cancelled"


# --- booking ------------------------------------------------------------------------------------------------


def BookHotel(hotel_name: str, check_in_time: str, check_out_time: str, room_count: int, adult_count: int,
              child_count: int) -> str:  # fmt: skip
    """This API orders a hotel room. Two rooms are ordered if the number of adults is greater than 2. Only
    one order can be made at same time.

    Args:
        hotel_name: The name of the hotel.
        check_in_time: The time to check in. Format: %Y-%m-%d
        check_out_time: The time to check out. Format: %Y-%m-%d
        room_count: The number of rooms to order.
        adult_count: The number of adults.
        child_count: The number of children.

    Returns the ID of the order.
    """
    check_in, check_out = _day(check_in_time, "check_in_time"), _day(check_out_time, "check_out_time")
    if check_out <= check_in:
        raise ValueError(f"check-out ({check_out}) is not after check-in ({check_in})")
    if room_count < 1 or adult_count < 1 or child_count < 0:
        raise ValueError("at least one room and one adult, and no negative counts")
    return "H" + _digits(check_in, check_out, room_count, adult_count, child_count)


# --- knowledge, language, media ---------------------------------------------------------------------------

_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _arithmetic(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _arithmetic(node.body)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_arithmetic(node.left), _arithmetic(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _arithmetic(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    raise ValueError("only numbers, + - * / and parentheses are allowed")


def Calculator(formula: str) -> float:
    """This API provides basic arithmetic operations: addition, subtraction, multiplication, and division.

    Args:
        formula: The formula that needs to be calculated. Only integers are supported. Valid operators
            are +, -, *, /, and (, ). For example, '(1 + 2) * 3'.

    Returns the result of the formula.
    """
    try:
        tree = ast.parse(str(formula).replace("×", "*").replace("÷", "/"), mode="eval")
    except SyntaxError as e:
        raise ValueError(f"cannot read the formula {formula!r}") from e
    return round(float(_arithmetic(tree)), 6)


def Dictionary(keyword: str) -> list[dict[str, Any]]:
    """This API searches the dictionary for a given keyword.

    Args:
        keyword: The keyword to search.

    Returns the list of results, like [{"partOfSpeech": "noun", "definitions": ["...", ...]}, ...]
    """
    found = _DATA["dictionary"].get(str(keyword).strip().lower())
    if found is None:
        raise ValueError(f"{keyword!r} is not in the dictionary")
    return [dict(e) for e in found]


def DocumentQA(url: str, question: str) -> str:
    """This API answers the question from a given document url.

    Args:
        url: The url to download the document. It should end with .txt.
        question: The question to be answered.

    Returns the answer to the question.
    """
    known = _DATA["documents"].get(str(url).strip())
    if known is None:
        raise ValueError(f"cannot download {url!r}")
    best = _best(known, "question", question)
    return best["answer"] if best else "The question is too difficult to answer."


def QueryHistoryToday(date: str) -> list[dict[str, str]]:
    """This API queries the history of the given date.

    Args:
        date: The date of the history. Format: %m-%d

    Returns the events that happened on that day in history (title, date, description).
    """
    match = re.fullmatch(r"(\d{1,2})-(\d{1,2})", str(date).strip())
    if match is None:
        raise ValueError(f"date {date!r} is not written like 04-21 (month-day)")
    key = f"{int(match[1]):02d}-{int(match[2]):02d}"
    events = _DATA["history"].get(key, [])
    return [{"title": e["Title"], "date": e["Date"], "description": e["Description"]} for e in events]


def Wiki(keyword: str) -> dict[str, str]:
    """This API for searching a keyword in Wikipedia.

    Args:
        keyword: The keyword to search.

    Returns the page found: {"url": ..., "summary": ...}
    """
    found = _DATA["wiki"].get(" ".join(str(keyword).split()).lower())
    if found is None:
        raise ValueError(f"no Wikipedia page for {keyword!r}")
    return dict(found)


def SearchEngine(keyword: str) -> list[dict[str, str]]:
    """This API searches for a given keyword for search engine.

    Args:
        keyword: The keyword to search.

    Returns the list of results (title, url, abstract) that hold every word of the keyword longer than three
    letters.
    """
    wanted = {w for w in _words(keyword) if len(w) > 3}
    return [dict(p) for p in _DATA["web_pages"] if wanted and wanted <= _words(p["title"] + " " + p["abstract"])]


_LANGUAGES = {"en": "en", "english": "en", "fr": "fr", "french": "fr", "es": "es", "spanish": "es",
              "de": "de", "german": "de", "zh": "zh", "chinese": "zh", "it": "it", "italian": "it",
              "ja": "ja", "japanese": "ja"}  # fmt: skip


def Translate(src: str, src_lang: str = "auto", tgt_lang: str = "en") -> str:
    """Translate the text to the target language.

    Args:
        src: The text to be translated.
        src_lang: [Optional] The source language to translate from. Default is auto.
        tgt_lang: [Optional] The target language to translate to, a code like 'fr' or a name like
            'French'. Default is english/en.

    Returns the translated text.
    """
    target = _LANGUAGES.get(str(tgt_lang).strip().lower())
    if target is None:
        raise ValueError(f"unknown target language {tgt_lang!r}")
    for entry in _DATA["translations"]:
        if entry["language"] == target and entry["text"].strip().lower() == str(src).strip().lower():
            return entry["translation"]
    raise ValueError(f"no translation of {src!r} into {target} in this phrase book")


def ImageCaption(url: str) -> str:
    """This API generates a caption for a given image.

    Args:
        url: The url to download the image. It should end with .jpg, .jpeg or .png.

    Returns the generated caption.
    """
    found = _DATA["image_captions"].get(str(url).strip())
    if found is None:
        raise ValueError(f"cannot download the image {url!r}")
    return found


def SpeechRecognition(url: str) -> str:
    """This API recognizes the speech from a given audio url.

    Args:
        url: The url to download the audio. It should end with .wav.

    Returns the transcript of the audio.
    """
    found = _DATA["speech"].get(str(url).strip().rstrip("."))
    if found is None:
        raise ValueError(f"cannot download the audio {url!r}")
    return found


def PlayMusic(music_name: str) -> str:
    """This API triggers a music player to play music.

    Args:
        music_name: The name of the music to play.

    Returns the corresponding url scheme to trigger the music player.
    """
    if not str(music_name).strip():
        raise ValueError("no music name")
    return "music://" + " ".join(str(music_name).split()).lower()


def SendEmail(receiver: str, subject: str, content: str) -> str:
    """This API for sending email, given the receiver, subject and content.

    Args:
        receiver: The receiver address of the email.
        subject: The subject of the email.
        content: The content of the email.

    Returns the status of the email.
    """
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.\w+", str(receiver).strip()):
        raise ValueError(f"{receiver!r} is not an email address")
    return f"success: email '{str(subject).strip()}' sent to {str(receiver).strip()}"
