"""Words of the staff chat pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

WEB_VISITOR = _l("Web visitor %(id)s")
CHANNELS = {"web": _l("Web chat"), "sms": _l("Text messages")}
SPEAKERS = {"person": _l("They wrote"), "bot": _l("Bot"), "staff": _l("Staff")}
TASK_KINDS = {"callback": _l("Call them back"), "reschedule": _l("Arrange a new visit time")}
NOTICES = {
    "taken_over": _l(
        "You have taken this conversation over. The bot is silent until you hand it back."
    ),
    "released": _l("The bot answers this conversation again."),
    "written": _l("Your message was added to the conversation."),
    "task_done": _l("The task is marked done."),
}
PROBLEMS = {
    "text": _l("Please write a message of 1 to 600 characters."),
    "written_refused": _l("Take the conversation over before you write in it."),
    "taken_over_refused": _l("Someone else on the team has taken this conversation over."),
    "released_refused": _l("The bot already answers this conversation."),
}
