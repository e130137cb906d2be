#!/usr/bin/env python3
"""Check that uapi/efs.yaml (YNL spec) and uapi/linux/efs.h agree:
same attribute names and numbers, same commands, same enum values.
Prints PASS/FAIL lines (and appends them to $EFS_RESULTS if set)."""
import os
import re
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
hdr = open(os.path.join(REPO, "uapi/linux/efs.h")).read()
spec = yaml.safe_load(open(os.path.join(REPO, "uapi/efs.yaml")))
errors = []


def c_enum(name):
    body = re.search(r"enum %s \{(.*?)\};" % name, hdr, re.S).group(1)
    out, val = [], 0
    for m in re.finditer(r"^\s*(\w+)(?:\s*=\s*(\d+))?,", body, re.M):
        if m.group(2):
            val = int(m.group(2))
        out.append((m.group(1), val))
        val += 1
    return out


def ynl_name(c, prefix):
    return c[len(prefix):].lower().replace("_", "-")


# Attributes: YNL numbers them from 1 in order.
c_attrs = [(ynl_name(n, "EFS_A_"), v) for n, v in c_enum("efs_attr")
           if not n.startswith("__") and n != "EFS_A_UNSPEC"]
y_attrs = [(a["name"], i + 1) for i, a in
           enumerate(spec["attribute-sets"][0]["attributes"])]
if c_attrs != y_attrs:
    errors.append("attributes differ: %s" %
                  sorted(set(c_attrs) ^ set(y_attrs)))

c_cmds = [(ynl_name(n, "EFS_CMD_"), v) for n, v in c_enum("efs_cmd")
          if not n.startswith("__") and n != "EFS_CMD_UNSPEC"]
y_cmds = [(o["name"], i + 1) for i, o in
          enumerate(spec["operations"]["list"])]
if c_cmds != y_cmds:
    errors.append("commands differ: %s vs %s" % (c_cmds, y_cmds))

defs = {d["name"]: d for d in spec["definitions"]}
for cname, yname, prefix in (("efs_performance_mode", "performance-mode", None),
                             ("efs_throughput_mode", "throughput-mode", None),
                             ("efs_event_type", "event-type", None),
                             ("efs_at_rest_policy", "at-rest-policy", None),
                             ("efs_transit_policy", "transit-policy", None)):
    c_vals = [v for n, v in c_enum(cname) if not n.startswith("__")]
    d = defs[yname]
    start = d.get("value-start", 0)
    y_vals = list(range(start, start + len(d["entries"])))
    if c_vals != y_vals:
        errors.append("%s values differ: %s vs %s" % (yname, c_vals, y_vals))

if spec["name"] != re.search(r'EFS_GENL_NAME\s+"(\w+)"', hdr).group(1):
    errors.append("family name differs")
mc = re.search(r'EFS_MCGRP_EVENTS\s+"(\w+)"', hdr).group(1)
if [g["name"] for g in spec["mcast-groups"]["list"]] != [mc]:
    errors.append("multicast groups differ")

line = ("FAIL" if errors else "PASS") + " uapi_yaml_matches_header"
for e in errors:
    print("  " + e)
print(line)
if os.environ.get("EFS_RESULTS"):
    with open(os.environ["EFS_RESULTS"], "a") as f:
        f.write(line + "\n")
sys.exit(1 if errors else 0)
