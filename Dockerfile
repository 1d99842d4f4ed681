# syntax=docker/dockerfile:1
#
# The help centre as a container: a static binary (CGO_ENABLED=0) on
# distroless, run as a non-root user, its data folder a volume.
#
#   docker build -t helpcentre .
#   docker run -d --name helpcentre -p 8080:8080 -v helpcentre-data:/data \
#     -e HELPCENTRE_ADMIN_TOKEN=$(openssl rand -hex 24) \
#     -e HELPCENTRE_PUBLIC_URL=https://help.example helpcentre
#
# See README.md, "Operating it".

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# No .git in the context (.dockerignore): helpcentre version says (devel).
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/helpcentre ./cmd/helpcentre \
 && mkdir -p /out/data

# distroless/static: CA certificates, tzdata and /etc/passwd with "nonroot"
# (65532), no shell: the health check is the binary itself.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/helpcentre /usr/local/bin/helpcentre
# A fresh named volume takes the ownership of the image's folder.
COPY --from=build --chown=65532:65532 /out/data /data
ENV HELPCENTRE_ADDR=:8080 \
    HELPCENTRE_DATA=/data \
    HELPCENTRE_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
# Liveness: /healthz. The index builds after the server listens (about 70 s
# at 100,000 articles), so /readyz is for a load balancer, not for this.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/helpcentre", "healthcheck"]
# SIGTERM drains in-flight requests (-shutdown-timeout, 15 s) and closes the
# index and database: give docker stop more than that (--stop-timeout 30).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/helpcentre"]
CMD ["serve"]
