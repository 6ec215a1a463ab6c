"""A small load generator: N keep-alive connections (one thread each) request one path for a
number of seconds and print, as JSON, how many answered, how fast, and how many failed.
Run by benchmarks/run.py in its own process, so it does not share the server's interpreter."""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", required=True)
    p.add_argument("--token", default="")
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--connections", type=int, default=8)
    a = p.parse_args()
    headers = {"Authorization": f"Token {a.token}"} if a.token else {}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + a.seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
        mine, bad = [], []
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                conn.request("GET", a.path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    bad.append(f"HTTP {resp.status}")
                else:
                    mine.append(time.perf_counter() - t0)
            except (OSError, http.client.HTTPException) as exc:
                bad.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(a.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0.0
    p50 = latencies[len(latencies) // 2] if latencies else 0.0
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "errors": len(errors),
                "sample": errors[:3],
                "seconds": elapsed,
                "p50": p50,
                "p95": p95,
            }
        )
    )


if __name__ == "__main__":
    main()
