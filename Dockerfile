# conform in a container: a static binary on a minimal base, run as a
# non-root user. Secrets come from the environment (docker run -e
# CONFORM_ADMIN_PASSWORD ...), never from arguments; reports go to
# /reports (mount a volume there). The image's user is uid 65532: --user
# makes a bind-mounted directory of yours writable (else the reports fail,
# exit 2, before the run). conform serve listens on loopback by default,
# which is the container's own: listen on every interface and publish.
#
#   docker build -t conform .
#   docker run --rm --user "$(id -u)" -e CONFORM_ADMIN_PASSWORD -v "$PWD/reports:/reports" \
#     conform run --target ws://192.0.2.10:8765/ --report-dir /reports
#   docker run --rm -p 8765:8765 conform serve --listen 0.0.0.0:8765

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static: no libc in the final image. -trimpath keeps the build machine's
# paths out of the binary; the VCS revision is stamped when .git is present.
RUN CGO_ENABLED=0 go build -trimpath -o /out/conform ./cmd/conform

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/conform /usr/local/bin/conform
WORKDIR /reports
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/conform"]
CMD ["run", "--report-dir", "/reports"]
