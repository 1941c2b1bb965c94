# SPDX-License-Identifier: GPL-3.0-or-later
"""A loopback SMTP server for the notification tests (Debian's python3-aiosmtpd).

smtp_sink.py DIR: listens on a free port of 127.0.0.1, writes the port to
DIR/port once ready, and saves every message as DIR/NNN.eml (its envelope
recipients in DIR/NNN.rcpt) until it is killed. With SMTP_SINK_AUTH=1 in its
environment it offers AUTH PLAIN and LOGIN without TLS, takes any login, and
appends each "login:password" it was given to DIR/auth.
"""
import os
import socket
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Saver:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, "%03d" % self.count)
        with open(base + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos) + "\n")
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(base + ".tmp", base + ".eml")
        return "250 OK"


class Recorder:
    def __init__(self, folder):
        self.path = os.path.join(folder, "auth")

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            with open(self.path, "ab") as f:
                f.write(auth_data.login + b":" + auth_data.password + b"\n")
        return AuthResult(success=True)


def main():
    folder = sys.argv[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    auth = {}
    if os.environ.get("SMTP_SINK_AUTH") == "1":
        auth = {"authenticator": Recorder(folder), "auth_require_tls": False}
    controller = Controller(Saver(folder), hostname="127.0.0.1", port=port, **auth)
    controller.start()
    with open(os.path.join(folder, "port.tmp"), "w") as f:
        f.write("%d\n" % port)
    os.rename(os.path.join(folder, "port.tmp"), os.path.join(folder, "port"))
    threading.Event().wait()


main()
