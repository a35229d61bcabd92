"""The peers' side of the interleaved bench harness (tools/bench/harness/lockstep.ts): with
RSNA_MAMMO_BENCH_LOCKSTEP=1 a peer stops at each gate until the harness says go, so the two sides
never run at once and alternate A B A B. One implementation for every Python peer."""
import os
import sys

LOCKSTEP = os.environ.get('RSNA_MAMMO_BENCH_LOCKSTEP') == '1'


def gate():
    """Writes {"gate":true} and waits for one line on stdin; a no-op outside lockstep mode."""
    if not LOCKSTEP:
        return
    sys.stdout.write('{"gate":true}\n')
    sys.stdout.flush()
    if not sys.stdin.readline():
        raise SystemExit('bench gate: the harness closed stdin')
