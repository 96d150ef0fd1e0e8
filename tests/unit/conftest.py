"""The trial under test, loaded once: the pure pre-screen core needs no app and no database."""

from __future__ import annotations

import pytest

from matching import Trial, load_trial

TRIAL_ID = "NCT07586904"


@pytest.fixture(scope="session")
def trial() -> Trial:
    return load_trial(TRIAL_ID)
