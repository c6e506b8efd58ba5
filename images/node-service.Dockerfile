# syntax=docker/dockerfile:1.7
# The one Dockerfile of every Node service under images/<lab>/<service>.
# Build context: the repository root, so the shared lockfile and the shared
# packages/ come along; SERVICE names the workspace ("notifications/latency-probe").
# The Image component passes SERVICE, PORT and HEALTH_PATH as build args.

ARG NODE_IMAGE=node:22.21.1-bookworm-slim@sha256:25b3eb23a00590b7499f2a2ce939322727fcce1b15fdd69754fcd09536a3ae2c

FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages/ packages/
COPY images/${SERVICE}/ images/${SERVICE}/
# Every workspace present here (the shared packages and this one service), with
# their dev dependencies: the TypeScript toolchain and the types the build needs.
# tsc -b compiles the shared packages the service references, then the service.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --ignore-scripts --no-audit --no-fund --workspaces --include-workspace-root=false \
 && npm run build --workspace "images/${SERVICE}"

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG PORT
ARG HEALTH_PATH=/health
# Directories the service writes that the lab mounts named volumes on: made here and
# owned by `node`, because Docker gives a new named volume the ownership of its mount point.
ARG WRITABLE_DIRS
ENV NODE_ENV=production \
    HEALTHCHECK_PORT=${PORT} \
    HEALTHCHECK_PATH=${HEALTH_PATH}
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/ packages/
COPY images/${SERVICE}/ images/${SERVICE}/
# Only the production dependencies of this service and the packages it links
# (optional ones too are left out: the lockfile marks the TypeScript toolchain "devOptional").
# npm's cache lives in a BuildKit cache mount, never in the image.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund --workspace "images/${SERVICE}"
COPY --from=build /src/packages packages/
COPY --from=build /src/images/${SERVICE}/dist images/${SERVICE}/dist/
RUN if [ -n "$WRITABLE_DIRS" ]; then mkdir -p $WRITABLE_DIRS && chown node:node $WRITABLE_DIRS; fi
WORKDIR /app/images/${SERVICE}
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=4s --start-period=10s --retries=3 \
  CMD ["node", "/app/packages/service-kit/dist/healthcheck.js"]
# Exec form: node is PID 1 and receives SIGTERM from `docker stop` itself.
ENTRYPOINT ["node", "dist/main.js"]
