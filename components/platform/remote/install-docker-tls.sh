#!/usr/bin/env bash
# Run over SSH with sudo (a session that has checked the host's key), the
# generated PEMs on stdin in this order: CA certificate, server certificate,
# server key. Installs them and the systemd drop-in that makes dockerd listen
# on 2376 with mutual TLS (clients need a certificate from the same CA),
# besides its local socket; never the plain 2375 API. Run again whenever a
# certificate is renewed. live-restore (daemon.json) keeps the labs' containers
# running through the restart.
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

install -m 0644 /etc/container-labs/docker-tls.conf /etc/systemd/system/docker.service.d/20-tls.conf
systemctl daemon-reload
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
