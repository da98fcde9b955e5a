#!/usr/bin/env bash
# Publish the wheel and sdist that scripts/wheel built (`scripts/wheel --keep dist/python`) for a version
# tag: first to the project's PyPI package registry on GitLab (with the job token), then to PyPI (with
# PYPI_TOKEN, an API token kept as a masked, protected CI/CD variable). Needs CI_COMMIT_TAG, CI_API_V4_URL,
# CI_PROJECT_ID, CI_JOB_TOKEN (set by GitLab in a tag pipeline) and PYPI_TOKEN. PYPI_UPLOAD_URL replaces
# PyPI's upload URL (a test index, or a stand-in).
set -euo pipefail
cd "$(dirname "$0")/.."
dist="${PYTHON_DIST_DIR:-dist/python}"
tag="${CI_COMMIT_TAG:?a release is made from a version tag}"
: "${PYPI_TOKEN:?PYPI_TOKEN (a PyPI API token) must be set as a masked CI/CD variable}"
version="${tag#v}"
wheel="$dist/elektromail-$version-py3-none-any.whl"
sdist="$dist/elektromail-$version.tar.gz"
for file in "$wheel" "$sdist"; do
    [ -f "$file" ] || { echo "packaging/publish-python.sh: no $file for tag $tag (in $dist: $(ls "$dist" 2>/dev/null | tr '\n' ' '))" >&2; exit 1; }
done
python3 -m twine check --strict "$wheel" "$sdist"

upload() {
    local url="$1" user="$2" password="$3"
    TWINE_USERNAME="$user" TWINE_PASSWORD="$password" python3 -m twine upload --non-interactive \
        --disable-progress-bar --repository-url "$url" "$wheel" "$sdist"
}
upload "$CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/pypi" gitlab-ci-token "$CI_JOB_TOKEN"
echo "published $version to the project's package registry"
upload "${PYPI_UPLOAD_URL:-https://upload.pypi.org/legacy/}" __token__ "$PYPI_TOKEN"
echo "published $version to PyPI"
