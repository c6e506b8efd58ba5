#!/usr/bin/env python3
"""A STAND-IN for EC2's instance metadata service (IMDSv2), for the tests'
stand-in machine only: metadata-standin.sh starts it in a network namespace
of the machine, at 169.254.169.254:80, one route away as on an instance.

It answers as much of IMDSv2 as a credentials lookup needs, as an instance
set to `httpTokens: required` does:
  PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1-21600)
      -> 200, a token; 400 without a valid TTL; 403 with X-Forwarded-For.
      The answer leaves with the IP TTL of the PUT response hop limit.
  GET with X-aws-ec2-metadata-token (a live token; else 401):
      /latest/meta-data/iam/security-credentials/        -> the role's name
      /latest/meta-data/iam/security-credentials/<role>  -> credentials JSON
      anything else                                      -> 404
The credentials are made up (no AWS service accepts them). Python's standard
library only: the machine has python3 (cloud-init's) and nothing else to run.
"""
import argparse
import datetime
import json
import secrets
import socket
import socketserver
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_PATH = "/latest/api/token"
CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/"
MAX_TTL = 21600


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", default="169.254.169.254")
    parser.add_argument("--port", type=int, default=80)
    parser.add_argument("--role", required=True, help="the instance role's name")
    parser.add_argument("--hop-limit", type=int, default=1, help="IP TTL of the token's answer (EC2's default is 1)")
    return parser.parse_args()


ARGS = parse_args()
TOKENS = {}  # token -> expiry (monotonic seconds)


class Handler(BaseHTTPRequestHandler):
    server_version = "container-labs-standin-imds"
    sys_version = ""

    def answer(self, status, body="", content_type="text/plain", headers=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path != TOKEN_PATH:
            return self.answer(404, "Not Found")
        if self.headers.get("X-Forwarded-For") is not None:
            return self.answer(403, "Forbidden")
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= MAX_TTL:
            return self.answer(400, "Bad Request")
        # What the hop limit is: every packet of the answer from here on carries this TTL.
        self.connection.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ARGS.hop_limit)
        token = secrets.token_urlsafe(42)
        TOKENS[token] = time.monotonic() + int(ttl)
        return self.answer(200, token, headers={"X-aws-ec2-metadata-token-ttl-seconds": ttl})

    def do_GET(self):
        token = self.headers.get("X-aws-ec2-metadata-token")
        if token is None or TOKENS.get(token, 0) < time.monotonic():
            return self.answer(401, "Unauthorized")
        if self.path == CREDENTIALS_PATH:
            return self.answer(200, ARGS.role)
        if self.path == CREDENTIALS_PATH + ARGS.role:
            now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
            stamp = lambda moment: moment.isoformat().replace("+00:00", "Z")  # noqa: E731
            return self.answer(200, json.dumps({
                "Code": "Success",
                "LastUpdated": stamp(now),
                "Type": "AWS-HMAC",
                "AccessKeyId": "ASIASTANDINNOTAWS000",
                "SecretAccessKey": "stand-in-secret-no-aws-service-accepts-this",
                "Token": "stand-in-session-token",
                "Expiration": stamp(now + datetime.timedelta(hours=6)),
            }, indent=2))
        return self.answer(404, "Not Found")

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        sys.stderr.write("%s %s\n" % (self.client_address[0], format % args))
        sys.stderr.flush()


class Server(ThreadingHTTPServer):
    def server_bind(self):
        # HTTPServer's own looks its address up in DNS (socket.getfqdn), which the
        # namespace has none of: 10 s of resolver timeouts before the first answer.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


server = Server((ARGS.address, ARGS.port), Handler)
print(f"stand-in IMDSv2 at {ARGS.address}:{ARGS.port}, role {ARGS.role}, hop limit {ARGS.hop_limit}", file=sys.stderr, flush=True)
server.serve_forever()
