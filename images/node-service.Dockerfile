# The one Dockerfile of every Node service and job under images/<lab>/<service>.
#
# Build context: the service's own directory, so an edit to one service
# changes only that image's build inputs. What every Node image shares (the
# root package.json, the lockfile, tsconfig.base.json, packages/) comes from
# WORKSPACE_IMAGE, which the program builds first from images/workspace.Dockerfile.
#
# Build args: WORKSPACE_IMAGE; SERVICE, the workspace ("notifications/latency-probe");
# PORT and HEALTH_PATH (target `service`); WRITABLE_DIRS; NODE_IMAGE, to build
# on a mirror of the Node base. Targets: `service` (the default: EXPOSE and a
# HEALTHCHECK on its health route) and `job` (a one-shot program: neither).
# Optional BuildKit secret `extra_ca`: a CA bundle that npm trusts as well
# (a TLS-inspecting proxy); absent, nothing changes.

ARG NODE_IMAGE=node:24.21.0-bookworm-slim@sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6
ARG WORKSPACE_IMAGE

# Files only, so whatever platform the images are built for, the build machine's.
FROM --platform=$BUILDPLATFORM ${WORKSPACE_IMAGE} AS workspace

FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /src
COPY --from=workspace /workspace/ ./
COPY package.json images/${SERVICE}/package.json
# Every workspace present here (the shared packages and this one service), with
# their dev dependencies: the TypeScript toolchain and the types the build needs.
# Before the sources, so that a source edit reuses this layer.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    --mount=type=secret,id=extra_ca \
    if [ -s /run/secrets/extra_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/extra_ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund --workspaces --include-workspace-root=false
COPY . images/${SERVICE}/
# tsc -b compiles the shared packages the service references, then the service.
RUN npm run build --workspace "images/${SERVICE}"

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
# Directories the service writes that the lab mounts named volumes on: made here and
# owned by `node`, because Docker gives a new named volume the ownership of its mount point.
ARG WRITABLE_DIRS
ENV NODE_ENV=production
WORKDIR /app
COPY --from=workspace /workspace/ ./
COPY package.json images/${SERVICE}/package.json
# Only the production dependencies of this service and the packages it links
# (optional ones too are left out: the lockfile marks the TypeScript toolchain "devOptional").
# npm's cache lives in a BuildKit cache mount, never in the image.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    --mount=type=secret,id=extra_ca \
    if [ -s /run/secrets/extra_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/extra_ca; fi \
 && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund --workspace "images/${SERVICE}"
COPY . images/${SERVICE}/
COPY --from=build /src/packages packages/
COPY --from=build /src/images/${SERVICE}/dist images/${SERVICE}/dist/
RUN if [ -n "$WRITABLE_DIRS" ]; then mkdir -p $WRITABLE_DIRS && chown node:node $WRITABLE_DIRS; fi
WORKDIR /app/images/${SERVICE}
USER node
# Exec form: node is PID 1 and receives SIGTERM from `docker stop` itself.
# --optimize-for-size: V8 keeps its heap near what is live instead of the room
# a start-up's burst of allocation left. Measured idle in containers under the
# labs' 256 MiB limit: dockercoins webui (node-redis) 37.7 -> 25.4 MiB of
# anonymous memory; the services without node-redis within 1.5 MiB either way
# (README, Benchmarks: memory). Not allowed in NODE_OPTIONS, hence here.
ENTRYPOINT ["node", "--optimize-for-size", "dist/main.js"]

# A one-shot program (the latency probe): no port to expose, no server to check.
FROM runtime AS job

# A server, the default target: its port and a healthcheck on its health route.
FROM runtime AS service
ARG PORT
ARG HEALTH_PATH=/health
ENV HEALTHCHECK_PORT=${PORT} \
    HEALTHCHECK_PATH=${HEALTH_PATH}
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=4s --start-period=10s --retries=3 \
  CMD ["node", "/app/packages/service-kit/dist/healthcheck.js"]
