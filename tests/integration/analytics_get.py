#!/usr/bin/env python3
"""GET an admin endpoint of gaia_server and print what came back, for the analytics tests.

Usage: analytics_get.py PORT KEY PATH [--csv]
Prints the status on the first line, then the body; with --csv the body is read by Python's
csv module (RFC 4180) and printed as a JSON array of records.
"""
import csv
import io
import json
import sys
import urllib.error
import urllib.request

port, key, path = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path))
if key:
    req.add_header("Authorization", "Bearer " + key)
try:
    with urllib.request.urlopen(req, timeout=10) as res:
        status, body = res.status, res.read().decode("utf-8")
except urllib.error.HTTPError as e:
    status, body = e.code, e.read().decode("utf-8")
print(status)
if "--csv" in sys.argv[4:] and status == 200:
    print(json.dumps(list(csv.reader(io.StringIO(body, newline="")))))
else:
    print(body)
