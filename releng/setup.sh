#!/usr/bin/env bash
# Installs what vTPM Migrate needs on Debian 12 (or newer): run as root, or with sudo available.
# Idempotent: installs only what is missing, so a prepared machine spends no time here.
set -euo pipefail

packages=(
    swtpm swtpm-tools tpm2-tools        # platform TPMs of test hosts and every VM's vTPM; tools for vectors
    qemu-system-x86 qemu-utils          # the VMs that migrate
    xvfb libgtk-3-0                     # the console and its UI tests without a desktop
    iproute2                            # network namespaces for demo hosts when run as root
    ca-certificates curl unzip          # the Maven wrapper fetches Maven on first use
)
command -v javac >/dev/null 2>&1 || packages+=(openjdk-17-jdk-headless)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all packages present"
    exit 0
fi
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "setup: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
