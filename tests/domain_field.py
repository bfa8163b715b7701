"""Field FIELD (a dotted path, e.g. state.paused) of domain DOM (name or
domid) in `HVCLI list -l`, or "gone" if there is no such domain.

    domain_field.py HVCLI DOM FIELD            print it
    domain_field.py HVCLI DOM FIELD SECS WANT  poll until it reads WANT;
                                               exit 1 after SECS seconds

One python polls (a python per poll would take most of the time on the
emulated CPUs of scripts/kvm-vm).  tests/lib.sh's hv_field and
hv_wait_field call it.
"""
import json
import subprocess
import sys
import time


def field_of(hvcli, name, field):
    out = subprocess.run([hvcli, "list", "-l"], capture_output=True, text=True).stdout
    for d in json.loads(out or "[]"):
        if d["name"] == name or str(d["domid"]) == name:
            for part in field.split("."):
                d = d[part]
            return str(d)
    return "gone"


def main(argv):
    hvcli, name, field = argv[:3]
    if len(argv) == 3:
        print(field_of(hvcli, name, field))
        return 0
    deadline = time.monotonic() + float(argv[3])
    while True:
        value = field_of(hvcli, name, field)
        if value == argv[4]:
            return 0
        if time.monotonic() > deadline:
            print(f"domain {name}: {field} is '{value}'", file=sys.stderr)
            return 1
        time.sleep(0.1)


sys.exit(main(sys.argv[1:]))
