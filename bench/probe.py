"""Run one command and print its wall time, CPU time and peak RSS as JSON.

Run as `python -m bench.probe CMD...` in its own process, so RUSAGE_CHILDREN covers exactly this
command and its descendants (dbt's subprocess included): ru_maxrss is the peak RSS of the
largest of them.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    start = time.perf_counter()
    completed = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "returncode": completed.returncode,
                "wall_s": wall,
                "cpu_s": usage.ru_utime + usage.ru_stime,
                "peak_rss_mib": usage.ru_maxrss / 1024,
                "stderr_tail": completed.stderr[-3000:] if completed.returncode else "",
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
