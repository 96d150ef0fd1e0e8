"""Where a criterion stands for one person, and the verdicts those standings add up to."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Status(IntEnum):
    """A criterion's standing, relative to eligibility, ordered from best to worst.

    The order lets rules combine standings with `max`: a failure outweighs an open question,
    an open question for the patient outweighs a check only the site can make.
    """

    PASS = 0
    SITE_CHECK = 1
    UNKNOWN = 2
    FAIL = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def is_settled(self) -> bool:
        return self in (Status.PASS, Status.FAIL)


class Verdict(StrEnum):
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_REVIEW = "needs_review"
    LIKELY_ELIGIBLE = "likely_eligible"
    ELIGIBLE = "eligible"


VERDICT_BY_WORST_STATUS = {
    Status.FAIL: Verdict.NOT_ELIGIBLE,
    Status.UNKNOWN: Verdict.NEEDS_REVIEW,
    Status.SITE_CHECK: Verdict.LIKELY_ELIGIBLE,
    Status.PASS: Verdict.ELIGIBLE,
}
