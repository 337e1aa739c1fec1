"""The credentials a client searches answers for (http/client.py ``_secrets``) are worked out
again only when a request's differ from the last one's. Whatever changes from one request to
the next (credential headers, their case, a value that is not ASCII or a header elsewhere
that changes how every header is read, a key in the URL's query, the auth's own secrets),
what the memo gives is what working them out afresh gives."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx2
from hypothesis import strategies as st

from reverie.http.auth import CREDENTIAL_HEADERS, credentials_in, fewest, url_credentials
from reverie.http.client import HttpClient

from .budget import fast_and_slow


class Rotating(httpx2.Auth):
    """An auth whose own secrets change (a token refreshed), sending nothing itself."""

    def __init__(self) -> None:
        self.secrets: tuple[str, ...] = ()

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        yield request


NAMES = [*sorted(CREDENTIAL_HEADERS), "x-other", "user-agent"]
VALUES = [
    b"Bearer tok-SECRET-aaaa",
    b"Bearer tok-SECRET-bbbb",
    b"Basic dXNlci1uYW1lOnBhc3MtU0VDUkVULTE=",
    b"tok-SECRET-aaaa",
    b"caf\xc3\xa9-SECRET-utf8",  # not ASCII: read as UTF-8
    b"caf\xe9-SECRET-latin1",  # not UTF-8 either: read as ISO-8859-1
    b"short",
]
header = st.tuples(
    st.sampled_from(NAMES).flatmap(lambda n: st.sampled_from([n, n.upper(), n.title()])),
    st.sampled_from(VALUES),
)
# A key in the URL (a client's params=), another, a query holding none, no query.
queries = st.sampled_from(["?key=url-SECRET-1", "?key=url-SECRET-2", "?alt=sse", ""])
auths = st.sampled_from([(), ("auth-SECRET-one",), ("auth-SECRET-two", "auth-SECRET-one")])
# A few sets of headers, sent in any order and again (so the memo is hit as well as missed),
# each time with the auth's secrets of the moment and maybe a latin-1 header elsewhere.
requests = st.lists(st.lists(header, max_size=3), min_size=1, max_size=3).flatmap(
    lambda pool: st.lists(
        st.tuples(st.sampled_from(pool), auths, st.booleans(), queries), min_size=1, max_size=8
    )
)


def check_the_memo_gives_what_a_fresh_look_gives(
    sequence: list[tuple[list[tuple[str, bytes]], tuple[str, ...], bool, str]],
) -> None:
    auth = Rotating()
    client = HttpClient("p", auth=auth)
    for fields, secrets, latin, query in sequence:
        auth.secrets = secrets
        raw = [(name.encode(), value) for name, value in fields]
        if latin:
            raw.append((b"x-note", b"\xe9t\xe9"))
        request: Any = httpx2.Request("POST", "http://h/" + query, headers=raw)
        in_url = url_credentials(request.url) if query else set()
        fresh = fewest((*secrets, *credentials_in(request.headers.multi_items()), *in_url))
        assert client._secrets(request) == fresh
    assert client._secrets() == fewest(auth.secrets)
    assert client._secrets(request) == fresh


test_memo, test_memo_slow = fast_and_slow(sequence=requests)(
    check_the_memo_gives_what_a_fresh_look_gives
)
