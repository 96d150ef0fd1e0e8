"""Record ids in the audit trail's query string are bounded like ids in URLs (found by fuzzing:
an id past the 32-bit range reached the database and answered 500)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

PAST_ANY_RECORD = 2**31  # one more than an INTEGER column holds on PostgreSQL


@pytest.mark.parametrize("field", ["before_id", "entity_id"])
def test_an_audit_query_id_no_record_can_have_is_refused_naming_the_field(
    client: FlaskClient, make_staff, bearer, field: str
) -> None:
    headers = bearer(make_staff("coordinator"))

    response = client.get(
        "/api/v1/audit",
        query_string={"entity_type": "lead", field: 90947220837055512273011867648},
        headers=headers,
    )

    assert response.status_code == 400
    assert field in response.get_json()["message"]


def test_the_largest_id_a_record_can_have_is_still_a_valid_audit_query(
    client: FlaskClient, make_staff, bearer
) -> None:
    headers = bearer(make_staff("coordinator"))

    response = client.get(
        "/api/v1/audit", query_string={"before_id": PAST_ANY_RECORD - 1}, headers=headers
    )

    assert response.status_code == 200
