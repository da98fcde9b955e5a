#!/usr/bin/env bash
# Push the multi-arch image that packaging/image.sh built (the manifest list and both images) under each
# tag: `packaging/push-image.sh REPOSITORY TAG...`, e.g. `registry.example/elektromail 1a2b3c4d v0.2.0 latest`.
# In GitLab CI it logs in to $CI_REGISTRY with the job's credentials first. MANIFEST names the local list
# (default localhost/elektromail:<version>); TRANSPORT is where to push (default docker://, oci-archive: for a test).
set -euo pipefail
cd "$(dirname "$0")/.."
repository="${1:?usage: packaging/push-image.sh REPOSITORY TAG...}"
shift
[ "$#" -gt 0 ] || { echo "packaging/push-image.sh: no tag given" >&2; exit 2; }
version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' elektromail/__init__.py)"
manifest="${MANIFEST:-localhost/elektromail:$version}"
transport="${TRANSPORT:-docker://}"
# Docker's v2s2 keeps the HEALTHCHECK, which OCI manifests have no field for (PUSH_FORMAT=oci for an OCI
# layout).
format="${PUSH_FORMAT:-v2s2}"
# The storage driver goes in the environment: with buildah 1.28's --storage-driver flag instead,
# `manifest push` does not find a list by its name ("image not known").
export STORAGE_DRIVER="${STORAGE_DRIVER:-vfs}"

if [ -n "${CI_REGISTRY:-}" ] && [ -n "${CI_REGISTRY_PASSWORD:-}" ]; then
    printf '%s' "$CI_REGISTRY_PASSWORD" | buildah login -u "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"
fi
for tag in "$@"; do
    # --all: the list and every image it names, so each architecture pulls its own.
    buildah manifest push --all --format "$format" "$manifest" "$transport$repository:$tag"
    echo "pushed $repository:$tag"
done
