"""Property: any JSON object posted to /api/specs gets a 201 or a 400, never anything else."""

from __future__ import annotations

import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from entrypoints.config import Settings
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.support.documents import petstore
from tests.support.rsa_keys import RsaTestKey

_KEY = RsaTestKey("kid-props")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
fields = st.sampled_from(["name", "version", "sourceUrl", "rawSpec", "refetch", "other"])
bodies = st.dictionaries(fields | st.text(max_size=8), json_values, max_size=5)
# Bodies shaped like a real import, with the document itself mutated.
documents = st.fixed_dictionaries(
    {"name": st.text(max_size=30)},
    optional={
        "rawSpec": st.builds(
            lambda doc, key, value: {**doc, key: value},
            st.just(petstore()),
            st.sampled_from(["openapi", "info", "paths", "components", "servers", "swagger"]),
            json_values,
        ),
        "version": json_values,
    },
)


def _client() -> TestClient[Any]:
    settings_ = Settings(
        persistence="memory",
        identity="clerk",
        clerk_jwt_key=_KEY.public_pem,
        auto_migrate=False,
        api_rate_limit=1_000_000,
    )
    return TestClient(create_app(build_container(settings_)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies | documents)
def test_any_json_object_gets_201_or_400(body: dict[str, Any]) -> None:
    now = int(time.time())
    token = _KEY.mint({"sub": "prop", "iat": now, "exp": now + 600})
    with _client() as client:
        response = client.post(
            "/api/specs", json=body, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code in (201, 400), response.text
    envelope = response.json()
    assert envelope["success"] is (response.status_code == 201)
    if response.status_code == 400:
        assert envelope["error"]["code"] == "VALIDATION_ERROR"
        assert envelope["error"]["details"]
