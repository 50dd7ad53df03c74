"""A small closed-loop load generator that signs every request the way Slack does.

    result = await run_load([url], make_request, clients=8, duration=5.0, check=check)

`clients` tasks each send one request, wait for the answer, and send the next, for `duration`
seconds or until `count` requests have been started. Every request gets a fresh
`X-Slack-Request-Timestamp` and its `v0=` HMAC-SHA256 signature over `v0:<ts>:<raw body>`
(slack_sdk's SignatureVerifier, as the test suite signs), so the bot verifies each one for real.
With several URLs (several bot processes), client n talks to URL n mod len(urls).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import aiohttp
from slack_sdk.signature import SignatureVerifier

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Request:
    body: bytes
    content_type: str = FORM


# make_request(n) builds the n-th request (n counts from 0 over the whole run).
RequestFactory = Callable[[int], Request]
# check(n, status, body) returns None when the answer is right, else what was wrong.
Checker = Callable[[int, int, bytes], str | None]


@dataclass
class LoadResult:
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests only
    errors: Counter[str] = field(default_factory=Counter)
    started_at: float = 0.0  # time.perf_counter() when the first request was sent

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.errors.values())

    @property
    def ok(self) -> int:
        return len(self.latencies) - self.bad_answers

    @property
    def bad_answers(self) -> int:
        return sum(n for reason, n in self.errors.items() if not reason.startswith("transport"))

    @property
    def rate(self) -> float:
        """Answered requests per second of wall time."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, pct: float) -> float:
        return 1000 * percentile(self.latencies, pct)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least pct% of values at or below."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def signed_headers(verifier: SignatureVerifier, body: bytes, content_type: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": str(verifier.generate_signature(timestamp=timestamp, body=body)),
    }


async def run_load(
    urls: Sequence[str],
    make_request: RequestFactory,
    *,
    secret: str,
    clients: int,
    duration: float | None = None,
    count: int | None = None,
    check: Checker | None = None,
    timeout: float = 10.0,  # noqa: ASYNC109 - a per-request limit, passed to aiohttp
) -> LoadResult:
    """Run the load; stops starting requests after `duration` s or `count` requests."""
    if duration is None and count is None:
        raise ValueError("give a duration or a request count")
    verifier = SignatureVerifier(secret)
    numbers = itertools.count()
    result = LoadResult(clients=clients)
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    last_done = 0.0

    async def client(index: int, session: aiohttp.ClientSession, deadline: float) -> None:
        nonlocal last_done
        url = urls[index % len(urls)]
        while True:
            if time.perf_counter() >= deadline:
                return
            n = next(numbers)
            if count is not None and n >= count:
                return
            request = make_request(n)
            headers = signed_headers(verifier, request.body, request.content_type)
            sent = time.perf_counter()
            try:
                async with session.post(url, data=request.body, headers=headers) as response:
                    body = await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                result.errors[f"transport: {type(exc).__name__}"] += 1
                last_done = time.perf_counter()
                continue
            done = time.perf_counter()
            last_done = done
            result.latencies.append(done - sent)
            problem = check(n, status, body) if check else (None if status == 200 else str(status))
            if problem is not None:
                result.errors[problem] += 1

    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        start = time.perf_counter()
        result.started_at = start
        deadline = start + duration if duration is not None else float("inf")
        await asyncio.gather(*(client(i, session, deadline) for i in range(clients)))
    result.seconds = max(last_done - start, 1e-9)
    return result
