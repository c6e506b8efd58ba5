#!/usr/bin/env bash
# Run over SSH with sudo, the generated PEMs on stdin in this order: CA
# certificate, server certificate, server key. Makes dockerd listen on 2376
# with mutual TLS (clients need a certificate from the same CA), besides its
# local socket. Never the plain 2375 API.
set -euo pipefail

tls_dir=/etc/docker/tls
install -d -m 0700 "$tls_dir"
umask 077
awk -v dir="$tls_dir" '
  /^-----BEGIN / { n++; file = dir "/" (n == 1 ? "ca.pem" : n == 2 ? "server-cert.pem" : "server-key.pem") }
  n >= 1 && n <= 3 { print > file }
'
for pem in ca.pem server-cert.pem server-key.pem; do
  if [ ! -s "$tls_dir/$pem" ]; then
    echo "install-docker-tls: expected the CA, the server certificate and its key on stdin; $pem is missing" >&2
    exit 1
  fi
done

cat > /etc/docker/daemon.json <<JSON
{
  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
  "tls": true,
  "tlsverify": true,
  "tlscacert": "$tls_dir/ca.pem",
  "tlscert": "$tls_dir/server-cert.pem",
  "tlskey": "$tls_dir/server-key.pem",
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "3" }
}
JSON

systemctl restart docker
for _ in $(seq 1 30); do
  if docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; then
    echo "dockerd listens on 2376 with TLS"
    exit 0
  fi
  sleep 1
done
echo "install-docker-tls: dockerd did not come back within 30 s after enabling TLS" >&2
journalctl -u docker --no-pager -n 30 >&2 || true
exit 1
