"""A long-running process stops on SIGTERM or SIGINT whenever it lands: before the first wait, in the
middle of one, or between two short ones (where a handler that takes a lock can hang the process)."""

import signal
import subprocess
import sys
import textwrap
import time

import pytest

WAITER = textwrap.dedent("""
    import sys, time
    from provisioning.stopping import StopSignals
    stops = StopSignals()
    print("ready", flush=True)
    time.sleep(float(sys.argv[1]))  # a signal sent now comes before the first wait
    waits = 0
    while not stops.wait(float(sys.argv[2])):
        waits += 1
    print("stopped by", stops.received, "after", waits, "waits", flush=True)
""")


def run_until_signal(signum, sleep_s, wait_s, after_s):
    proc = subprocess.Popen([sys.executable, "-c", WAITER, str(sleep_s), str(wait_s)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        time.sleep(after_s)
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=10)
    finally:
        proc.kill()
    return proc.returncode, out


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_long_wait_ends_it_at_once(signum):
    started = time.monotonic()
    code, out = run_until_signal(signum, 0, 300, 0.2)

    assert code == 0 and out.startswith(f"stopped by {int(signum)} after 0 waits")
    assert time.monotonic() - started < 10


def test_a_signal_before_the_first_wait_is_not_lost():
    code, out = run_until_signal(signal.SIGTERM, 1.0, 300, 0.1)

    assert code == 0 and out.startswith(f"stopped by {int(signal.SIGTERM)} after 0 waits")


def test_signals_between_many_short_waits_always_stop_the_process():
    results = [run_until_signal(signal.SIGTERM, 0, 0.00001, 0.05 + i / 1000) for i in range(20)]

    assert [code for code, _ in results] == [0] * 20
    assert all(out.startswith("stopped by") for _, out in results)


OTHER_THREAD = textwrap.dedent("""
    import signal, threading, time
    from provisioning.stopping import StopSignals
    stops = StopSignals()

    def catch_it_here():  # like the HTTPS server's thread, which the kernel may pick for a SIGTERM
        time.sleep(0.3)
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        time.sleep(60)

    threading.Thread(target=catch_it_here, daemon=True).start()
    print("stopped" if stops.wait(300) else "timed out", stops.received, flush=True)
""")


def test_a_signal_the_kernel_hands_to_another_thread_still_ends_the_wait():
    proc = subprocess.Popen([sys.executable, "-c", OTHER_THREAD], stdout=subprocess.PIPE, text=True)
    try:
        out, _ = proc.communicate(timeout=10)
    finally:
        proc.kill()

    assert (proc.returncode, out) == (0, f"stopped {int(signal.SIGTERM)}\n")
