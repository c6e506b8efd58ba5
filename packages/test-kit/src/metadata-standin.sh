#!/usr/bin/env bash
# Runs as root ON THE STAND-IN MACHINE (packages/test-kit/src/machine.ts):
# puts a STAND-IN of EC2's instance metadata service at 169.254.169.254:80,
# metadata-standin.py beside this script, with the routing an instance has.
#
# On EC2 the metadata service is off the host: a container's packets to it
# are routed by the host, through FORWARD (and so Docker's DOCKER-USER, where
# the ec2 target's firewall is), and the host's own reach it through OUTPUT.
# So here too it lives outside the machine's network namespace: in a network
# namespace of its own, joined to the machine by a veth pair, with a route
# to 169.254.169.254 through it. An address on `lo` or a dummy interface
# would not do: traffic to a local address goes to INPUT and never meets
# DOCKER-USER. The server runs as a transient systemd unit, so it is gone
# after a reboot, as is everything here (/run and the machine's links are
# new at every boot): the test starts it again, as it starts it after a boot.
#
# Usage: metadata-standin.sh <role name> <PUT response hop limit>
# Safe to run again: it removes what an earlier run made first.
set -euo pipefail

role="${1:?usage: metadata-standin.sh <role name> <hop limit>}"
hop_limit="${2:?usage: metadata-standin.sh <role name> <hop limit>}"
here="$(cd "$(dirname "$0")" && pwd)"
unit=container-labs-standin-imds
netns=cl-standin-imds
host_link=cl-imds-host
netns_link=imds0
# A /30 for the link: outside Docker's default address pools, so no network of the machine's dockerd takes it.
host_address=10.254.169.1
netns_address=10.254.169.2
imds=169.254.169.254

systemctl stop "$unit" 2>/dev/null || true
systemctl reset-failed "$unit" 2>/dev/null || true
ip netns delete "$netns" 2>/dev/null || true
ip link delete "$host_link" 2>/dev/null || true

ip netns add "$netns"
ip link add "$host_link" type veth peer name "$netns_link" netns "$netns"
ip address add "$host_address/30" dev "$host_link"
ip link set "$host_link" up
ip -n "$netns" link set lo up
ip -n "$netns" address add "$netns_address/30" dev "$netns_link"
ip -n "$netns" address add "$imds/32" dev "$netns_link"
ip -n "$netns" link set "$netns_link" up
ip -n "$netns" route add default via "$host_address"
ip route replace "$imds/32" via "$netns_address" dev "$host_link"

systemd-run --quiet --unit "$unit" --description "container-labs STAND-IN instance metadata service (tests only)" \
  --property NetworkNamespacePath="/run/netns/$netns" \
  python3 "$here/metadata-standin.py" --address "$imds" --port 80 --role "$role" --hop-limit "$hop_limit"

for _ in $(seq 100); do
  if curl -s -o /dev/null --max-time 1 "http://$imds/"; then
    echo "stand-in metadata service: http://$imds/ answers (unit $unit, network namespace $netns)"
    exit 0
  fi
  if ! systemctl is-active --quiet "$unit"; then break; fi
  sleep 0.1
done
echo "stand-in metadata service: http://$imds/ does not answer; its unit's log:" >&2
journalctl --no-pager --unit "$unit" -n 20 >&2 || true
exit 1
