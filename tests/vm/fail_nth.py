#!/usr/bin/env python3
# Fault injection on efs's control path (the fault_inject VM scenario, on
# the debug kernel: make check-debug). Each operation runs again and again
# with the Nth fault-injection point of this task failing (fail-nth in
# /proc/thread-self: failslab, and whatever else the kernel has enabled),
# N = 1, 2, ..., until an attempt ends without reaching N. Every attempt
# must end in a clean error (a netlink error, or an errno from the socket)
# or in success, and the state afterwards must be exactly the one or the
# other: nothing half made, half changed or half deleted.
#
#   fail_nth.py --ynl-dir DIR --spec efs.yaml --schema genetlink.yaml \
#               --ko efs.ko --path /srv/fi OP...
#   OP: load add set del dump server
#
# fail-nth is armed just before the request is sent, so N counts the
# kernel's fault points from the sendmsg on (the netlink skb, efs's
# handler, the reply), not the interpreter's. Prints one summary line per
# operation; exits 1 with the reason on the first inconsistency.
import argparse
import ctypes
import errno
import os
import socket
import sys

FAIL_NTH = '/proc/thread-self/fail-nth'
MAX_N = 5000            # no control operation has nearly that many
NAME = 'fi'
IOPS, IOPS2 = 100, 200
libc = ctypes.CDLL(None, use_errno=True)
SYS_init_module, SYS_delete_module = 175, 176


# Opened once: opening it while armed would be a fault point itself.
fail_nth_fd = None


def arm(n):
    os.pwrite(fail_nth_fd, str(n).encode(), 0)


def disarm():
    """0 if the armed fault was injected, else the points left (then 0)."""
    left = int(os.pread(fail_nth_fd, 32, 0))
    arm(0)
    return left


def die(msg):
    print(f'fail_nth: FAIL: {msg}', flush=True)
    sys.exit(1)


class Efs:
    def __init__(self, args):
        sys.path.insert(0, args.ynl_dir)
        from lib import YnlFamily, Netlink, NlError
        self.Netlink, self.NlError = Netlink, NlError
        self.ynl = YnlFamily(args.spec, args.schema)

    def fresh_socket(self):
        """An attempt that failed may leave a reply unread: a new socket."""
        self.ynl.sock.close()
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                          self.ynl.nlproto.proto_num)
        for opt in (self.Netlink.NETLINK_CAP_ACK, self.Netlink.NETLINK_EXT_ACK,
                    self.Netlink.NETLINK_GET_STRICT_CHK):
            s.setsockopt(self.Netlink.SOL_NETLINK, opt, 1)
        self.ynl.sock = s

    def get(self):
        """The filesystem's IOPS limit, or None if it does not exist."""
        self.fresh_socket()
        try:
            return self.ynl.do('fs-get', {'fs-name': NAME})['fs-iops-limit']
        except self.NlError as e:
            if e.error == errno.ENOENT:
                return None
            raise

    def run(self, op, vals, dump=False):
        self.fresh_socket()
        return self.send(op, vals, dump)

    def send(self, op, vals, dump=False):
        """On the socket as it is (a sweep makes it fresh, unarmed)."""
        if dump:
            return self.ynl.dump(op, vals)
        return self.ynl.do(op, vals)


def attempt(call, n, prepare):
    """Run call() with the nth fault point failing: (outcome, reached)."""
    if prepare:
        prepare()
    arm(n)
    try:
        call()
        outcome = 'ok'
    except MemoryError:             # the interpreter's mmap, before sending
        outcome = 'MemoryError'
    except OSError as e:            # the socket's own errors (ENOBUFS, ...)
        outcome = errno.errorcode.get(e.errno, str(e.errno))
    except Exception as e:          # NlError: the kernel's answer
        err = getattr(e, 'error', None)
        if err is None:
            disarm()
            die(f'attempt {n}: not a netlink error: {e!r}')
        outcome = errno.errorcode.get(err, str(err))
    finally:
        left = disarm()
    return outcome, left == 0


def sweep(name, call, check, reset, prepare=None):
    """Attempts 1, 2, ... of call (prepare() before each, unarmed), each
    checked then reset; a summary."""
    outcomes = {}
    for n in range(1, MAX_N + 1):
        outcome, reached = attempt(call, n, prepare)
        check(n, outcome)
        reset()
        if not reached:
            break
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    else:
        die(f'{name}: still reaching fault points after {MAX_N}')
    if not outcomes:
        die(f'{name}: no fault point reached (is fault injection on?)')
    summary = ', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))
    print(f'fail_nth: {name}: {n - 1} fault points, each failed once: '
          f'{summary}; then a clean run', flush=True)


