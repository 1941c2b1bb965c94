# SPDX-License-Identifier: GPL-3.0-or-later
"""A loopback HTTP listener standing in for healthchecks.io in the tests.

ping_sink.py DIR: listens on a free port of 127.0.0.1, writes the port to
DIR/port, and appends the path of every request to DIR/requests.
"""
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

folder = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        with open(os.path.join(folder, "requests"), "a") as f:
            f.write(self.path + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(folder, "port.tmp"), "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(os.path.join(folder, "port.tmp"), os.path.join(folder, "port"))
server.serve_forever()
