"""Staff page of the site's text messages: texts that did not reach a patient, and texts from
patients waiting for an answer.

A blueprint nested in the staff pages, so it shares their layout, error pages and helpers; every
query is scoped to the signed-in staff member's site. Any staff role reads; the clinical roles
mark a patient's text answered (post/redirect/get, with a notice shown once). One patient's texts
show on their timeline (`message_rows.patient_text_rows`, passed by the visit pages).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, get_flashed_messages, redirect, render_template, url_for
from werkzeug.wrappers import Response

from companion.access.policy import current_staff, staff
from companion.db import db
from companion.enrolment.api import CLINICAL
from companion.messaging import review
from companion.staff import message_wording as wording
from companion.staff.message_rows import received_row, sent_row
from companion.staff.visit_rows import patient_label
from companion.timestamps import utcnow

bp = Blueprint("messages", __name__)

NOTICE = "texts"  # the flash category of this page's notices


@bp.get("/messages")
@staff()
def messages() -> str:
    site_id = current_staff().site_id
    failed = review.failed_texts(db.session, site_id)
    waiting = review.texts_awaiting_answer(db.session, site_id)
    patients = review.patients_by_id(
        db.session, site_id, {message.patient_id for message in [*failed, *waiting]}
    )
    return render_template(
        "staff/messages.html",
        failed=[(sent_row(message), patients.get(message.patient_id)) for message in failed],
        waiting=[
            (received_row(message), message.id, patients.get(message.patient_id))
            for message in waiting
        ],
        can_answer=current_staff().role in CLINICAL,
        done=[
            wording.DONE_MESSAGES[key]
            for key in get_flashed_messages(category_filter=[NOTICE])
            if key in wording.DONE_MESSAGES
        ],
    )


@bp.post("/messages/<int:message_id>/answered")
@staff(*CLINICAL)
def mark_answered(message_id: int) -> Response:
    """The team has answered this text from a patient (by phone, in person or by text)."""
    review.mark_answered(db.session, current_staff().site_id, message_id, utcnow())
    db.session.commit()
    flash("answered", NOTICE)
    return redirect(url_for(".messages", _anchor="notice"), code=303)


@bp.context_processor
def message_page_helpers() -> dict[str, Any]:
    return {"patient_label": patient_label}
