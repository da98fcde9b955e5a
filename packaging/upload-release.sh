#!/usr/bin/env bash
# Upload the release that packaging/release.sh assembled in dist/release/ to the project's generic package
# registry, and write dist/release/release.env (a dotenv report) for the release job's asset links:
# `packaging/upload-release.sh PIPELINE_IMAGE RELEASE_IMAGE`. Needs CI_API_V4_URL, CI_PROJECT_ID,
# CI_JOB_TOKEN and CI_COMMIT_TAG, which GitLab sets in a tag pipeline.
set -euo pipefail
cd "$(dirname "$0")/.."
pipeline_image="${1:?usage: packaging/upload-release.sh PIPELINE_IMAGE RELEASE_IMAGE}"
release_image="${2:?usage: packaging/upload-release.sh PIPELINE_IMAGE RELEASE_IMAGE}"
release="${RELEASE_DIR:-dist/release}"
version="${CI_COMMIT_TAG:?a release is made from a version tag}"
package_url="$CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/generic/elektromail/${version#v}"

# The image reference is a release asset too: the tag users pull, and the pipeline image it came from.
printf '%s\n%s\n' "$release_image" "$pipeline_image" >"$release/IMAGE"
(cd "$release" && sha256sum -c SHA256SUMS)
amd64="" arm64=""
for file in "$release"/*; do
    name="$(basename "$file")"
    [ "$name" != release.env ] || continue
    case "$name" in
        *linux-x86_64) amd64="$name" ;;
        *linux-aarch64) arm64="$name" ;;
    esac
    curl --fail --silent --show-error --header "JOB-TOKEN: $CI_JOB_TOKEN" \
        --upload-file "$file" "$package_url/$name"
    echo "uploaded $name"
done
[ -n "$amd64" ] && [ -n "$arm64" ] || { echo "packaging/upload-release.sh: $release lacks an executable" >&2; exit 1; }
cat >"$release/release.env" <<ENV
RELEASE_PACKAGE_URL=$package_url
RELEASE_AMD64_FILE=$amd64
RELEASE_ARM64_FILE=$arm64
RELEASE_IMAGE=$release_image
ENV
