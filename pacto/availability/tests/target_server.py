"""A real HTTP target on loopback for the prober tests, in its own process.

``python -m pacto.availability.tests.target_server PORT DELAY LOG`` answers every GET with
200 "ok" after DELAY seconds and appends one line per request to LOG; it prints "ready".
"""

from __future__ import annotations

import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    port, delay, log = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            with open(log, "a") as out:
                out.write(f"{time.time()}\n")
            time.sleep(delay)
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
