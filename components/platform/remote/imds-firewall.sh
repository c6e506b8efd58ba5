#!/usr/bin/env bash
# Keeps containers away from the instance metadata service (IMDS), which hands
# out the instance role's credentials, except those on the one Docker network
# whose bridge is named in $1 (aws-credentials: the cmpt756 datastore).
#
# Docker forwards container traffic through the FORWARD chain, which jumps
# first to DOCKER-USER. Docker creates that chain only if it is missing and
# never flushes it, so rules made here before Docker starts apply to every
# container from its first packet. The host's own processes (OUTPUT) are not
# affected. Rejecting (a TCP reset) rather than dropping makes an SDK in a
# container fail at once instead of waiting out its timeout.
#
# Run as root at every boot by container-labs-imds-firewall.service, before
# docker.service; safe to run again (the rules are rebuilt, never doubled).
set -euo pipefail

allowed_bridge="${1:?usage: container-labs-imds-firewall <bridge of the only network that may reach IMDS>}"
imds=169.254.169.254/32
chain=CONTAINER-LABS-IMDS

ensure_chain() {
  iptables -w -n -L "$1" >/dev/null 2>&1 || iptables -w -N "$1"
}

ensure_chain DOCKER-USER
ensure_chain "$chain"
iptables -w -F "$chain"
iptables -w -A "$chain" -i "$allowed_bridge" -j RETURN
iptables -w -A "$chain" -p tcp -j REJECT --reject-with tcp-reset
iptables -w -A "$chain" -j REJECT --reject-with icmp-port-unreachable
if ! iptables -w -C DOCKER-USER -d "$imds" -j "$chain" 2>/dev/null; then
  iptables -w -I DOCKER-USER 1 -d "$imds" -j "$chain"
fi
echo "container-labs-imds-firewall: only $allowed_bridge reaches $imds from a container"
