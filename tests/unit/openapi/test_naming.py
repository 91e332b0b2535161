"""Tool names are valid, unique, and do not depend on the order or content of other operations."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from domain.openapi.naming import NameRequest, assign_names, is_valid_name


def _names(requests: list[NameRequest]) -> dict[tuple[str, str], str]:
    return {(r.method, r.path): n for r, n in zip(requests, assign_names(requests), strict=True)}


def test_keeps_a_valid_operation_id() -> None:
    assert assign_names([NameRequest("GET", "/users", "listUsers")]) == ["listUsers"]


def test_derives_method_and_path_without_an_operation_id() -> None:
    assert assign_names([NameRequest("GET", "/users/{id}", None)]) == ["get_users_id"]


def test_sanitises_an_invalid_operation_id() -> None:
    assert assign_names([NameRequest("GET", "/r", "List Rules (v2)")]) == ["List_Rules_v2"]


def test_cuts_long_names_readably_and_distinctly() -> None:
    a = NameRequest("GET", "/a", "x" * 70 + "A")
    b = NameRequest("GET", "/b", "x" * 70 + "B")
    first, second = assign_names([a, b])
    assert len(first) <= 64 and first.startswith("x" * 40)
    assert first != second


def test_every_member_of_a_colliding_group_gets_a_suffix() -> None:
    names = assign_names(
        [NameRequest("GET", "/a", "List rules"), NameRequest("GET", "/b", "List rules!")]
    )
    assert len(set(names)) == 2 and all(n.startswith("List_rules_") for n in names)


def test_a_verbatim_operation_id_keeps_its_name_when_a_derived_one_collides() -> None:
    existing = NameRequest("GET", "/users", "get_users")
    added = NameRequest("GET", "/users/", None)  # derives get_users too
    assert _names([existing, added])[("GET", "/users")] == "get_users"


def test_duplicate_operation_ids_are_all_suffixed() -> None:
    names = assign_names([NameRequest("GET", "/a", "dup"), NameRequest("POST", "/b", "dup")])
    assert len(set(names)) == 2 and "dup" not in names


def test_case_only_differences_count_as_collisions() -> None:
    names = assign_names([NameRequest("GET", "/a", "Foo"), NameRequest("GET", "/b", "foo")])
    assert len({n.lower() for n in names}) == 2


_requests = st.lists(
    st.builds(
        NameRequest,
        st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
        st.text(alphabet="/{}ab_-.~é", min_size=1, max_size=80).map(lambda p: "/" + p),
        st.one_of(st.none(), st.text(max_size=90), st.sampled_from(["dup", "Dup", "get_a"])),
    ),
    max_size=25,
    unique_by=lambda r: (r.method, r.path),
)


@given(_requests, st.randoms())
def test_names_are_valid_unique_and_order_independent(
    requests: list[NameRequest], rnd: random.Random
) -> None:
    names = _names(requests)
    assert all(is_valid_name(n) for n in names.values())
    assert len({n.lower() for n in names.values()}) == len(names)
    shuffled = list(requests)
    rnd.shuffle(shuffled)
    assert _names(shuffled) == names


@given(_requests, _requests)
def test_adding_unrelated_operations_never_renames_a_tool(
    requests: list[NameRequest], others: list[NameRequest]
) -> None:
    before = _names(requests)
    combined = requests + [o for o in others if (o.method, o.path) not in before]
    after = _names(combined)
    wanted_before = {assign_names([r])[0].lower() for r in requests}
    for request in requests:
        clash = any(
            assign_names([o])[0].lower() == assign_names([request])[0].lower()
            for o in combined
            if o is not request
        )
        if not clash and len(wanted_before) == len(requests):
            assert after[(request.method, request.path)] == before[(request.method, request.path)]
