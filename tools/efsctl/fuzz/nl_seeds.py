#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus of the nl_decode harness: replies as the kernel
sends them (a filesystem record, a dump, clients, the server, events,
errors with extended acks) and a few malformed ones. Attribute numbers
come from uapi/linux/efs.h. Run from tools/efsctl: fuzz/nl_seeds.py"""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'nl_decode')
UAPI = os.path.join(HERE, '..', '..', '..', 'uapi', 'linux', 'efs.h')


def enum(text, name):
    body = re.search(r'enum %s \{(.*?)\};' % name, text, re.S).group(1)
    body = re.sub(r'/\*.*?\*/', '', body, flags=re.S)
    vals, n = {}, 0
    for item in body.split(','):
        item = item.strip()
        if not item:
            continue
        if '=' in item:
            item, v = (s.strip() for s in item.split('='))
            n = int(v, 0)
        vals[item] = n
        n += 1
    return vals


H = open(UAPI).read()
A = enum(H, 'efs_attr')
C = enum(H, 'efs_cmd')
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_MULTI, NLM_F_CAPPED, NLM_F_ACK_TLVS = 2, 0x100, 0x200
FAMILY = 0x20


def attr(t, payload):
    hdr = struct.pack('=HH', 4 + len(payload), t)
    return hdr + payload + b'\0' * (-len(payload) % 4)


def u8(t, v):
    return attr(A[t], struct.pack('=B', v))


def u32(t, v):
    return attr(A[t], struct.pack('=I', v))


def u64(t, v):
    return attr(A[t], struct.pack('=Q', v))


def strz(t, s):
    return attr(A[t], s.encode() + b'\0')


def msg(mtype, payload, flags=0, seq=1):
    return struct.pack('=IHHII', 16 + len(payload), mtype, flags, seq, 0) + \
        payload


def genl(cmd, attrs, flags=0):
    return msg(FAMILY, struct.pack('=BBH', C[cmd], 1, 0) + b''.join(attrs),
               flags)


FS = [strz('EFS_A_FS_NAME', 'home'), strz('EFS_A_FS_PATH', '/srv/home'),
      u32('EFS_A_FS_PERFORMANCE_MODE', 1), u32('EFS_A_FS_IOPS_LIMIT', 2000),
      u32('EFS_A_FS_WRITE_OP_WEIGHT', 5), u32('EFS_A_FS_MAX_WAIT_MS', 1000),
      u32('EFS_A_FS_THROUGHPUT_MODE', 1),
      u64('EFS_A_FS_PROVISIONED_BPS', 5 << 19),
      u64('EFS_A_FS_METERED_SIZE', 2**64 - 1),
      u64('EFS_A_FS_BURST_CREDIT_BALANCE', 2308974418330),
      u64('EFS_A_FS_BURST_CREDIT_MAX', 2308974418330),
      u64('EFS_A_FS_BASELINE_THROUGHPUT', 1 << 20),
      u64('EFS_A_FS_PERMITTED_THROUGHPUT', 100 << 20),
      u32('EFS_A_FS_PERCENT_IO_LIMIT', 1234),
      u8('EFS_A_FS_THROTTLING', 1), u64('EFS_A_FS_TIME_NS', 10**9),
      u64('EFS_A_FS_DATA_READ_BYTES', 26566662144),
      u64('EFS_A_FS_PER_CLIENT_BPS', 2**64 - 1),
      u32('EFS_A_FS_CLIENT_IDLE_S', 60),
      u8('EFS_A_FS_TRANSIT_POLICY', 1), u64('EFS_A_FS_TLS_OPS', 40),
      u64('EFS_A_FS_PLAINTEXT_REFUSED', 3), u32('EFS_A_FS_TLS_CLIENTS', 1)] + \
     [u64('EFS_A_FS_WAIT_HIST', i) for i in range(16)]
CLIENT = [strz('EFS_A_FS_NAME', 'home'),
          strz('EFS_A_CLIENT_ADDR', '192.0.2.1'),
          u64('EFS_A_CLIENT_OPS', 100), u32('EFS_A_CLIENT_OPS_PER_SECOND', 7),
          u64('EFS_A_CLIENT_METERED_BPS', 1 << 20),
          u64('EFS_A_CLIENT_IDLE_MS', 1500), u8('EFS_A_CLIENT_OVERFLOW', 0),
          u8('EFS_A_CLIENT_TLS', 1), u64('EFS_A_CLIENT_TLS_OPS', 90),
          u64('EFS_A_CLIENT_PLAINTEXT_REFUSED', 2),
          u32('EFS_A_CLIENT_BACKPRESSURE_SLOTS', 4)]
SERVER = [u32(k, i + 1) if k != 'EFS_A_SERVER_DISPLACED' else u64(k, 9)
          for i, k in enumerate(['EFS_A_SERVER_MAX_WAITING_THREADS',
                                 'EFS_A_SERVER_MAX_WAITING_EFFECTIVE',
                                 'EFS_A_SERVER_NFSD_THREADS',
                                 'EFS_A_SERVER_WAITING_THREADS',
                                 'EFS_A_SERVER_DISPLACED',
                                 'EFS_A_SERVER_CLIENTS'])] + \
    [u8('EFS_A_SERVER_TLS_SUPPORTED', 1)]
EVENT = [u32('EFS_A_EVENT_TYPE', 4), strz('EFS_A_FS_NAME', 'home'),
         u64('EFS_A_EVENT_VALUE', 5), u64('EFS_A_EVENT_TIME_NS', 1 << 60)]
# an FS_SET request as nl_decode.c builds it, echoed by an uncapped error
REQ = msg(FAMILY, struct.pack('=BBH', C['EFS_CMD_FS_SET'], 1, 0) +
          strz('EFS_A_FS_NAME', 'fuzz') + u32('EFS_A_FS_IOPS_LIMIT', 100) +
          u64('EFS_A_FS_METERED_SIZE', 1 << 30), 5)


def error(err, tlvs=b'', capped=True):
    echo = REQ[:16] if capped else REQ
    flags = (NLM_F_CAPPED if capped else 0) | (NLM_F_ACK_TLVS if tlvs else 0)
    return msg(NLMSG_ERROR, struct.pack('=i', err) + echo + tlvs, flags)


def tlv(t, payload):
    return attr(t, payload)


SEEDS = {
    'fs_record': genl('EFS_CMD_FS_GET', FS),
    'fs_dump': genl('EFS_CMD_FS_GET', FS, NLM_F_MULTI) +
    genl('EFS_CMD_FS_GET', [strz('EFS_A_FS_NAME', 'ci'),
                            strz('EFS_A_FS_PATH', '/srv/ci'),
                            u64('EFS_A_FS_TIME_NS', 3 * 10**9)],
         NLM_F_MULTI) + msg(NLMSG_DONE, struct.pack('=i', 0), NLM_F_MULTI),
    'clients': genl('EFS_CMD_CLIENT_GET', CLIENT, NLM_F_MULTI) +
    genl('EFS_CMD_CLIENT_GET', [strz('EFS_A_CLIENT_ADDR', '2001:db8::1'),
                                u64('EFS_A_CLIENT_OPS', 1)], NLM_F_MULTI),
    'server': genl('EFS_CMD_SERVER_GET', SERVER),
    'event': genl('EFS_CMD_EVENT', EVENT),
    'ack': error(0),
    'error_extack': error(-22, tlv(1, b'iops-limit: out of range\0') +
                          tlv(2, struct.pack('=I', 36)), capped=False),
    'error_missing': error(-22, tlv(5, struct.pack('=I',
                                                  A['EFS_A_FS_NAME']))),
    'error_short_echo': msg(NLMSG_ERROR, struct.pack('=iI', -1, 4),
                            NLM_F_ACK_TLVS),
    'done_error': msg(NLMSG_DONE, struct.pack('=i', -5)),
    'bad_u32_len': genl('EFS_CMD_FS_GET', [strz('EFS_A_FS_NAME', 'x'),
                                           attr(A['EFS_A_FS_IOPS_LIMIT'],
                                                b'\1\2\3')]),
    'long_name': genl('EFS_CMD_FS_GET', [strz('EFS_A_FS_NAME', 'n' * 65)]),
    'unterminated_name': genl('EFS_CMD_FS_GET',
                              [attr(A['EFS_A_FS_NAME'], b'abcd')]),
    'attr_past_end': genl('EFS_CMD_FS_GET', FS[:2])[:-3],
    'short_genl': msg(FAMILY, b'\5\1'),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
