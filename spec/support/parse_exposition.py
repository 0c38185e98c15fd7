"""Reads exposition bodies back with prometheus_client's parsers, for the specs.

Run with /usr/bin/python3. Protocol: one JSON object per input line,
  {"format": "text" | "openmetrics", "body": "..."}
answered by one JSON line (ASCII only), in order:
  {"ok": true, "families": [{"name", "type", "help", "unit", "samples": [
      {"name", "labels": {...}, "value": repr(float(value)), "int": bool,
       "timestamp": repr(float(seconds)) or null,
       "exemplar": {"labels", "value", "timestamp"} (only on samples with one)}]}]}
or {"ok": false, "error": "..."} when the parser rejects the body.
Values travel as repr() strings so that NaN, +-Inf and -0.0 survive JSON; "int" says the
parser returned an int (the OpenMetrics parser does for "-0", which then loses its sign).
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families as parse_text
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics

PARSERS = {"text": parse_text, "openmetrics": parse_openmetrics}


def describe_sample(s):
    sample = {
        "name": s.name,
        "labels": dict(s.labels),
        "value": repr(float(s.value)),
        "int": isinstance(s.value, int),
        "timestamp": None if s.timestamp is None else repr(float(s.timestamp)),
    }
    exemplar = getattr(s, "exemplar", None)
    if exemplar is not None:
        sample["exemplar"] = {
            "labels": dict(exemplar.labels),
            "value": repr(float(exemplar.value)),
            "timestamp": None if exemplar.timestamp is None else repr(float(exemplar.timestamp)),
        }
    return sample


def describe(family):
    return {
        "name": family.name,
        "type": family.type,
        "help": family.documentation,
        "unit": getattr(family, "unit", ""),
        "samples": [describe_sample(s) for s in family.samples],
    }


def answer(request):
    try:
        families = [describe(f) for f in PARSERS[request["format"]](request["body"])]
        return {"ok": True, "families": families}
    except Exception as error:  # the parsers raise ValueError, KeyError, IndexError...
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def main():
    stdin = sys.stdin.buffer
    while True:
        line = stdin.readline()
        if not line:
            break
        sys.stdout.write(json.dumps(answer(json.loads(line.decode("utf-8")))) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
