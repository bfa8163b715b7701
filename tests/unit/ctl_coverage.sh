#!/bin/bash
# Every domctl and sysctl in the public headers has its libhvctl function,
# declared in hvctl.h, and nothing else in tools/ makes a raw control call
# (hvctl_domctl, hvctl_sysctl, hvctl_sysctl_fd): scripts that link our
# libraries can do all hvcli does.  An op counts as wrapped when an
# exported (HVCTL_API) function of libhvctl uses its constant, directly or
# through a static helper of its file.
set -u
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 - <<'PY'
import glob, re, sys

ops = []
for hdr in ("xen/include/public/domctl.h", "xen/include/public/sysctl.h"):
    for m in re.finditer(r"^#define (XEN_(?:DOMCTL|SYSCTL)_\w+)\s+\d+\s*$", open(hdr).read(), re.M):
        ops.append(m.group(1))
if len(ops) < 10:
    sys.exit("FAIL: found only %d ops in the public headers: the pattern is broken" % len(ops))

FUNC = re.compile(r"^(?:HVCTL_API[ \t]+)?(?:static[ \t]+)?[A-Za-z_][\w \t\*]*?\b(\w+)\(", re.M)

def functions(path):
    """name -> (exported, body) for each function defined at column 0."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    out = {}
    starts = list(FUNC.finditer(text))
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        out[m.group(1)] = (m.group(0).startswith("HVCTL_API"), text[m.start():end])
    return out

header = open("tools/libhvctl/include/hvctl.h").read()
failures = []
exported_users = {op: [] for op in ops}
for path in glob.glob("tools/libhvctl/*.c"):
    funcs = functions(path)
    for name, (exported, body) in funcs.items():
        if not exported:
            continue
        if not re.search(r"\b%s\s*\(" % name, header):
            failures.append("%s: %s is exported but not declared in hvctl.h" % (path, name))
        # the body, and the bodies of the file's static helpers it calls
        seen = body + "".join(b for n, (e, b) in funcs.items()
                              if not e and re.search(r"\b%s\s*\(" % n, body))
        for op in ops:
            if re.search(r"\b%s\b" % op, seen):
                exported_users[op].append(name)
for op, users in sorted(exported_users.items()):
    if not users:
        failures.append("%s has no libhvctl function" % op)
    else:
        print("ok %s: %s" % (op, ", ".join(sorted(users))))

raw = re.compile(r"\bhvctl_(?:domctl|sysctl|sysctl_fd)\s*\(")
for path in glob.glob("tools/*/*.c"):
    if path.startswith("tools/libhvctl/"):
        continue
    for n, line in enumerate(open(path), 1):
        if raw.search(line):
            failures.append("%s:%d makes a raw control call: %s" % (path, n, line.strip()))

for f in failures:
    print("FAIL " + f)
print("ctl_coverage: %d ops, %d failures" % (len(ops), len(failures)))
sys.exit(1 if failures else 0)
PY
