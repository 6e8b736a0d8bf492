"""edge.uplink.pacing: backoff after failures and the bandwidth cap, against a simulated clock."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.uplink.pacing import Backoff, TokenBucket


class NoJitter(random.Random):
    """Always the top of the jitter range, so the ceiling itself is visible."""

    def uniform(self, a, b):
        return b


def delays(backoff: Backoff, failures: int) -> list[float]:
    return [backoff.failed() for _ in range(failures)]


def test_backoff_doubles_from_the_base_until_the_cap():
    assert delays(Backoff(base=1.0, cap=300.0, rng=NoJitter()), 12) == [
        1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


@pytest.mark.parametrize(("base", "cap"), [(0.5, 10.0), (2.0, 2.0), (5.0, 60.0)])
def test_backoff_never_exceeds_its_cap(base, cap):
    assert max(delays(Backoff(base=base, cap=cap, rng=NoJitter()), 40)) == cap


def test_default_backoff_after_twenty_failures_waits_at_most_five_minutes():
    for seed in range(50):
        backoff = Backoff(rng=random.Random(seed))
        assert all(delay <= 300.0 for delay in delays(backoff, 20))


def test_backoff_after_very_many_failures_stays_at_the_cap():
    backoff = Backoff(failures=10_000, rng=NoJitter())

    assert backoff.failed() == 300.0


@given(st.integers(0, 2**32), st.integers(1, 60), st.floats(0.01, 100), st.floats(0.01, 1000))
def test_backoff_jitter_stays_between_half_and_all_of_the_ceiling(seed, failures, base, cap):
    backoff = Backoff(base=base, cap=cap, rng=random.Random(seed))

    for n, delay in enumerate(delays(backoff, failures), start=1):
        ceiling = min(cap, base * 2 ** (n - 1))
        assert ceiling / 2 <= delay <= ceiling


def test_success_resets_the_backoff_to_the_base():
    backoff = Backoff(base=1.0, rng=NoJitter())
    delays(backoff, 6)

    backoff.succeeded()

    assert backoff.failures == 0
    assert backoff.failed() == 1.0


@pytest.mark.parametrize("size", [1, 10**6, 10**12])
def test_rate_zero_never_delays(size):
    bucket = TokenBucket(rate=0)

    assert [bucket.delay_for(size, now) for now in (0.0, 0.0, 0.001)] == [0.0, 0.0, 0.0]


def test_one_second_of_bytes_goes_at_once_and_the_next_byte_waits():
    bucket = TokenBucket(rate=1000)

    assert bucket.delay_for(1000, now=0.0) == 0.0
    assert bucket.delay_for(1, now=0.0) == pytest.approx(0.001)


def test_idle_time_refills_the_bucket_but_never_beyond_one_second_of_burst():
    bucket = TokenBucket(rate=1000)
    bucket.delay_for(1000, now=0.0)

    assert bucket.delay_for(1000, now=100.0) == 0.0
    assert bucket.delay_for(500, now=100.0) == pytest.approx(0.5)


def test_large_send_waits_for_as_long_as_its_bytes_take_at_the_rate():
    bucket = TokenBucket(rate=1000)

    assert bucket.delay_for(5000, now=0.0) == pytest.approx(4.0)


def test_sending_at_twice_the_rate_is_slowed_to_the_cap():
    rate, chunk, interval = 1000.0, 100, 0.05  # the sender would like 2000 bytes/s for 10 s
    bucket = TokenBucket(rate=rate)
    clock = sent = 0.0
    history = []
    for n in range(int(10 / interval)):
        clock = max(clock, n * interval)  # the next chunk is ready; the sender may still be waiting
        clock += bucket.delay_for(chunk, clock)
        sent += chunk
        history.append((clock, sent))

    for at, total in history:
        assert total <= rate * at + rate + 1e-6  # never more than the rate plus one second of burst
    finish, total = history[-1]
    assert total == 20_000
    assert total / finish == pytest.approx(rate, rel=0.06)