def op_load(args, _efs):
    # init_module, not finit_module: both run load_module(), but
    # finit_module's kernel_read_file() vmallocs the file's buffer without
    # __GFP_NOWARN, so a fault injected there makes the kernel print its
    # own warn_alloc call trace (the harness fails on any), before any efs
    # code runs; init_module's copy of the image is __GFP_NOWARN. The
    # image is read from a tmpfs copy (fault_inject.sh makes it) before
    # any fault is armed: a fault injected into the guest's 9p root broke
    # it for every later process.
    with open(args.ko, 'rb') as f:
        image = f.read()
    buf = ctypes.create_string_buffer(image, len(image))

    def call():
        if libc.syscall(SYS_init_module, buf, ctypes.c_ulong(len(image)),
                        b'') != 0:
            raise OSError(ctypes.get_errno(), 'init_module')

    def check(n, outcome):
        loaded = os.path.exists('/sys/module/efs')
        if (outcome == 'ok') != loaded:
            die(f'load attempt {n}: {outcome}, module loaded: {loaded}')

    def reset():
        if os.path.exists('/sys/module/efs') and \
           libc.syscall(SYS_delete_module, b'efs', os.O_NONBLOCK) != 0:
            die(f'rmmod efs: {os.strerror(ctypes.get_errno())}')
    sweep('load', call, check, reset)


def op_add(args, efs):
    def check(n, outcome):
        limit = efs.get()
        if outcome == 'ok' and limit != IOPS:
            die(f'add attempt {n}: ok, then fs-get says {limit}')
        # ENOBUFS: the ack itself was lost; either state is right.
        if outcome not in ('ok', 'ENOBUFS') and limit is not None:
            die(f'add attempt {n}: {outcome}, yet the filesystem exists')

    def reset():
        if efs.get() is not None:
            efs.run('fs-del', {'fs-name': NAME})
    sweep('fs add', lambda: efs.send('fs-add', {
        'fs-name': NAME, 'fs-path': args.path, 'fs-iops-limit': IOPS}),
        check, reset, efs.fresh_socket)


def op_set(args, efs):
    efs.run('fs-add', {'fs-name': NAME, 'fs-path': args.path,
                       'fs-iops-limit': IOPS})

    def check(n, outcome):
        limit = efs.get()
        want = (IOPS2,) if outcome == 'ok' else (IOPS,)
        if outcome == 'ENOBUFS':
            want = (IOPS, IOPS2)
        if limit not in want:
            die(f'set attempt {n}: {outcome}, then the limit is {limit}')

    def reset():
        efs.run('fs-set', {'fs-name': NAME, 'fs-iops-limit': IOPS})
    sweep('fs set', lambda: efs.send('fs-set', {
        'fs-name': NAME, 'fs-iops-limit': IOPS2, 'fs-write-op-weight': 3}),
        check, reset, efs.fresh_socket)
    efs.run('fs-del', {'fs-name': NAME})


def op_del(args, efs):
    def add():
        efs.run('fs-add', {'fs-name': NAME, 'fs-path': args.path,
                           'fs-iops-limit': IOPS})
    add()

    def check(n, outcome):
        limit = efs.get()
        if outcome == 'ok' and limit is not None:
            die(f'del attempt {n}: ok, yet the filesystem exists')
        if outcome not in ('ok', 'ENOBUFS') and limit != IOPS:
            die(f'del attempt {n}: {outcome}, then fs-get says {limit}')

    def reset():
        if efs.get() is None:
            add()
    sweep('fs del', lambda: efs.send('fs-del', {'fs-name': NAME}),
          check, reset, efs.fresh_socket)
    efs.run('fs-del', {'fs-name': NAME})


def op_dump(args, efs):
    names = [f'{NAME}{i}' for i in range(8)]
    for i, name in enumerate(names):
        path = f'{args.path}/d{i}'     # one filesystem a path
        os.makedirs(path, exist_ok=True)
        efs.run('fs-add', {'fs-name': name, 'fs-path': path})

    def listed():
        return sorted(r['fs-name'] for r in efs.run('fs-get', {}, dump=True))

    def check(n, outcome):
        got = [x for x in listed() if x in names]
        if got != names:
            die(f'dump attempt {n}: {outcome}, then the dump lists {got}')
    sweep('fs dump', lambda: efs.send('fs-get', {}, dump=True),
          check, lambda: None, efs.fresh_socket)
    for name in names:
        efs.run('fs-del', {'fs-name': name})


def op_server(_args, efs):
    def limit():
        return efs.run('server-get', {})['server-max-waiting-threads']
    before = limit()

    def check(n, outcome):
        got = limit()
        want = (7,) if outcome == 'ok' else (before,)
        if outcome == 'ENOBUFS':
            want = (before, 7)
        if got not in want:
            die(f'server set attempt {n}: {outcome}, then the limit is {got}')

    def reset():
        efs.run('server-set', {'server-max-waiting-threads': before})
    sweep('server set', lambda: efs.send('server-set', {
        'server-max-waiting-threads': 7}), check, reset, efs.fresh_socket)


OPS = {'load': op_load, 'add': op_add, 'set': op_set, 'del': op_del,
       'dump': op_dump, 'server': op_server}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--ynl-dir', required=True)
    p.add_argument('--spec', required=True)
    p.add_argument('--schema', required=True)
    p.add_argument('--ko', required=True)
    p.add_argument('--path', required=True)
    p.add_argument('ops', nargs='+', choices=sorted(OPS))
    args = p.parse_args()
    if not os.path.exists(FAIL_NTH):
        die(f'no {FAIL_NTH}: the kernel has no CONFIG_FAULT_INJECTION')
    global fail_nth_fd
    fail_nth_fd = os.open(FAIL_NTH, os.O_RDWR)
    efs = None
    for op in args.ops:
        if op != 'load' and efs is None:
            efs = Efs(args)
        OPS[op](args, efs)


if __name__ == '__main__':
    main()
