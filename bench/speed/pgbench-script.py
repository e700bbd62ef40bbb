#!/usr/bin/env python3
"""Turns the statements the service sent PostgreSQL for one request into a pgbench script.

    pgbench-script.py LOG_EXCERPT ID NAME > script.sql

LOG_EXCERPT is the part of the PostgreSQL log (log_statement = all, default log_line_prefix with the backend pid)
written while one request ran. Every extended-protocol "execute" line is paired with the "parameters" detail line
the same backend logged after it, and its $n placeholders are replaced by those values, so pgbench runs exactly
the text the service ran (full length, not the log's truncated view). Only statements that read a projection table
are kept: the Kafka relay polls the same server meanwhile. The captured user's id and userName become @ID@ and
@NAME@, which bench/speed.sh replaces with a different user per script.
"""
import re
import sys

PROJECTIONS = ("scim_user", "scim_group", "group_membership")
LINE = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (LOG|DETAIL):  (.*)$")
PARAM = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def statements(lines):
    pending = {}  # pid -> SQL waiting for its parameters
    for line in lines:
        m = LINE.match(line.rstrip("\n"))
        if not m:
            continue
        pid, kind, text = m.groups()
        if kind == "LOG":
            if pid in pending:
                yield pending.pop(pid), {}
            e = re.match(r"execute [^:]*: (.*)$", text)
            if e:
                pending[pid] = e.group(1)
        elif text.startswith("parameters: ") and pid in pending:
            yield pending.pop(pid), {int(n): v for n, v in PARAM.findall(text)}
    for sql in pending.values():
        yield sql, {}


def bind(sql, params):
    # highest number first, so that $1 does not eat the start of $10
    for n in sorted(params, reverse=True):
        sql = sql.replace("$%d" % n, params[n])
    return sql


def main():
    log, user_id, name = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(log, encoding="utf-8", errors="replace") as f:
        out = [bind(sql, p) for sql, p in statements(f) if any(t in sql for t in PROJECTIONS)]
    if not out:
        sys.exit("no statement on a projection table in " + log)
    for sql in out:
        sql = sql.replace(user_id, "@ID@").replace("'" + name + "'", "'@NAME@'")
        print(sql.rstrip(";") + ";")


if __name__ == "__main__":
    main()
