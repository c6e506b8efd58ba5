#!/usr/bin/env bash
# Run by cloud-init as root before Docker is installed. Mounts the host's data
# volume, an encrypted EBS volume that outlives the instance, and binds onto it
# the two places lab data lives: Docker's named volumes (/var/lib/docker/volumes:
# PostgreSQL, Redis, uploads) and the labs' bind-mount directory
# (/var/lib/container-labs). A replaced instance (a changed cloud-init script,
# a new instance type) mounts the same volume and finds the same data.
#
# Formats the volume only when nothing at all is found on it (its first
# attachment). Anything else but ext4, or a failed probe, stops it before it
# formats or mounts anything: data is never formatted on a guess.
# fstab makes the mounts come back at every boot; docker.service requires them
# (RequiresMountsFor), so Docker never starts writing to the root volume instead.
set -euo pipefail

volume_id="${1:?usage: container-labs-mount-data <EBS volume id, e.g. vol-0123456789abcdef0>}"
mount_point=/srv/container-labs
label=container-labs
wait_seconds=900

# Nitro instances show an EBS volume as an NVMe device whose serial is the
# volume ID without its dash; Xen instances under the requested name.
device_candidates=("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volume_id/-/}" /dev/xvdf /dev/sdf)

find_device() {
  local candidate
  for candidate in "${device_candidates[@]}"; do
    if [ -b "$candidate" ]; then
      readlink -f "$candidate"
      return 0
    fi
  done
  return 1
}

# Pulumi attaches the volume once the instance runs, which is after this starts.
device=""
for _ in $(seq 1 "$wait_seconds"); do
  if device="$(find_device)"; then break; fi
  sleep 1
done
if [ -z "$device" ]; then
  echo "container-labs-mount-data: volume $volume_id is not attached after ${wait_seconds}s (looked for ${device_candidates[*]})" >&2
  exit 1
fi

# Docker, which requires the mounts, stays down.
refuse() {
  echo "container-labs-mount-data: refusing to format or mount $volume_id ($device): $*; see lsblk -f $device" >&2
  exit 1
}
one_line() { paste -sd ' ' <<<"$1"; }

# Low-level probe, no cache. Exit 2 alone means nothing found; others (4: I/O, 8: ambivalent) mean unknown.
probe_status=0
probe="$(blkid -p -o export -- "$device")" || probe_status=$?
probe_value() { sed -n "s/^$1=//p" <<<"$probe"; }

if [ "$probe_status" -eq 0 ]; then
  if [ -n "$(probe_value PTTYPE)" ] || [ "$(probe_value TYPE)" != ext4 ]; then
    refuse "it holds something other than one ext4 filesystem (blkid -p: $(one_line "$probe"))"
  fi
elif [ "$probe_status" -eq 2 ]; then
  # Cross-checks before the irreversible step: every signature wipefs knows, and
  # partitions the kernel holds even where the partition table is lost.
  signatures="$(wipefs --no-act --noheadings --output TYPE,OFFSET -- "$device")" || refuse "wipefs could not list it (exit $?)"
  [ -z "$signatures" ] || refuse "wipefs finds: $(one_line "$signatures")"
  children="$(lsblk --noheadings --raw --output NAME,TYPE -- "$device")" || refuse "lsblk could not list it (exit $?)"
  children="$(tail -n +2 <<<"$children")"
  [ -z "$children" ] || refuse "the kernel holds devices on it: $(one_line "$children")"
  echo "container-labs-mount-data: $volume_id ($device) holds nothing (blkid -p, wipefs, lsblk): formatting it"
  mkfs.ext4 -q -L "$label" "$device"
  probe="$(blkid -p -o export -- "$device")"
else
  refuse "blkid -p failed (exit $probe_status), so what it holds is unknown"
fi
uuid="$(probe_value UUID)"
[ -n "$uuid" ] || refuse "its ext4 filesystem has no UUID"

add_to_fstab() {
  local target="$2"
  if ! awk -v target="$target" '$2 == target { found = 1 } END { exit !found }' /etc/fstab; then
    printf '%s\n' "$*" >> /etc/fstab
  fi
}

# nofail: a missing volume must not stop the boot (SSH stays reachable to
# repair it); Docker, which requires these mounts, stays down instead.
add_to_fstab "UUID=$uuid" "$mount_point" ext4 defaults,nofail 0 2
add_to_fstab "$mount_point/docker-volumes" /var/lib/docker/volumes none "bind,nofail,x-systemd.requires-mounts-for=$mount_point" 0 0
add_to_fstab "$mount_point/data" /var/lib/container-labs none "bind,nofail,x-systemd.requires-mounts-for=$mount_point" 0 0

install -d -m 0755 "$mount_point"
# Docker makes its data root 0710; made here first because its volumes directory is mounted before Docker exists.
install -d -m 0710 /var/lib/docker
mountpoint -q "$mount_point" || mount "$mount_point"
# Docker makes its volumes directory 0701 root; uid 1000 is both the login
# user on Ubuntu's images and the `node` user our images run as.
install -d -m 0701 "$mount_point/docker-volumes" /var/lib/docker/volumes
install -d -m 0755 -o 1000 -g 1000 "$mount_point/data"
install -d -m 0755 /var/lib/container-labs
mountpoint -q /var/lib/docker/volumes || mount /var/lib/docker/volumes
mountpoint -q /var/lib/container-labs || mount /var/lib/container-labs
systemctl daemon-reload
echo "container-labs-mount-data: $volume_id mounted at $mount_point; Docker's volumes and $mount_point/data bound onto it"
