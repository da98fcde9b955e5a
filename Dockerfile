# elektromail: a test mail server (SMTP, IMAP4rev2, HTTP control plane) in one static executable.
#
# Nothing is compiled here: the image takes the static executable that build/pyinstaller.sh (amd64) or
# build/arm64.sh (arm64) wrote to dist/, for the platform being built, so one file builds every
# architecture without emulation. packaging/image.sh builds both and the multi-arch manifest.
#
#   docker build --platform linux/amd64 -t elektromail .           # FROM alpine:3.21
#   buildah bud --build-arg BASE=scratch --arch amd64 ...          # where no registry is reachable

ARG BASE=alpine:3.21
# Set by the builder from --platform (docker buildx, buildah); declared so that FROM can use it.
ARG TARGETARCH

# One stage per architecture names its executable; the final stage copies from the one it is built for.
FROM scratch AS executable-amd64
COPY dist/elektromail-linux-x86_64 /elektromail

FROM scratch AS executable-arm64
COPY dist/elektromail-linux-aarch64 /elektromail

# DL3006 asks for a tag: executable-${TARGETARCH} is one of the stages above, not an image.
# hadolint ignore=DL3006
FROM executable-${TARGETARCH} AS executable

# The base is a build argument: alpine (the published image) or scratch; no RUN, so both build alike.
FROM ${BASE}
ARG BASE
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="elektromail" \
      org.opencontainers.image.description="A test mail server: SMTP, IMAP4rev2 and an HTTP control plane in one process" \
      org.opencontainers.image.source="https://gitlab.com/elektroladen/elektromail" \
      org.opencontainers.image.url="https://gitlab.com/elektroladen/elektromail" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="EUPL-1.2" \
      org.opencontainers.image.base.name="${BASE}"

# staticx writes the executable with mode 0700: 0755 lets the unprivileged user run it.
COPY --from=executable --chmod=0755 /elektromail /usr/local/bin/elektromail
# The one-file executable unpacks itself under $TMPDIR at every start; scratch has no /tmp of its own.
COPY --chmod=1777 packaging/rootfs/ /

ENV BIND_ADDR=0.0.0.0 \
    TMPDIR=/tmp
USER 65532:65532
# SMTP and IMAP always listen; HTTP (HTTP_PORT) and the implicit-TLS ports only when configured.
EXPOSE 2525 1143
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/elektromail", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/elektromail"]
