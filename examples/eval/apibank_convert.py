"""Rebuild apibank.jsonl from API-Bank's dialogues: `python examples/eval/apibank_convert.py API_BANK_DIR`.

API_BANK_DIR is the api-bank/ folder of AlibabaResearch/DAMO-ConvAI (see README.md for the snapshot). Each
dialogue of lv1-lv2-samples/level-1-given-desc and level-2-toolsearcher becomes one task: the user's turns
up to the last API call, joined, with the edits of EDITS below; the reference code is the
dialogue's calls (ToolSearcher left out), with a GetUserToken result passed on as a variable; the expected
answer is what the reference gives with apibank_tools.py. A task's id names its dialogue: apibank-AddAlarm-1-1
is level-1-given-desc/AddAlarm-level-1-1.jsonl, apibank-l2-AddAlarm-3-1 is
level-2-toolsearcher/AddAlarm-level-3-1.jsonl. Then run splits.py to set the splits.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
FOLDERS = ("level-1-given-desc", "level-2-toolsearcher")
#: API-Bank writes every value as a string; these parameters have other types in apibank_tools.py.
TYPES = {"attendees": list, "health_data": list, "devices": list, "on": bool, "room_count": int, "adult_count": int,
         "child_count": int, "verification_code": int}  # fmt: skip
SUFFIX = " Give me the result of each request, in order."

#: Per-dialogue edits. sub: replacements in the joined user turns; q: the question rewritten; users: keep
#: the first N user turns; calls: the expected calls replaced; answer: which requests make the answer;
#: implied: a value the question implies but does not write; drop: why the dialogue is left out; note: why
#: the calls or answer were changed.
CREDS_JOHN = " My username is JohnDoe and my password is pass123."


def _reset_only(username: str, email: str, new_password: str) -> dict[str, Any]:
    """A dialogue cut after its password reset: the rest logs in with the new password."""
    first = {"status": "Forgot Password", "username": username, "email": email}
    then = {"status": "Verification Code", "verification_code": 970420, "new_password": new_password}
    note = "cut after the password reset: the rest logs in with the new password, which a read-only store cannot"
    return {"users": 4, "calls": [("ForgotPassword", first), ("ForgotPassword", then)], "note": note}


EDITS: dict[str, dict[str, Any]] = {
    "AddAgenda-AddAlarm-GetUserToken-level-2-1": {"sub": [("September 12th", "September 12th, 2023")], "implied": True},
    "AddAgenda-AddMeeting-GetUserToken-level-2-2": {
        "sub": [("for tomorrow", "for tomorrow (today is 2023-10-25)"), ("Main Street?", "Main Street?" + CREDS_JOHN)],
        "implied": True,
    },
    "AddAgenda-AddMeeting-GetUserToken-level-2-3": {
        "q": "Can you add a meeting reservation for me on November 12th, 2023 from 3 PM to 4 PM? The meeting topic is "
        "about the new project launch, held in the conference room with John and Jane attending." + CREDS_JOHN
    },
    "AddAgenda-AddMeeting-GetUserToken-level-2-4": {"sub": [("AddAgenda API?", "AddAgenda API?" + CREDS_JOHN)]},
    "AddAgenda-level-1-1": {"implied": True},
    "AddAgenda-level-1-2": {
        "sub": [
            ("21th of September", "21th of September 2023"),
            ("cafeteria.", "cafeteria. My username is foo and my password is bar."),
        ]
    },
    "AddAlarm-level-1-1": {"implied": True},
    "AddReminder-level-1-2": {"implied": True},
    "BookHotel-level-1-1": {"sub": [("August 10th", "August 10th, 2023"), ("August 15th", "August 15th, 2023")]},
    "BookHotel-level-1-2": {"sub": [("June 1st", "June 1st, 2023"), ("June 10th", "June 10th, 2023")]},
    "BookHotel-level-1-4": {
        "q": "Can you book a hotel room for me? It's Hilton. I check in next Monday, 2022-03-14, and check out on "
        "Friday. Two rooms. Two adults and one child.",
        "implied": True,
    },
    "BookHotel-level-1-5": {
        "sub": [("September 1st", "September 1st, 2023"), ("September 5th", "September 5th, 2023")]
    },
    "CancelRegistration-RecordHealthData-QueryRegistration-level-2-1": {
        "sub": [(" No, thank you.", ""), ("if I had an appointment", "if Jane Smith had an appointment")]
    },
    "CancelRegistration-RecordHealthData-level-2-1": {
        "sub": [("from yesterday?", "from yesterday, 2023-04-09 12:00:00?")]
    },
    "CancelTimedSwitch-level-1-1": {"sub": [("March 19th", "March 19th, 2023")]},
    "CancelTimedSwitch-level-1-5": {"sub": [("March 19th", "March 19th, 2023")]},
    "DeleteAgenda-AddAlarm-DeleteMeeting-GetUserToken-level-2-1": {"sub": [("March 21st", "March 21st, 2023")]},
    "DeleteAgenda-AddAlarm-DeleteMeeting-GetUserToken-level-2-2": {
        "sub": [
            ("March 21st", "March 21st, 2023"),
            (" Yes, that's correct.", " My username is newuser and my password is newpass."),
        ]
    },
    "DeleteAgenda-level-1-1": {"sub": [("March 16th", "March 16th, 2023")]},
    "DeleteAlarm-AddAgenda-GetUserToken-level-2-2": {
        "sub": [("March 16th", "March 16th, 2023"), ("March 18th", "March 18th, 2023")]
    },
    "DeleteAlarm-level-1-2": {"sub": [("March 20th", "March 20th, 2023")]},
    "DeleteReminder-level-1-1": {"sub": [("March 16th", "March 16th, 2023")]},
    "EmergencyKnowledge-ModifyRegistration-RecordHealthData-level-2-1": {
        "sub": [("October 15th", "October 15th, 2023")]
    },
    "EmergencyKnowledge-ModifyRegistration-RecordHealthData-level-2-2": {
        "sub": [("October 15th", "October 15th, 2023")]
    },
    "EmergencyKnowledge-ModifyRegistration-RecordHealthData-level-2-3": {
        "sub": [("October 15th", "October 15th, 2023")]
    },
    "ForgotPassword-RegisterUser-DeleteAccount-GetUserToken-level-2-1": _reset_only(
        "foo", "foo@example.com", "newpassword"
    ),
    "GetMeeting-level-1-1": {"sub": [("March 20th", "March 20th, 2023")]},
    "GetMeeting-level-1-2": {"sub": [("March 20th", "March 20th, 2023")]},
    "GetReminder-level-1-1": {"sub": [("March 16th", "March 16th, 2023")]},
    "GetReminder-level-1-2": {"sub": [("March 16th", "March 16th, 2023")]},
    "GetToday-ModifyMeeting-ModifyAlarm-GetUserToken-level-2-1": {"implied": True},
    "ModifyAgenda-level-1-2": {"sub": [("March 23, 2pm", "March 23, 2023, 2pm")]},
    "ModifyAlarm-level-1-1": {
        "q": "Can you modify my alarm for tomorrow morning at 7am? Today is 2023-03-15. My username is JohnDoe and my "
        "password is pass123. Move it from 7am to 7:15am.",
        "implied": True,
    },
    "ModifyAlarm-level-1-2": {"drop": "the times the user gives contradict the expected call"},
    "ModifyPassword-ForgotPassword-DeleteAccount-GetUserToken-level-2-3": _reset_only(
        "user1", "user1@example.com", "user1newpass"
    ),
    "ModifyPassword-RegisterUser-GetUserToken-level-2-1": {
        "sub": [("My old password", "My username is admin, my old password")]
    },
    "ModifyRegistration-EmergencyKnowledge-level-2-2": {"sub": [("May 15", "May 15, 2023")]},
    "ModifyRegistration-EmergencyKnowledge-level-2-3": {"sub": [("April 15th", "April 15th, 2023")]},
    "ModifyRegistration-QueryHealthData-CancelRegistration-level-2-2": {
        "sub": [
            ("March 26th", "March 26th, 2023"),
            ("March 5th", "March 5th, 2023"),
            ("March 12th", "March 12th, 2023"),
            (
                "Actually, can you cancel the appointment instead of modifying it?",
                "Can you also cancel another appointment?",
            ),
        ]
    },
    "ModifyRegistration-level-1-2": {"sub": [("October 20th", "October 20th, 2023")]},
    "ModifyRegistration-level-1-3": {"sub": [("October 12th", "October 12th, 2023")]},
    "ModifyRegistration-level-1-4": {"sub": [("October 12th", "October 12th, 2023")]},
    "ModifyRegistration-level-1-5": {"sub": [("October 15th", "October 15th, 2023")]},
    "ModifyReminder-AddAgenda-GetUserToken-level-2-1": {
        "sub": [('"adminpass."', '"adminpass"'), ("March 20th", "March 20th, 2023")]
    },
    "ModifyReminder-AddAgenda-GetUserToken-level-2-2": {
        "sub": [
            (" I don't know, how can I get it?", ""),
            ("My email is admin@example.com and password", "My username is admin and my password"),
        ]
    },
    "ModifyReminder-level-1-1": {"sub": [("March 25th", "March 25th, 2023")]},
    "OpenBankAccount-QueryBalance-QueryStock-GetUserToken-level-2-2": {"implied": True},
    "OpenBankAccount-QueryStock-QueryBalance-GetUserToken-level-2-1": {
        "sub": [("January 3rd, 2023? Yes, please.", "January 3rd, 2022?")]
    },
    "OpenBankAccount-QueryStock-level-2-1": {"implied": True},
    "QueryBalance-OpenBankAccount-QueryStock-GetUserToken-level-2-1": {
        "calls": [
            ("GetUserToken", {"username": "testuser", "password": "testpass"}),
            ("QueryBalance", {"token": "p9o8i7u6y5t4k3e2w1q"}),
            ("OpenBankAccount", {"account": "newaccount", "password": "newpassword", "name": "John Doe"}),
            ("QueryStock", {"stock_code": "NFLX", "date": "2022-02-16"}),
        ],
        "implied": True,
        "note": "the dialogue skips the balance it was asked for; the call is added",
    },
    "QueryRegistration-SymptomSearch-RecordHealthData-level-2-1": {
        "sub": [("from yesterday?", "from yesterday, 2023-06-14 at 13:30?")]
    },
    "QueryRegistration-SymptomSearch-RecordHealthData-level-2-2": {
        "sub": [("heart rate is 80.", "heart rate is 80. My user ID is 1234.")]
    },
    "QueryStock-OpenBankAccount-QueryBalance-GetUserToken-level-2-1": {"implied": True},
    "QueryStock-OpenBankAccount-QueryBalance-GetUserToken-level-2-2": {"implied": True},
    "QueryStock-OpenBankAccount-level-2-1": {
        "sub": [
            (
                "Can you give me the stock price of AAPL on January 4, 2023? That's great, thank you. "
                "Can you also help",
                "Can you help",
            )
        ],
        "note": "the stock question is left out: the dialogue never makes its call",
    },
    "QueryStock-QueryBalance-OpenBankAccount-GetUserToken-level-2-1": {
        "calls": [
            ("QueryStock", {"stock_code": "NFLX", "date": "2022-02-21"}),
            ("GetUserToken", {"username": "user3", "password": "user3pass"}),
            ("QueryBalance", {"token": "p9o8i7u6y5t4r3e2w1q"}),
        ],
        "note": "the dialogue skips the balance it was asked for; the call is added",
    },
    "RecordHealthData-AppointmentRegistration-EmergencyKnowledge-level-2-4": {
        "sub": [
            (
                "I want to record my blood pressure and heart rate.",
                "I want to record my blood pressure, 120/80, and heart rate, 80.",
            )
        ]
    },
    "RecordHealthData-AppointmentRegistration-EmergencyKnowledge-level-2-5": {
        "sub": [("September 3rd", "September 3rd, 2023")]
    },
    "RecordHealthData-AppointmentRegistration-QueryRegistration-level-2-2": {
        "q": "Can you help me record my health history? My user ID is 12345 and I want to record my blood pressure, "
        "120/80, and heart rate, 80. The time is 2023-11-12 10:30:00. I also need to register an appointment "
        "with Dr. Lee on 2023-11-15. My name is Mary. Give me the result of each request, in order.",
        "answer": [0, 1],
        "note": "the last request reads back the appointment just made, which a read-only store cannot",
    },
    "RecordHealthData-level-1-2": {"implied": True},
    "SearchEngine-level-1-2": {"q": 'Can you search for news articles with the keyword "the sustainable development"?'},
    "SendEmail-level-1-1": {
        "calls": [
            (
                "SendEmail",
                {
                    "receiver": "john@example.com",
                    "subject": "Meeting Reminder",
                    "content": "Don't forget our meeting tomorrow at 2pm.",
                },
            )
        ]
    },
    "TimedSwitch-level-1-1": {"implied": True},
    "TimedSwitch-level-1-2": {"implied": True},
    "TimedSwitch-level-1-3": {"implied": True},
    "QueryAgenda-level-1-1": {"implied": True},
    "EmergencyKnowledge-level-3-1": {
        "sub": [
            (
                "find some information about my symptoms?",
                "find possible diseases and first-aid methods for my symptoms?",
            )
        ]
    },
    "SymptomSearch-level-3-1": {
        "sub": [("find some information about a rash?", "find the possible diseases behind a rash?")]
    },
    "SymptomSearch-level-3-2": {
        "sub": [("help me with my skin rash?", "tell me which diseases could cause my skin rash?")]
    },
    "SymptomSearch-level-3-3": {"sub": [("find information about a rash?", "find possible diseases for a rash?")]},
    "SymptomSearch-level-3-4": {
        "sub": [("find some information on a rash", "find the possible diseases behind a rash")]
    },
    "AddAgenda-level-3-1": {"sub": [("July 15th", "July 15th, 2023")]},
    "AddAgenda-level-3-2": {"sub": [("July 15th", "July 15th, 2023")]},
    "AddAlarm-level-3-1": {"sub": [("on 7-15?", "on 7-15, 2023?")]},
    "AddMeeting-level-3-1": {"sub": [("March 15th at 3pm", "March 15th, 2023 from 3pm to 4pm")]},
    "AddMeeting-level-3-2": {
        "sub": [("for next Monday at 2 pm", "for next Monday (today is 2023-07-05) from 2 pm to 3 pm")],
        "implied": True,
    },
    "BookHotel-level-3-1": {"sub": [("October 5th", "October 5th, 2023"), ("October 7th", "October 7th, 2023")]},
    "BookHotel-level-3-2": {
        "sub": [("family of four", "family of four (two adults, two children)"), ("July 15th", "July 15th, 2023")],
        "implied": True,
    },
    "BookHotel-level-3-3": {"sub": [("July 10th", "July 10th, 2023"), ("July 15th", "July 15th, 2023")]},
    "Calculator-level-3-2": {"implied": True},
    "DeleteAlarm-level-3-1": {"sub": [("March 20th", "March 20th, 2023")]},
    "DeleteReminder-level-3-1": {"drop": "the question asks to set a reminder; the expected call deletes one"},
    "ModifyMeeting-level-3-1": {"sub": [("at 10:00 AM", "from 10:00 AM to 12:00 PM")]},
    "QueryMeeting-level-3-1": {"sub": [("March 22nd", "March 22nd, 2023")]},
    "QueryRegistration-level-3-1": {"sub": [("ID 12345678", "ID 12345678, John Doe,")]},
    "QueryRegistration-level-3-2": {"sub": [("April 12th", "April 12th, 2023")]},
    "QueryReminder-level-3-1": {"drop": "no call: the dialogue never makes one"},
    "QueryReminder-level-3-2": {
        "drop": "the question asks to set a reminder; the expected call reads one, and no credentials are given"
    },
    "QueryStock-level-3-1": {"implied": True},
    "ModifyMeeting-level-1-3": {
        "sub": [("start time to 2023-03-27 9:00", "start time to 2023-03-27 9:00, the end time to 2023-03-27 11:00,")]
    },
    "QueryReminder-level-1-1": {"sub": [("March 18th", "March 18th, 2023")]},
}


def _tools() -> Any:
    spec = importlib.util.spec_from_file_location("apibank_tools", HERE / "apibank_tools.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _typed(params: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in params.items():
        kind = TYPES.get(key)
        if isinstance(value, str) and kind is list:
            value = ast.literal_eval(value)
        elif isinstance(value, str) and kind is bool:
            value = value.strip().lower() == "true"
        elif isinstance(value, str) and kind is int:
            value = int(value)
        out[key] = value
    return out


def _reference(calls: list[tuple[str, dict[str, Any]]], tools: Any) -> tuple[str, bool, list[str]]:
    """The reference code (without its answer), whether a result feeds a later call, and the variables
    holding the requests' results."""
    lines, tokens, requests, code = [], {}, [], False
    for name, params in calls:
        args = []
        for key, value in params.items():
            if key == "token" and value in tokens:
                args.append(f"{key}={tokens[value]}")
            elif name == "ForgotPassword" and key == "verification_code" and code:
                args.append(f"{key}=code")
            else:
                args.append(f"{key}={value!r}")
        call = f"{name}({', '.join(args)})"
        if name == "GetUserToken":
            token = tools.GetUserToken(**params)
            if token not in tokens:
                tokens[token] = "token" if not tokens else f"token{len(tokens) + 1}"
                lines.append(f"{tokens[token]} = {call}")
        elif name == "ForgotPassword" and params.get("status") == "Forgot Password":
            lines.append(f"code = {call}")
            code = True
        else:
            requests.append(f"r{len(requests) + 1}")
            lines.append(f"{requests[-1]} = {call}")
    return "\n".join(lines), bool(tokens) or code, requests


