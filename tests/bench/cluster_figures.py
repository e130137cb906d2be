#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The figures of issue 26's benchmark from a tests/bench/cluster_host.sh run.

    cluster_figures.py DIR BUDGET TICK_MS LEASE_MS FORGET_MS

DIR holds n<i>/script (the demand each head replays), n<i>/record (the
grants it got) and actions.log ("T_us action args", wall-clock µs: epoch,
demand_move FROM TO, all_busy, kill_daemon I, end). Each head's kernel is
modelled as check_grants.py does (the lease, then the safe share, then
nothing); every 10 ms a head admits min(its demand, what its kernel
allows). The naive design, every head enforcing the whole budget on its
own (efs before clustering), admits min(demand, budget) per head from the
same demand. Prints the table; exits 1 if the run lacks what it needs.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "cluster"))
import check_grants  # noqa: E402  (the record reader and kernel model)

STEP_US = 10000         # sampling step
WINDOW_US = 1000000     # the "one-second window"


class Demand:
    """The ops/s a head's script asks for, as a step function of time."""

    def __init__(self, path):
        epoch_ms, self.steps = None, []
        with open(path) as f:
            for line in f:
                w = line.split("#")[0].split()
                if w[:1] == ["epoch"]:
                    epoch_ms = int(w[1])
                elif w[:1] == ["at"] and w[2] == "shared":
                    kv = dict(x.split("=", 1) for x in w[3:] if "=" in x)
                    self.steps.append((int(w[1]), int(kv.get("ops", 0))))
        self.steps = [((epoch_ms + ms) * 1000, ops) for ms, ops in self.steps]

    def at(self, t):
        ops = 0
        for when, o in self.steps:
            if when > t:
                break
            ops = o
        return ops


def verdict(ok):
    return "WITHIN" if ok else "OUTSIDE"


