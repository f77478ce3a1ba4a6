#!/usr/bin/env python3
"""Checks the shipped Grafana dashboard (installer/monitoring/grafana-dashboard.json).

Usage: check_dashboard.py DASHBOARD METRICS_TEXT [--instance I] [--job J] [--queries OUT]

- Structure: a title and uid; the variables `datasource` (Prometheus), `job` and `instance`;
  every panel with a unique id, a known type and a place on the 24-column grid; every query
  panel and target on the `${datasource}` variable, with an expression and a unique refId.
- Names: every psguard_* metric an expression or a variable names is one that psguard exposes,
  as read from METRICS_TEXT (a real scrape of psguard's /metrics, Prometheus text format).
- With --queries: writes every panel expression, with $job and $instance replaced, one per line,
  for the caller to run against a real Prometheus (tests/monitoring/prometheus_scrape.sh).
Exits 0 when all holds; otherwise prints each problem and exits 1. Standard library only.
"""
import argparse
import json
import re
import sys

PANEL_TYPES = {"row", "stat", "timeseries", "table", "gauge", "bargauge", "state-timeline", "text"}
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
METRIC = re.compile(r"\b(psguard_[a-z0-9_]+)")
# PromQL's own words and Prometheus' series psguard does not expose.
NOT_PSGUARD = {"up"}


def exposed_metrics(text):
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            names.add(line.split()[2])
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, 1)[0])
    return names


def check(dashboard, exposed):
    problems = []
    expressions = []
    for key in ("title", "uid", "schemaVersion", "panels", "templating"):
        if key not in dashboard:
            problems.append(f"no '{key}'")
    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    source = variables.get("datasource", {})
    if source.get("type") != "datasource" or source.get("query") != "prometheus":
        problems.append("no Prometheus datasource variable named 'datasource'")
    for name in ("job", "instance"):
        variable = variables.get(name)
        if variable is None or variable.get("type") != "query":
            problems.append(f"no query variable '{name}'")
            continue
        if variable.get("datasource") != DATASOURCE:
            problems.append(f"variable '{name}' does not use ${{datasource}}")
        query = variable.get("query", {})
        expressions.append(("variable " + name, query.get("query", "") if isinstance(query, dict) else query))

    ids = set()
    for panel in dashboard.get("panels", []):
        where = f"panel {panel.get('id')} '{panel.get('title')}'"
        if panel.get("id") in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(panel.get("id"))
        if panel.get("type") not in PANEL_TYPES:
            problems.append(f"{where}: unknown type {panel.get('type')!r}")
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in ("x", "y", "w", "h")):
            problems.append(f"{where}: no gridPos")
        elif grid["x"] < 0 or grid["w"] < 1 or grid["x"] + grid["w"] > 24:
            problems.append(f"{where}: off the 24-column grid")
        if panel.get("type") == "row":
            continue
        if panel.get("datasource") != DATASOURCE:
            problems.append(f"{where}: datasource is not ${{datasource}}")
        targets = panel.get("targets", [])
        if not targets:
            problems.append(f"{where}: no query")
        refs = set()
        for target in targets:
            if target.get("datasource") != DATASOURCE:
                problems.append(f"{where}: a target's datasource is not ${{datasource}}")
            if not target.get("expr"):
                problems.append(f"{where}: a target without an expression")
            if target.get("refId") in refs:
                problems.append(f"{where}: duplicate refId {target.get('refId')}")
            refs.add(target.get("refId"))
            expressions.append((where, target.get("expr", "")))

    for where, expr in expressions:
        for name in METRIC.findall(expr):
            if name not in exposed and name not in NOT_PSGUARD:
                problems.append(f"{where}: {name} is not a metric psguard exposes ({expr})")
    return problems, [e for w, e in expressions if not w.startswith("variable")]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dashboard")
    parser.add_argument("metrics")
    parser.add_argument("--job", default="psguard")
    parser.add_argument("--instance", default="")
    parser.add_argument("--queries")
    args = parser.parse_args()
    with open(args.dashboard, encoding="utf-8") as f:
        dashboard = json.load(f)
    with open(args.metrics, encoding="utf-8") as f:
        exposed = exposed_metrics(f.read())
    if not any(name.startswith("psguard_") for name in exposed):
        print(f"{args.metrics}: no psguard metric in it", file=sys.stderr)
        return 1
    problems, expressions = check(dashboard, exposed)
    for problem in problems:
        print(f"{args.dashboard}: {problem}", file=sys.stderr)
    if args.queries:
        with open(args.queries, "w", encoding="utf-8") as f:
            for expr in expressions:
                f.write(expr.replace("$job", args.job).replace("$instance", args.instance) + "\n")
    print(f"dashboard: {len(expressions)} queries, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
