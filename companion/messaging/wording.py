"""Every text message we send, in words a patient reads at a glance, and how it is rendered.

Texts cross carriers unencrypted and show on lock screens, so none names the disease, the drugs
or the trial. Each one says who it is from (the study team at the site's short name, or "Your
study team"), what and when, and what to do; `render_sms` puts the sender on the first line and
the site's phone number on the last, so a template holds only its own message. Dates and times are
formatted with Babel in the patient's language and time zone.

A message is sent in as few SMS segments as possible: English stays in the GSM-7 alphabet (one
curly quote or accented letter would switch the whole message to UCS-2 and halve its room), and
any Chinese character makes it UCS-2, 70 characters in one segment or 67 in each of several.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import smsutil
from babel.dates import format_skeleton, format_time
from flask import has_app_context
from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l

from companion.i18n import babel_locale

# Reminders (the planner names them in companion/messaging/reminder_policy.yaml).
VISIT_EVE = _l("Tomorrow, %(day)s at %(time)s: %(visit)s. Reply C to confirm.")
VISIT_MORNING = _l("Today at %(time)s: %(visit)s. Reply C to confirm.")
CHECK_IN = _l(
    "We will call you today at %(time)s for a short check-in. Please keep your phone close."
)
HOME_SHOT = _l("Your shot at home is due today at %(time)s. Then mark it in your shot diary.")

# Answers to what patients text us. STOP is answered by Twilio itself, never by us.
HELP_REPLY = _l(
    "We send you reminders for your study visits. Reply C to confirm a visit. "
    "Reply STOP to end these texts."
)
START_REPLY = _l("Welcome back. You will get your visit reminders again. Reply STOP to end them.")
CONFIRM_THANKS = _l("Thank you. You confirmed %(visit)s on %(day)s at %(time)s.")
CONFIRM_NOTHING_TO_CONFIRM = _l("Thank you. You have no visit to confirm right now.")
OTHER_RECEIVED = _l(
    "We got your message. We read texts on work days, so a reply may take a while. "
    "If you feel very unwell, call us now. In an emergency, call 120."
)

# Who a text is from, and whom to call: put around every message by `render_sms`.
FROM_SITE = _l("Study team at %(site)s:")
FROM_TEAM = _l("Your study team:")
CALL_US = _l("Questions? Call %(phone)s.")

REMINDER_TEMPLATES: dict[str, LazyString] = {
    "visit_eve": VISIT_EVE,
    "visit_morning": VISIT_MORNING,
    "check_in": CHECK_IN,
    "home_shot": HOME_SHOT,
}
ALL_TEMPLATES: dict[str, LazyString] = {
    **REMINDER_TEMPLATES,
    "help_reply": HELP_REPLY,
    "start_reply": START_REPLY,
    "confirm_thanks": CONFIRM_THANKS,
    "confirm_nothing_to_confirm": CONFIRM_NOTHING_TO_CONFIRM,
    "other_received": OTHER_RECEIVED,
}

# Spaces outside the GSM-7 alphabet that Babel and editors put in ("8:30\u202fAM"): one of them
# would send a whole English text as UCS-2.
_PLAIN_SPACES = str.maketrans(dict.fromkeys("\u00a0\u2007\u2009\u202f", " "))
GSM_7 = "GSM-7"
UCS_2 = "UCS-2"
_ENCODINGS = {"gsm0338": GSM_7, "utf_16_be": UCS_2}


class RenderedSms(NamedTuple):
    text: str
    segments: int
    encoding: str  # GSM_7 or UCS_2


def render_sms(
    template: LazyString,
    language: str,
    *,
    site: str | None = None,
    phone: str | None = None,
    **params: str,
) -> RenderedSms:
    """The whole text of `template` in `language`: from whom, the message, whom to call.

    `site`: the site's short name for texts ("Your study team" when None); `phone`: the
    number patients call (the last sentence is left out when None); `params` fill the
    template's placeholders (visit, day, time). Needs an application context, so that the
    patient's language is the one used, whoever's request is being served.
    """
    if not has_app_context():
        raise RuntimeError("render_sms needs an application context to choose the language")
    with force_locale(language):
        return sms_from_team(str(template % params), language, site=site, phone=phone)


def sms_from_team(
    body: str, language: str, *, site: str | None = None, phone: str | None = None
) -> RenderedSms:
    """`body`, already in `language`, as a whole text: from whom, the body, whom to call."""
    with force_locale(language):
        parts = [FROM_SITE % {"site": site} if site else str(FROM_TEAM), body]
        if phone:
            parts.append(CALL_US % {"phone": phone})
    text = "\n".join(parts).translate(_PLAIN_SPACES)
    split = smsutil.split(text)
    return RenderedSms(text, len(split.parts), _ENCODINGS.get(split.encoding, split.encoding))


def sms_day(moment: datetime, language: str, tz: str) -> str:
    """The day of `moment` where the patient lives, short, with its weekday: "Mon, Sep 14"."""
    day = format_skeleton("MMMEd", moment, tzinfo=ZoneInfo(tz), locale=babel_locale(language))
    return day.translate(_PLAIN_SPACES)


def sms_time(moment: datetime, language: str, tz: str) -> str:
    """The time of `moment` on the patient's clock: "8:30 AM", "08:30"."""
    clock = format_time(moment, "short", tzinfo=ZoneInfo(tz), locale=babel_locale(language))
    return clock.translate(_PLAIN_SPACES)


def visit_params(name: str, starts_at: datetime, language: str, tz: str) -> dict[str, str]:
    """The placeholders of a message about a visit (or a home dose): its name, and its day and
    time on the patient's clock. A template uses those it needs."""
    return {
        "visit": name,
        "day": sms_day(starts_at, language, tz),
        "time": sms_time(starts_at, language, tz),
    }
