#!/usr/bin/env python3
"""Reads the reply logs written by tools/galera/order-load.lua and the table
dumps taken by tools/galera-check.sh; prints what the check reports.

  replies.py count SECONDS LOG...        shell assignments: OK, TOTAL, E500,
                                         E503, OTHER, RATE (200s per second)
  replies.py acks LOG...                 out_trade_no of every 200 reply
  replies.py timeline KILL_MS NAME LOG   one line: what NAME's replies did
                                         after the kill at KILL_MS (unix ms)
  replies.py orders ACKS DUMP...         every acknowledged order is in every
                                         dump of payorder.out_trade_no
  replies.py stock INITIAL DUMP...       per product: initial - held = stock

A LOG is the prefix wrk's threads wrote (LOG.1, LOG.2, ...). Exit status 1
when a check fails.
"""

import collections
import glob
import sys


def replies(prefixes):
    rows = []
    for prefix in prefixes:
        for path in sorted(glob.glob(glob.escape(prefix) + ".*")):
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 3:
                        rows.append((int(parts[0]), int(parts[1]), parts[2]))
    rows.sort()
    return rows


def count(seconds, prefixes):
    rows = replies(prefixes)
    by = collections.Counter(status for _, status, _ in rows)
    other = ",".join(f"{s}:{n}" for s, n in sorted(by.items()) if s not in (200, 500, 503))
    ok = by.get(200, 0)
    print(f"OK={ok} TOTAL={len(rows)} E500={by.get(500, 0)} E503={by.get(503, 0)} "
          f"OTHER='{other or 'none'}' RATE={ok / float(seconds):.0f}")


def acks(prefixes):
    for _, status, no in replies(prefixes):
        if status == 200:
            print(no)


def timeline(kill_ms, name, prefix):
    kill_ms = int(kill_ms)
    rows = [r for r in replies([prefix]) if r[0] >= kill_ms]
    if not rows:
        print(f"{name}: no replies after the kill")
        return
    by = collections.Counter(status for _, status, _ in rows)
    counts = " ".join(f"{s}x{n}" for s, n in sorted(by.items()))
    bad = [t for t, s, _ in rows if s != 200]
    oks = [t for t, s, _ in rows if s == 200]
    # The longest stretch after the kill without an acknowledged order.
    marks = [kill_ms] + oks
    gap_start, gap = kill_ms, 0
    for a, b in zip(marks, marks[1:]):
        if b - a > gap:
            gap_start, gap = a, b - a
    parts = [f"{name}: after the kill {counts};"]
    if bad:
        after = [t for t in oks if t > bad[-1]]
        parts.append(f"non-200 from +{(bad[0] - kill_ms) / 1000:.1f}s to +{(bad[-1] - kill_ms) / 1000:.1f}s;")
        parts.append(f"200 again from +{(after[0] - kill_ms) / 1000:.1f}s;" if after else "no 200 after the last error;")
    parts.append(f"longest stretch without a 200: {gap / 1000:.1f}s from +{(gap_start - kill_ms) / 1000:.1f}s")
    print(" ".join(parts))
    # Non-200 replies per second after the kill.
    buckets = collections.defaultdict(collections.Counter)
    for t, s, _ in rows:
        if s != 200:
            buckets[(t - kill_ms) // 1000][s] += 1
    if buckets:
        cells = [f"+{sec}s " + ",".join(f"{s}x{n}" for s, n in sorted(c.items()))
                 for sec, c in sorted(buckets.items())]
        print(f"    {name} non-200 per second after the kill: " + "; ".join(cells[:14])
              + ("; ..." if len(cells) > 14 else ""))


def orders(acks_path, dumps):
    with open(acks_path) as f:
        acked = {l.strip() for l in f if l.strip()}
    failed = False
    for dump in dumps:
        with open(dump) as f:
            present = {l.strip() for l in f if l.strip()}
        missing = sorted(acked - present)
        if missing:
            failed = True
            print(f"{dump}: {len(missing)} of {len(acked)} acknowledged orders missing, e.g. {missing[:5]}")
        else:
            print(f"{dump}: all {len(acked)} acknowledged orders present ({len(present)} rows)")
    return failed


def stock(initial_path, dumps):
    def load(path):
        out = {}
        with open(path) as f:
            for line in f:
                parts = line.split()
                if parts:
                    out[int(parts[0])] = [int(x) for x in parts[1:]]
        return out

    initial = {k: v[0] for k, v in load(initial_path).items()}
    failed = False
    for dump in dumps:
        now = load(dump)
        bad = []
        held_total = 0
        for pid, start in sorted(initial.items()):
            current, held = now.get(pid, [None, 0])
            held_total += held
            if current is None or start - held != current:
                bad.append(f"sku {pid}: {start} - {held} held != {current}")
        if bad:
            failed = True
            print(f"{dump}: stock inconsistent: " + "; ".join(bad[:5]))
        else:
            print(f"{dump}: stock consistent for {len(initial)} SKUs ({held_total} units held by orders)")
    return failed


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "count":
        count(args[0], args[1:])
    elif cmd == "acks":
        acks(args)
    elif cmd == "timeline":
        timeline(args[0], args[1], args[2])
    elif cmd == "orders":
        return 1 if orders(args[0], args[1:]) else 0
    elif cmd == "stock":
        return 1 if stock(args[0], args[1:]) else 0
    else:
        sys.exit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