def convert(path: Path, folder: str, tools: Any) -> dict[str, Any] | None:
    stem = path.name.removesuffix(".jsonl")
    edit = EDITS.get(stem, {})
    if edit.get("drop"):
        return None
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    calls: list[tuple[str, dict[str, Any]]] = []
    last = -1
    for i, row in enumerate(rows):
        if row["role"] == "API" and row["api_name"] != "ToolSearcher":
            call = (row["api_name"], _typed(row["param_dict"]))
            if call not in calls:
                calls.append(call)
            last = i
    calls = [(name, dict(params)) for name, params in edit.get("calls", calls)]
    if not calls:
        return None
    users = [row["text"].strip() for row in rows[: last + 1] if row["role"] == "User"][: edit.get("users")]
    question = " ".join(u if u[-1:] in ".?!" else u + "." for u in users)
    for old, new in edit.get("sub", []):
        if old not in question:
            raise ValueError(f"{stem}: {old!r} is not in the question")
        question = question.replace(old, new)
    code, chained, requests = _reference(calls, tools)
    if "answer" in edit:
        requests = [requests[i] for i in edit["answer"]]
    code += f"\nanswer = {requests[0]}" if len(requests) == 1 else f"\nanswer = [{', '.join(requests)}]"
    question = edit.get("q", question + (SUFFIX if len(requests) > 1 else ""))
    if folder == "level-2-toolsearcher":
        offered: str | list[str] = "all"
    else:
        named = set(stem.split("-level-")[0].split("-")) | {name for name, _ in calls}
        offered = sorted(
            {n.replace("GetMeeting", "QueryMeeting").replace("GetReminder", "QueryReminder") for n in named}
        )
    found = {"implied arguments": bool(edit.get("implied")), "many tools": offered == "all",
             "several calls": len(requests) > 1, "chained calls": chained}  # fmt: skip
    tags = [tag for tag, on in found.items() if on] or ["single call"]
    namespace = {k: getattr(tools, k) for k in dir(tools) if not k.startswith("_")}
    exec(code, namespace)
    task = {"id": "apibank-" + ("l2-" if folder == FOLDERS[1] else "") + stem.replace("-level-", "-"),
            "source": "api-bank", "category": tags[0], "tags": tags, "lang": "en", "task": question,
            "tools": offered, "needs": sorted({name for name, _ in calls}), "expected": namespace["answer"],
            "reference": code}  # fmt: skip
    return task


def main(api_bank: Path, out: Path) -> None:
    tools = _tools()
    tasks = []
    for folder in FOLDERS:
        for path in sorted((api_bank / "lv1-lv2-samples" / folder).glob("*.jsonl")):
            task = convert(path, folder, tools)
            if task is not None:
                tasks.append(task)
    out.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    print(f"{len(tasks)} tasks written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else HERE / "apibank.jsonl")
