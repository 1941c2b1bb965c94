# SPDX-License-Identifier: GPL-3.0-or-later
"""A loopback HTTP listener standing in for healthchecks.io, ntfy and
Apprise's json:// in the tests.

ping_sink.py DIR: listens on a free port of 127.0.0.1, writes the port to
DIR/port, and appends the path of every request (GET or POST) to
DIR/requests, and one JSON line per request to DIR/posts.jsonl: method,
path, content_type, authorization and body (decoded as UTF-8).
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

folder = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    def answer(self, body):
        with open(os.path.join(folder, "requests"), "a") as f:
            f.write(self.path + "\n")
        entry = {
            "method": self.command,
            "path": self.path,
            "content_type": self.headers.get("Content-Type", ""),
            "authorization": self.headers.get("Authorization", ""),
            "body": body.decode("utf-8", "replace"),
        }
        with open(os.path.join(folder, "posts.jsonl"), "a") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        reply = b'{"ok": true}' if self.command == "POST" else b"OK"
        self.send_response(200)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self):
        self.answer(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.answer(self.rfile.read(length))

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(folder, "port.tmp"), "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(os.path.join(folder, "port.tmp"), os.path.join(folder, "port"))
server.serve_forever()
