"""A real SMTP server for the report tests (Debian's python3-aiosmtpd), listening on 127.0.0.1.

Every accepted message is written as one .eml file (the bytes as received, with a Received-By-Sink
envelope header block) into --dir. Recipients listed in --reject get a permanent 550 reply at RCPT.
Prints READY once listening; runs until killed or until stdin closes.
"""
import argparse
import os
import sys
import time

from aiosmtpd.controller import Controller


class SinkHandler:
    def __init__(self, folder, reject):
        self.folder = folder
        self.reject = {r.lower() for r in reject}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = "%d-%d.eml" % (time.time_ns(), os.getpid())
        tmp = os.path.join(self.folder, name + ".tmp")
        header = ("X-Sink-Mail-From: %s\r\nX-Sink-Rcpt-To: %s\r\n" % (envelope.mail_from, ", ".join(envelope.rcpt_tos))).encode()
        with open(tmp, "wb") as f:
            f.write(header)
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(self.folder, name))
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--reject", action="append", default=[])
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(SinkHandler(args.dir, args.reject), hostname="127.0.0.1", port=args.port, data_size_limit=50 * 1024 * 1024)
    controller.start()
    print("READY", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