def main():
    d = sys.argv[1]
    budget, tick, lease, forget = (int(x) for x in sys.argv[2:6])
    grants, actions = check_grants.load(d)
    act = {}
    for t, what, args in actions:
        act.setdefault(what, []).append((t, args))
    for need in ("epoch", "demand_move", "all_busy", "kill_daemon", "end"):
        if need not in act:
            print("cluster_figures: no '%s' in %s/actions.log" % (need, d))
            return 1
    heads = sorted(grants)
    kernel = {h: check_grants.Kernel(grants[h]) for h in heads}
    demand = {h: Demand(os.path.join(d, "n%d" % h, "script")) for h in heads}
    epoch, end = act["epoch"][0][0], act["end"][0][0]
    t_move, (src, dst) = act["demand_move"][0][0], map(int, act["demand_move"][0][1])
    t_busy = act["all_busy"][0][0]
    t_kill, victim = act["kill_daemon"][0][0], int(act["kill_daemon"][0][1][0])
    survivors = [h for h in heads if h != victim]

    times = range(epoch, end, STEP_US)
    want = {h: [demand[h].at(t) for t in times] for h in heads}
    held = {h: [kernel[h].at(t) for t in times] for h in heads}
    admitted = {h: [min(w, k) for w, k in zip(want[h], held[h])] for h in heads}
    naive = {h: [min(w, budget) for w in want[h]] for h in heads}

    def total(per_head, i):
        return sum(per_head[h][i] for h in heads)

    def index(t):
        return (t - epoch + STEP_US - 1) // STEP_US

    # 1. aggregate accuracy while every head asks for more than the budget
    # and every daemon runs
    busy = range(index(t_busy), index(t_kill))
    if not all(want[h][i] > budget for h in heads for i in busy):
        print("cluster_figures: not every head asks for more than %d in the busy phase" % budget)
        return 1
    acc = sum(total(admitted, i) for i in busy) / len(busy) / budget
    acc_naive = sum(total(naive, i) for i in busy) / len(busy) / budget
    # without the phase's first 2 s: what the shift into it cost
    steady = busy[2000000 // STEP_US:]
    acc_steady = sum(total(admitted, i) for i in steady) / len(steady) / budget

    # 2. the highest one-second mean of the summed admitted rate, whole run
    def worst_window(per_head):
        n, best, run = WINDOW_US // STEP_US, 0, 0
        sums = [total(per_head, i) for i in range(len(times))]
        for i, s in enumerate(sums):
            run += s - (sums[i - n] if i >= n else 0)
            if i >= n - 1:
                best = max(best, run / n)
        return best / budget
    win, win_naive = worst_window(admitted), worst_window(naive)

    # 3. the demand moved from src to dst: dst admits 0.9 of what it can
    # (its demand, at most the budget)
    def reach(per_head, h, start, limit):
        for i in range(index(start), len(times)):
            if times[i] > limit:
                break
            if per_head[h][i] >= 0.9 * min(want[h][i], budget) and want[h][i]:
                return (times[i] - start) / 1e6
        return None
    follow = reach(admitted, dst, t_move, t_busy)
    follow_naive = reach(naive, dst, t_move, t_busy)
    # what a lone busy head settles at: the idle heads keep their floors
    alone = range(index(t_move + 2000000), index(t_busy))
    lone = sum(admitted[dst][i] for i in alone) / len(alone) / budget

    # 4. kill -9 of the victim's efs-clusterd: the survivors' grants (what
    # their kernels hold) reach 0.9 of the budget; naive heads never gave
    # anything up
    reclaim = None
    for i in range(index(t_kill), len(times)):
        if sum(held[h][i] for h in survivors) >= 0.9 * budget:
            reclaim = (times[i] - t_kill) / 1e6
            break
    before = max(sum(held[h][i] for h in survivors)
                 for i in range(index(t_kill - WINDOW_US), index(t_kill)))
    after = range(index(t_kill), len(times))
    naive_survivors = sum(naive[h][i] for h in survivors for i in after) / len(after) / budget
    victim_zero = next(((times[i] - t_kill) / 1e6 for i in range(index(t_kill), len(times))
                        if held[victim][i] == 0), None)
    reclaim_goal = (forget + 2000) / 1000

    def secs(x):
        return "%.2f s" % x if x is not None else "never"

    rows = [
        ("aggregate accuracy: sum admitted / budget, %d busy heads" % len(heads),
         "%.3f %s" % (acc, verdict(0.95 <= acc <= 1.02)),
         "%.3f %s" % (acc_naive, verdict(0.95 <= acc_naive <= 1.02)), "0.95..1.02"),
        ("highest 1 s window: sum admitted / budget",
         "%.3f %s" % (win, verdict(win <= 1.05)),
         "%.3f %s" % (win_naive, verdict(win_naive <= 1.05)), "<= 1.05"),
        ("demand moved from head %d to %d: head %d at 0.9 of it" % (src, dst, dst),
         "%s %s" % (secs(follow), verdict(follow is not None and follow <= 2)),
         "%s %s" % (secs(follow_naive), verdict(follow_naive is not None and follow_naive <= 2)),
         "<= 2 s"),
        ("head %d's efs-clusterd killed: survivors' grants >= 0.9 budget" % victim,
         "%s %s" % (secs(reclaim), verdict(reclaim is not None and reclaim <= reclaim_goal)),
         "0 s (none reserved) WITHIN", "<= %g s (forget + 2 s)" % reclaim_goal),
    ]
    widths = [max(len(r[c]) for r in rows + [("metric", "efs-clusterd", "naive", "target")])
              for c in range(4)]
    fmt = "  ".join("%%-%ds" % w for w in widths[:-1]) + "  %s"
    print("%d heads, one shared filesystem, budget %d ops/s; tick %d ms, lease %g s, "
          "forget %g s, on-partition strict" % (len(heads), budget, tick, lease / 1000, forget / 1000))
    print("naive: every head enforces the whole budget on its own (efs before clustering)")
    print()
    print(fmt % ("metric", "efs-clusterd", "naive", "target"))
    for r in rows:
        print(fmt % r)
    print()
    print("busy phase %.1f s (demands %s): admitted %s ops/s, naive %s; from 2 s in: %.3f"
          % (len(busy) * STEP_US / 1e6, "/".join(str(want[h][busy[0]]) for h in heads),
             "/".join("%.0f" % (sum(admitted[h][i] for i in busy) / len(busy)) for h in heads),
             "/".join("%.0f" % (sum(naive[h][i] for i in busy) / len(busy)) for h in heads),
             acc_steady))
    print("head %d busy alone: admits %.3f x the budget (the idle heads keep their floors)"
          % (dst, lone))
    print("kill: survivors held %d before it; head %d's kernel kept its grant to its lease, "
          "its safe share to its forget time, 0 from +%s" % (before, victim, secs(victim_zero)))
    print("      naive: the survivors alone admit %.2f x the budget" % naive_survivors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
