# elektromail: a test mail server (SMTP, IMAP4rev2, HTTP control plane) in one process.
#
# Nothing is compiled here: the image takes what build/pyinstaller.sh (amd64) or build/arm64.sh (arm64)
# wrote to dist/ for the platform being built (TARGETARCH, set by the builder from --platform), so one
# file builds every architecture without emulation. It ships the one-folder build with its C library
# (dist/elektromail-rootfs-linux-<arch>/): unlike the one-file static executable, it starts without
# unpacking itself, at every start and every health check. packaging/image.sh builds both
# architectures and the multi-arch manifest.
#
#   docker build --platform linux/amd64 -t elektromail .           # FROM alpine:3.21
#   buildah bud --build-arg BASE=scratch --arch amd64 ...          # where no registry is reachable

ARG BASE=alpine:3.21

# The base is a build argument: alpine (the published image) or scratch; no RUN, so both build alike.
FROM ${BASE}
ARG BASE
ARG TARGETARCH
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

# /opt/elektromail, /usr/local/bin/elektromail and the C library, owned by root, readable by the user.
COPY dist/elektromail-rootfs-linux-${TARGETARCH}/ /
# A writable /tmp and TMPDIR for what users run in the container; scratch has no /tmp of its own.
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
