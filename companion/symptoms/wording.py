"""What a patient is told after a symptom report, and what the on-call phone is texted.

The patient's answer depends only on the urgency, so it is fixed, not composed: an emergency
answer tells them to call the emergency number now and then the study's 24-hour phone; a red one
that the team will call within the hour; amber and green ones thank them. Plain words (grade 8 or
lower), and, like every text we send, no disease, drug or trial names (see
`companion.messaging.wording`). English stays in the GSM-7 alphabet.

The on-call alert goes to a staff phone with no language setting, so it is in English and
Chinese; it says only that a report needs someone and where to open it: no name, number or
symptom, since texts show on lock screens.
"""

from __future__ import annotations

import smsutil
from flask import current_app, has_request_context, request
from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l

from companion.messaging.wording import RenderedSms, render_sms
from companion.symptoms.settings import SymptomSettings
from symptoms import Urgency

EMERGENCY_ANSWER = _l(
    "This may be an emergency. Call %(emergency_number)s now. "
    "Then call our 24-hour phone: %(urgent_phone)s. Do not wait for a text back."
)
EMERGENCY_ANSWER_WITHOUT_24_HOUR_PHONE = _l(
    "This may be an emergency. Call %(emergency_number)s now. Do not wait for a text back."
)
RED_ANSWER = _l(
    "Thank you for telling us. Your study team will call you within the hour. "
    "If you feel worse, call %(emergency_number)s now. "
    "Our 24-hour phone: %(urgent_phone)s."
)
RED_ANSWER_WITHOUT_24_HOUR_PHONE = _l(
    "Thank you for telling us. Your study team will call you within the hour. "
    "If you feel worse, call %(emergency_number)s now."
)
AMBER_ANSWER = _l(
    "Thank you for telling us. Your study team will look at it today. "
    "If you feel worse, call us. In an emergency, call %(emergency_number)s."
)
GREEN_ANSWER = _l(
    "Thank you for telling us. Your study team will look at it. "
    "In an emergency, call %(emergency_number)s."
)

ALERT_EMERGENCY = _l("URGENT: a patient report needs you now.")
ALERT_RED = _l("URGENT: a patient report needs a call back within the hour.")

STAFF_REPORT_PATH = "/staff/symptoms/%d"
ALERT_LANGUAGES = ("en", "zh")


def answer_template(urgency: Urgency, settings: SymptomSettings) -> LazyString:
    """The fixed answer for a report of `urgency` (the 24-hour phone only when the site has one)."""
    if urgency == Urgency.EMERGENCY:
        return EMERGENCY_ANSWER if settings.urgent_phone else EMERGENCY_ANSWER_WITHOUT_24_HOUR_PHONE
    if urgency == Urgency.RED:
        return RED_ANSWER if settings.urgent_phone else RED_ANSWER_WITHOUT_24_HOUR_PHONE
    return AMBER_ANSWER if urgency == Urgency.AMBER else GREEN_ANSWER


def answer_params(settings: SymptomSettings) -> dict[str, str]:
    return {
        "emergency_number": settings.emergency_number,
        "urgent_phone": settings.urgent_phone or "",
    }


def patient_answer(urgency: Urgency, settings: SymptomSettings, language: str) -> str:
    """The answer alone, in `language` (for a web page or the API)."""
    with force_locale(language):
        return str(answer_template(urgency, settings) % answer_params(settings))


def patient_answer_sms(
    urgency: Urgency,
    settings: SymptomSettings,
    language: str,
    *,
    sender_label: str | None,
    site_phone: str | None,
) -> RenderedSms:
    """The answer as a text: from the study team, then the answer. Emergency and red answers
    already say whom to call, so only amber and green ones end with the site's phone."""
    return render_sms(
        answer_template(urgency, settings),
        language,
        site=sender_label,
        phone=site_phone if urgency < Urgency.RED else None,
        **answer_params(settings),
    )


def on_call_alert(urgency: Urgency, report_id: int) -> RenderedSms:
    """The text to the on-call phone about report `report_id`: what, in English and Chinese,
    and the link to the report."""
    template = ALERT_EMERGENCY if urgency == Urgency.EMERGENCY else ALERT_RED
    lines: list[str] = []
    for language in ALERT_LANGUAGES:
        with force_locale(language):
            line = str(template)
        if line not in lines:
            lines.append(line)
    lines.append(staff_report_url(report_id))
    text = "\n".join(lines)
    split = smsutil.split(text)
    encoding = "GSM-7" if split.encoding == "gsm0338" else "UCS-2"
    return RenderedSms(text, len(split.parts), encoding)


def staff_report_url(report_id: int) -> str:
    """The report's staff page, absolute: under PUBLIC_BASE_URL, else the request's host."""
    path = STAFF_REPORT_PATH % report_id
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + path
    if has_request_context():
        return request.host_url.rstrip("/") + path
    return path
