"""Prints how many requests a schemathesis run sent, from its NDJSON report.

    python count.py REPORT_DIR
"""

import json
import pathlib
import sys


def main():
    files = sorted(pathlib.Path(sys.argv[1]).glob("*.ndjson"))
    if not files:
        sys.exit(f"no NDJSON report under {sys.argv[1]}")
    requests = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                event = json.loads(line)
                finished = event.get("ScenarioFinished")
                if finished:
                    requests += len(finished["recorder"].get("interactions") or {})
    print(requests)


main()
