# syntax=docker/dockerfile:1
# Build: docker build --build-arg REVISION=$(git rev-parse HEAD) -t kdigest .
# Run:   see README, "Docker". .dockerignore keeps data/, binaries and .git
# out of the build context.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
# go.mod replaces go-dateparser with this folder (see its doc comment).
COPY internal/nodateparser internal/nodateparser
RUN go mod download
COPY . .
# .ci/build is the same script CI runs, so this step cannot rot unnoticed.
# The context has no .git, so "kdigest version" learns the revision from
# REVISION.
ARG REVISION=""
RUN REVISION="$REVISION" sh .ci/build /out/kdigest && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kdigest /usr/local/bin/kdigest
COPY --from=build --chown=65532:65532 /out/data /data
COPY --chown=65532:65532 seeds /seeds
ENV KDIGEST_ADDR=0.0.0.0:8080 \
    KDIGEST_SEEDS=/seeds \
    KDIGEST_DATA=/data
VOLUME ["/seeds", "/data"]
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/kdigest", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/kdigest"]
CMD ["serve"]
