#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the grants recorded by efs-clusterd's script backend in a
tests/cluster/host.sh run against issue 26's rules (item 6 and the tests).

    check_grants.py DIR BUDGET LEASE_MS FORGET_MS DETECT_MS

DIR holds n<i>/record (one per head) and actions.log ("T_us action args",
wall-clock microseconds). Each head's kernel is modelled as efs.ko will
behave: the last grant until its expiry, then min(grant, safe share) until
its forget time, then nothing (on-partition = strict); nothing before the
first grant. Prints PASS/FAIL lines; exits 1 on any FAIL.
"""
import bisect
import os
import sys

NEVER = None


def load(d):
    heads = {}
    for name in sorted(os.listdir(d)):
        rec = os.path.join(d, name, "record")
        if not (name.startswith("n") and os.path.isfile(rec)):
            continue
        node = int(name[1:])
        grants = []
        with open(rec) as f:
            for line in f:
                w = line.split()
                if len(w) < 3 or w[0] != "grant" or w[2] != "shared":
                    continue
                kv = dict(x.split("=", 1) for x in w[3:])
                grants.append((int(w[1]), int(kv["ops"]), int(kv["safe_ops"]),
                               int(kv["expires"]),
                               NEVER if kv["forget"] == "never" else int(kv["forget"])))
        grants.sort()
        heads[node] = grants
    actions = []
    with open(os.path.join(d, "actions.log")) as f:
        for line in f:
            w = line.split()
            actions.append((int(w[0]), w[1], w[2:]))
    return heads, actions


class Kernel:
    def __init__(self, grants):
        self.g = grants
        self.t = [x[0] for x in grants]

    def at(self, t):
        i = bisect.bisect_right(self.t, t) - 1
        if i < 0:
            return 0
        _, ops, safe, exp, forget = self.g[i]
        if t < exp:
            return ops
        if forget is NEVER or t < forget:
            return min(ops, safe)
        return 0

    def last(self, t):
        i = bisect.bisect_right(self.t, t) - 1
        return self.g[i] if i >= 0 else None

    def points(self):
        for t, _, _, exp, forget in self.g:
            yield t
            yield exp
            if forget is not NEVER:
                yield forget


def first_reach(k, start, end, value, step=10000):
    t = start
    while t <= end:
        if k.at(t) >= value:
            return t
        t += step
    return None


def main():
    d, budget, lease, forget, detect = sys.argv[1], int(sys.argv[2]), \
        int(sys.argv[3]) * 1000, int(sys.argv[4]) * 1000, int(sys.argv[5]) * 1000
    heads, actions = load(d)
    k = {n: Kernel(g) for n, g in heads.items()}
    act = {}
    for t, what, args in actions:
        act.setdefault(what, []).append((t, args))
    failed = []

    def result(name, ok, detail):
        print("%s cluster_%s: %s" % ("PASS" if ok else "FAIL", name, detail))
        if not ok:
            failed.append(name)

    # 1. the sum within the budget at every instant
    pts = sorted(set(p for kk in k.values() for p in kk.points()))
    worst, worst_t = 0, 0
    for p in pts:
        s = sum(kk.at(p) for kk in k.values())
        if s > worst:
            worst, worst_t = s, p
    epoch = act["epoch"][0][0]
    t0 = epoch
    result("budget", worst <= budget and len(pts) > 100,
           "the heads held at most %d of %d (first at %.1f s of the timeline), "
           "checked at %d instants: every grant, expiry and forget time"
           % (worst, budget, (worst_t - t0) / 1e6, len(pts)))

    # 2. demand moving from head 1 to head 2 is followed within 2 s (the
    # scripts move it at time 6 s of the timeline)
    t_move = epoch + 6000000
    r = first_reach(k[2], t_move, t_move + 5000000, 240)
    result("follow", r is not None and r - t_move <= 2000000,
           "head 2 holds >= 240 of %d %.2f s after the demand moved to it (goal <= 2 s)"
           % (budget, (r - t_move) / 1e6 if r else -1))

    def failure(name, t, victims, survivor, extra):
        """Each victim's kernel: its grant until t + lease, at most its safe
        share until t + forget, then zero. The survivor reclaims the grants
        after lease (+ detection) and the safe shares after forget
        (+ detection), never before."""
        ok, safes, held_sum, parts = True, 0, 0, []
        for v in victims:
            g = k[v].last(t)
            safe, held = (g[2], g[1]) if g else (0, 0)
            a = k[v].at(t + lease + 100000)
            b = k[v].at(t + forget + 100000)
            ok &= a <= min(held, safe) and b == 0
            safes += safe
            held_sum += held
            parts.append("head %d held %d (safe share %d): %d after its lease, %d after its forget time"
                         % (v, held, safe, a, b))
        before = max(k[survivor].at(p) for p in range(t, t + lease - 200000, 20000))
        want1, want2 = budget - safes - 25, budget - 30
        r1 = first_reach(k[survivor], t, t + extra + lease + 6000000, want1)
        r2 = first_reach(k[survivor], t, t + extra + forget + 6000000, want2)
        ok &= (before <= budget - held_sum + 1 and r1 is not None and
               r1 - t <= extra + lease + 2000000 and r2 is not None and
               r2 - t <= extra + forget + 2000000)
        result(name, ok,
               "%s; head %d held at most %d before the lease ran out, reached %d at +%.2f s "
               "and %d at +%.2f s (limits: lease%s + 2 s = %.1f s, forget%s + 2 s = %.1f s)"
               % ("; ".join(parts), survivor, before, want1,
                  (r1 - t) / 1e6 if r1 else -1, want2,
                  (r2 - t) / 1e6 if r2 else -1,
                  " + detection" if extra else "", (extra + lease + 2000000) / 1e6,
                  " + detection" if extra else "", (extra + forget + 2000000) / 1e6))

    # 3. kill -9 of a daemon (its corosync stays: the group sees it at once)
    t = act["kill_daemon"][0][0]
    failure("daemon_kill", t, [2], 3, 0)
    t_back = act["start_daemon"][0][0]
    r = first_reach(k[2], t_back, t_back + 6000000, 1)
    result("daemon_restart", r is not None,
           "restarted head 2 granted again %.2f s after its start" % ((r - t_back) / 1e6 if r else -1))

    # 4. kill -9 of a head's corosync (the rest detect it after the token timeout)
    t = act["kill_corosync"][0][0]
    failure("corosync_kill", t, [4], 3, detect)
    t_back = act["start_corosync"][0][0]
    r = first_reach(k[4], t_back, t_back + 10000000, 1)
    result("corosync_restart", r is not None,
           "head 4 granted again %.2f s after its corosync restarted" % ((r - t_back) / 1e6 if r else -1))

    # 5. a partition: heads 4 and 5 cut off (not quorate), head 5 busy
    t = act["partition"][0][0]
    failure("partition", t, [5, 4], 1, detect)
    t_heal = act["heal"][0][0]
    r = first_reach(k[5], t_heal, t_heal + 10000000, 100)
    result("heal", r is not None and r - t_heal <= 8000000,
           "head 5 back to >= 100 %.2f s after the heal (goal <= 8 s)"
           % ((r - t_heal) / 1e6 if r else -1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
