#!/bin/sh
# Installs OpenStack Swift (with its s3api middleware) and memcached from Debian's packages, for
# the end-to-end benchmark's Swift peer (benchmarks/lib/swift.ts). Run as root on Debian/Ubuntu.
# The benchmark writes its own configuration, rings and data into a temp dir; the only file it
# needs outside that is /etc/swift/swift.conf (Swift reads its hash path prefix/suffix from
# there and nowhere else), which this script creates when the package did not.
# s3api ships inside Swift since 2.18: https://docs.openstack.org/swift/latest/middleware.html#module-swift.common.middleware.s3api.s3api
set -eu
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-swift.sh: run as root (apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Another process may hold the apt lock for a moment: retry.
attempt=0
until apt-get update && apt-get install -y --no-install-recommends \
  swift swift-proxy swift-account swift-container swift-object memcached python3-swift; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 6 ]; then
    echo "setup-swift.sh: apt-get failed $attempt times" >&2
    exit 1
  fi
  sleep 10
done
mkdir -p /etc/swift
if [ ! -s /etc/swift/swift.conf ] || ! grep -q '^swift_hash_path_suffix' /etc/swift/swift.conf; then
  cat > /etc/swift/swift.conf <<CONF
[swift-hash]
swift_hash_path_prefix = mpu-bench
swift_hash_path_suffix = mpu-bench

[storage-policy:0]
name = Policy-0
default = yes
CONF
fi
python3 -c 'import swift.common.middleware.s3api' && echo "swift $(python3 -c 'import swift; print(swift.__version__)') with s3api is installed"
