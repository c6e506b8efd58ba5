# What every Node image of the project shares, as an image of files alone:
# the root package.json, the lockfile, tsconfig.base.json and the sources of
# packages/. Build context: the repository root, narrowed by
# workspace.Dockerfile.dockerignore to exactly those files, so that editing a
# service under images/ changes nothing here (and so rebuilds only that
# service). The program builds it first; every Node service's build takes it
# as WORKSPACE_IMAGE (images/node-service.Dockerfile).
FROM scratch
COPY package.json package-lock.json tsconfig.base.json /workspace/
COPY packages/ /workspace/packages/
