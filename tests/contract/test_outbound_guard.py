"""The outbound guard (API.md §8) against real HTTP servers on 127.0.0.1.

Only loopback addresses are ever connected to: refusals of other ranges are checked through
the policy and `check_url_allowed`, which never connect, so a broken guard cannot reach them.
Host names resolve through injected resolvers, never real DNS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from adapters.outbound import (
    AddressPolicy,
    GuardedDocumentFetcher,
    GuardedHttpClient,
    build_guarded_client,
    check_url_allowed,
)
from adapters.outbound.host_literals import parse_host_literal
from domain.errors import UpstreamUnavailable
from tests.support.upstream_server import ReceivedRequest, Reply, UpstreamServer, tls_contexts_for

LOCAL = ("127.0.0.0/8",)
ClientFactory = Callable[..., GuardedHttpClient]


def resolver_for(table: Mapping[str, Sequence[str]], delay: float = 0.0) -> Any:
    """A resolver answering from `table`; any other name fails like an unknown DNS name."""

    async def resolve(host: str, port: int) -> Sequence[str]:
        await asyncio.sleep(delay)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


@pytest.fixture
async def make_client() -> AsyncIterator[ClientFactory]:
    clients: list[GuardedHttpClient] = []

    def make(allow_cidrs: Sequence[str] = LOCAL, **options: Any) -> GuardedHttpClient:
        options.setdefault("resolver", resolver_for({}))
        clients.append(build_guarded_client(allow_cidrs, **options))
        return clients[-1]

    yield make
    for client in clients:
        await client.aclose()


def answer(body: bytes = b"{}", **headers: str) -> Callable[[ReceivedRequest], Reply]:
    return lambda request: Reply(200, {"content-type": "application/json", **headers}, body)


def redirect(location: str, status: int = 302) -> Callable[[ReceivedRequest], Reply]:
    return lambda request: Reply(status, {"location": location})


async def refusal(call: Awaitable[object]) -> UpstreamUnavailable:
    with pytest.raises(UpstreamUnavailable) as caught:
        await call
    return caught.value


# --- the address policy -------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:0:7f00:1", "::127.0.0.1",
        "10.1.2.3", "172.16.0.1", "192.168.0.1", "fd00::1", "169.254.169.254",
        "fd00:ec2::254", "fe80::1", "100.64.0.1", "224.0.0.1", "ff02::1", "0.0.0.0", "::",
        "255.255.255.255", "240.0.0.1", "198.18.0.1", "192.0.2.1", "2001:db8::1",
        "64:ff9b::a00:1", "64:ff9b:1::1", "2002:7f00:1::", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    ],
)  # fmt: skip
def test_policy_refuses_non_public_addresses(address: str) -> None:
    assert not AddressPolicy().allows(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_policy_allows_public_addresses_and_their_mapped_forms(address: str) -> None:
    assert AddressPolicy().allows(ipaddress.ip_address(address))


def test_the_allow_list_overrides_except_for_cloud_metadata() -> None:
    policy = AddressPolicy.from_setting("127.0.0.0/8, 169.254.0.0/16")
    assert policy.allows(ipaddress.ip_address("127.0.0.1"))
    assert policy.allows(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert policy.allows(ipaddress.ip_address("169.254.1.1"))
    assert not policy.allows(ipaddress.ip_address("169.254.169.254"))
    assert not policy.allows(ipaddress.ip_address("10.0.0.1"))


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "[::ffff:7f00:1]"])
def test_every_spelling_of_an_address_is_read_as_that_address(host: str) -> None:
    assert parse_host_literal(host) in (
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::ffff:127.0.0.1"),
    )
    assert parse_host_literal("api.example.test") is None


# --- the write-time check -----------------------------------------------------------------

NAMES = resolver_for(
    {
        "private.example.test": ["10.0.0.7"],
        "mixed.example.test": ["93.184.216.34", "192.168.1.10"],
        "public.example.test": ["93.184.216.34", "2606:2800:220:1::"],
    }
)


@pytest.mark.parametrize(
    "url",
    [
        "http://private.example.test/",
        "https://mixed.example.test/",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/",
        "http://[fd00::1]/",
        "http://0.0.0.0:8080/",
    ],
)
async def test_check_url_refuses_hosts_the_guard_refuses(url: str) -> None:
    error = await refusal(check_url_allowed(url, AddressPolicy(), NAMES))
    assert error.reason == "blocked_address"


async def test_check_url_accepts_public_hosts_and_reports_bad_urls_and_names() -> None:
    await check_url_allowed("https://public.example.test/v1", AddressPolicy(), NAMES)
    with pytest.raises(ValueError, match="http and https"):
        await check_url_allowed("file:///etc/passwd", AddressPolicy(), NAMES)
    assert (
        await refusal(check_url_allowed("http://nowhere.test/", AddressPolicy(), NAMES))
    ).reason == "dns"


# --- the guarded client against local servers ---------------------------------------------


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0", "2130706433", "0x7f.1", "127.1"]
)
async def test_local_addresses_are_refused_without_the_allow_list(
    make_client: ClientFactory, host: str
) -> None:
    async with UpstreamServer(answer()) as server:
        error = await refusal(make_client(()).request("GET", f"http://{host}:{server.port}/"))
    assert error.reason == "blocked_address"
    assert server.received == []


async def test_a_name_with_one_refused_address_is_refused(make_client: ClientFactory) -> None:
    names = resolver_for({"twofaced.example.test": ["127.0.0.1", "127.0.0.2"]})
    client = make_client(["127.0.0.1/32"], resolver=names)
    async with UpstreamServer(answer()) as server:
        error = await refusal(client.request("GET", f"http://twofaced.example.test:{server.port}/"))
    assert error.reason == "blocked_address"
    assert server.received == []


async def test_allow_listed_fetch_works(make_client: ClientFactory) -> None:
    async with UpstreamServer(answer(b'{"openapi": "3.1.0"}')) as server:
        document = await GuardedDocumentFetcher(make_client()).fetch(server.url + "/spec.json")
    assert document.content == b'{"openapi": "3.1.0"}'
    assert document.content_type == "application/json"
    assert "application/yaml" in server.received[0].headers["accept"]


async def test_the_connection_goes_to_the_checked_address_with_the_original_host(
    make_client: ClientFactory,
) -> None:
    client = make_client(resolver=resolver_for({"api.example.test": ["127.0.0.1"]}))
    async with UpstreamServer(answer()) as server:
        response = await client.request("GET", f"http://api.example.test:{server.port}/pets")
    assert response.status == 200
    assert server.received[0].headers["host"] == f"api.example.test:{server.port}"


async def test_https_verifies_the_certificate_for_the_url_hostname(
    make_client: ClientFactory, tmp_path: Path
) -> None:
    server_tls, client_tls = tls_contexts_for("api.example.test", tmp_path)
    names = resolver_for({"api.example.test": ["127.0.0.1"], "other.example.test": ["127.0.0.1"]})
    client = make_client(resolver=names, ssl_context=client_tls)
    async with UpstreamServer(answer(b"secure"), tls=server_tls) as server:
        response = await client.request("GET", f"https://api.example.test:{server.port}/")
        error = await refusal(client.request("GET", f"https://other.example.test:{server.port}/"))
    assert response.content == b"secure"
    assert server.received[0].headers["host"] == f"api.example.test:{server.port}"
    assert (error.reason, error.message) == (
        "connect",
        "The TLS certificate of other.example.test could not be verified.",
    )


async def test_proxy_settings_from_the_environment_are_ignored(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    async with UpstreamServer(answer(b"direct")) as server:
        response = await make_client().request("GET", server.url + "/")
    assert response.content == b"direct"


async def test_schemes_other_than_http_are_refused(make_client: ClientFactory) -> None:
    error = await refusal(make_client().request("GET", "ftp://127.0.0.1/spec.json"))
    assert error.reason == "blocked_address"


async def test_an_unknown_name_is_a_dns_failure(make_client: ClientFactory) -> None:
    error = await refusal(make_client().request("GET", "http://unknown.example.test/"))
    assert (error.reason, error.message) == ("dns", "Could not resolve unknown.example.test.")


# --- redirects ------------------------------------------------------------------------------


async def test_a_redirect_to_a_refused_address_is_refused(make_client: ClientFactory) -> None:
    client = make_client(["127.0.0.1/32"])
    async with UpstreamServer(answer()) as refused:  # 127.0.0.2 reaches it, but is not allowed
        hop = redirect(f"http://127.0.0.2:{refused.port}/latest/meta-data")
        async with UpstreamServer(hop) as start:
            error = await refusal(client.request("GET", start.url + "/"))
    assert error.reason == "blocked_address"
    assert refused.received == []


async def test_a_redirect_loop_stops_after_three_hops(make_client: ClientFactory) -> None:
    async with UpstreamServer(redirect("/again")) as server:
        error = await refusal(make_client().request("GET", server.url + "/"))
    assert (error.reason, error.message) == (
        "bad_response",
        "127.0.0.1 redirected more than 3 times.",
    )
    assert len(server.received) == 4


async def test_credentials_are_dropped_when_a_redirect_changes_origin(
    make_client: ClientFactory,
) -> None:
    async with UpstreamServer(answer()) as other:
        # Servers often echo the query string into Location, secrets included.
        hop = redirect(f"{other.url}/landing?api_key=SECRET&page=2")
        async with UpstreamServer(hop) as first:
            await make_client().request(
                "GET",
                first.url + "/start?api_key=SECRET",
                headers={
                    "Authorization": "Bearer T",
                    "Cookie": "s=1",
                    "X-Api-Key": "K",
                    "X-Trace": "t",
                },
                secret_headers=["x-api-key"],
                secret_query_params=["api_key"],
            )
    sent, landed = first.received[0], other.received[0]
    assert (sent.headers["authorization"], sent.headers["cookie"], sent.headers["x-api-key"]) == (
        "Bearer T",
        "s=1",
        "K",
    )
    assert sent.query == {"api_key": ["SECRET"]}
    assert not {"authorization", "cookie", "x-api-key"} & landed.headers.keys()
    assert landed.headers["x-trace"] == "t"
    assert landed.query == {"page": ["2"]}


async def test_credentials_stay_on_a_same_origin_redirect(make_client: ClientFactory) -> None:
    def handler(request: ReceivedRequest) -> Reply:
        return Reply(301, {"location": "/v2/pets"}) if request.path == "/pets" else Reply(200)

    async with UpstreamServer(handler) as server:
        await make_client().request("GET", server.url + "/pets", headers={"Authorization": "T"})
    assert [request.headers.get("authorization") for request in server.received] == ["T", "T"]


@pytest.mark.parametrize(
    ("status", "method", "body"),
    [
        (303, "GET", b""),
        (302, "GET", b""),
        (301, "GET", b""),
        (307, "POST", b"{}"),
        (308, "POST", b"{}"),
    ],
)
async def test_redirected_posts_follow_browser_rules(
    make_client: ClientFactory, status: int, method: str, body: bytes
) -> None:
    def handler(request: ReceivedRequest) -> Reply:
        return Reply(status, {"location": "/done"}) if request.path == "/submit" else Reply(200)

    async with UpstreamServer(handler) as server:
        await make_client().request(
            "POST",
            server.url + "/submit",
            headers={"content-type": "application/json"},
            content=b"{}",
        )
    followed = server.received[1]
    assert (followed.method, followed.body) == (method, body)
    assert ("content-type" in followed.headers) == bool(body)


# --- body caps, time limits, messages --------------------------------------------------------


async def test_a_tool_call_body_over_the_cap_is_cut_and_marked(make_client: ClientFactory) -> None:
    async with UpstreamServer(answer(b"x" * 5000)) as server:
        cut = await make_client().request("GET", server.url + "/", body_limit=1000)
        whole = await make_client().request("GET", server.url + "/", body_limit=5000)
    assert (len(cut.content), cut.truncated) == (1000, True)
    assert (len(whole.content), whole.truncated) == (5000, False)


async def test_a_spec_over_the_cap_is_refused_as_too_large(make_client: ClientFactory) -> None:
    async with UpstreamServer(answer(b"x" * 5000)) as server:
        fetcher = GuardedDocumentFetcher(make_client(), body_limit=1000)
        error = await refusal(fetcher.fetch(server.url + "/spec.yaml"))
    assert error.reason == "too_large"


async def test_a_slow_answer_times_out(make_client: ClientFactory) -> None:
    slow = lambda request: Reply(200, body=b"late", delay=2.0)  # noqa: E731
    async with UpstreamServer(slow) as server:
        started = time.perf_counter()
        error = await refusal(make_client(total_timeout=0.3).request("GET", server.url + "/"))
    assert (error.reason, error.message) == ("timeout", "127.0.0.1 did not answer within 0.3 s.")
    assert time.perf_counter() - started < 1.5


async def test_slow_name_resolution_counts_against_the_connect_limit(
    make_client: ClientFactory,
) -> None:
    names = resolver_for({"slow.example.test": ["127.0.0.1"]}, delay=2.0)
    client = make_client(resolver=names, connect_timeout=0.2)
    error = await refusal(client.request("GET", "http://slow.example.test/"))
    assert error.reason == "timeout"


async def test_errors_name_the_host_but_never_the_query(make_client: ClientFactory) -> None:
    async with UpstreamServer(lambda request: Reply(404)) as server:
        fetcher = GuardedDocumentFetcher(make_client())
        missing = await refusal(fetcher.fetch(server.url + "/spec?token=SECRET"))
        blocked = await refusal(make_client(()).request("GET", server.url + "/?token=SECRET"))
    assert (missing.reason, missing.message) == ("bad_response", "The spec URL answered 404.")
    assert "127.0.0.1" in blocked.message
    assert "SECRET" not in blocked.message


async def test_connections_are_pooled_per_host_name_never_shared_across_names(
    make_client: ClientFactory,
) -> None:
    names = resolver_for({"a.example.test": ["127.0.0.1"], "b.example.test": ["127.0.0.1"]})
    client = make_client(resolver=names)
    async with UpstreamServer(answer()) as server:
        for host in ("a.example.test", "a.example.test", "b.example.test"):
            await client.request("GET", f"http://{host}:{server.port}/")
    assert [request.connection for request in server.received] == [0, 0, 1]
