#!/usr/bin/env bash
# Build the image for each architecture from what build/pyinstaller.sh and build/arm64.sh wrote to dist/,
# and the multi-arch manifest list that names them, with buildah alone (no daemon, rootless-friendly:
# vfs storage and chroot isolation unless STORAGE_DRIVER / BUILDAH_ISOLATION say otherwise).
#
#   packaging/image.sh [--base IMAGE] [--name NAME] [--arch amd64,arm64]
#
# Gives the images NAME:VERSION-amd64 and NAME:VERSION-arm64, the manifest list NAME:VERSION, and the
# list exported with both images as dist/elektromail-VERSION.oci.tar (an OCI archive). --base defaults
# to alpine:3.21 (the published image); --base scratch builds where no registry is reachable.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export STORAGE_DRIVER="${STORAGE_DRIVER:-vfs}" BUILDAH_ISOLATION="${BUILDAH_ISOLATION:-chroot}"

base=alpine:3.21
name=localhost/elektromail
arches=amd64,arm64
while [ "$#" -gt 0 ]; do
    case "$1" in
        --base) base="$2"; shift 2 ;;
        --name) name="$2"; shift 2 ;;
        --arch) arches="$2"; shift 2 ;;
        *) echo "usage: packaging/image.sh [--base IMAGE] [--name NAME] [--arch amd64,arm64]" >&2; exit 2 ;;
    esac
done
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/elektromail/__init__.py")"
revision="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
archive="$root/dist/elektromail-$version.oci.tar"


buildah manifest rm "$name:$version" >/dev/null 2>&1 || true
buildah manifest create "$name:$version" >/dev/null
IFS=, read -r -a arch_list <<<"$arches"
for arch in "${arch_list[@]}"; do
    tree="$root/dist/elektromail-rootfs-linux-$arch"
    test -d "$tree" || { echo "packaging/image.sh: build $tree first (build/)" >&2; exit 1; }
    # --format docker keeps the HEALTHCHECK, which the OCI image format has no field for.
    buildah bud --quiet --format docker --platform "linux/$arch" \
        --build-arg "BASE=$base" --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
        --tag "$name:$version-$arch" --file "$root/Dockerfile" "$root" >/dev/null
    buildah manifest add "$name:$version" "containers-storage:$name:$version-$arch" >/dev/null
    size="$(buildah images --format '{{.Size}}' "$name:$version-$arch")"
    echo "image $name:$version-$arch ($base): $size; the build it holds: $(du -sh "$tree" | cut -f1)"
done
rm -f "$archive"
buildah manifest push --quiet --all "$name:$version" "oci-archive:$archive:$name:$version"
echo "manifest list $name:$version (${arches}) -> $archive"
