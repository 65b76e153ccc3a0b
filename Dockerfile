# syntax=docker/dockerfile:1
#
# vmc-exporter container image.
#
# Base: node:26.10.0-slim, an exact release so that the image runs the Node.js CI tests:
# .ci/run reads this version from the FROM lines and runs the test suite on it too (the npm
# `node` package of the same version). Node 26 is the Active LTS line in November 2026
# (released April 2026, LTS since October 2026; Node 24 moved to Maintenance LTS then).
# "-slim" is the Debian slim variant: glibc, no compilers or build tools, much smaller than
# the full image. To move to a newer release, change both FROM lines; CI follows.
#
# Build:  docker build -t vmc-exporter .
# Run (OAuth app; the secret is a file, never an argument or a baked-in value):
#   docker run -d -p 10040:10040 \
#     -e VMC_CLIENT_ID=<oauth-app-id> \
#     -v /path/on/host/vmc_client_secret:/run/secrets/vmc_client_secret:ro \
#     vmc-exporter
# With Docker/Compose/Swarm secrets the file appears at /run/secrets/<name> by itself.
# A user API token instead: --auth.api-token-file=/run/secrets/vmc_api_token.
# Try it without credentials: docker run -p 10040:10040 vmc-exporter --demo
#
# The steps are the commands CI runs (.ci/run: `npm ci`, `npm test` → `npm run build`), and
# test/ops/docker.test.ts runs the runtime stage's install against the built dist/ and sim/dist/.

# ---- build: full dependencies, compile the exporter to dist/ and the simulator to sim/dist/
FROM node:26.10.0-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/write-build-info.mjs ./scripts/
COPY src ./src
COPY sim ./sim
# The build context has no .git: pass the commit for --version and vmc_exporter_build_info,
# e.g. docker build --build-arg REVISION="$(git rev-parse HEAD)" .
ARG REVISION=unknown
RUN VMC_EXPORTER_REVISION="$REVISION" npm run build

# ---- runtime: production dependencies, dist/ and sim/dist/ only (only --demo loads sim/dist/)
FROM node:26.10.0-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/sim/dist ./sim/dist
COPY LICENSE ./

# The image's own unprivileged user (uid 1000).
USER node
EXPOSE 10040

# Liveness only (/-/healthy never calls VMC, needs no basic auth). `healthcheck` asks the
# addresses the running exporter recorded (any --web.listen-address, HTTP or HTTPS); with
# client certificates required, give the exporter --healthcheck.cert-file/--healthcheck.key-file.
# A read-only root filesystem needs a writable /tmp (a tmpfs) for that record.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "dist/main.js", "healthcheck"]

# --disable-sigusr1: no signal opens the inspector (the exporter also ignores SIGUSR1 itself).
# --max-semi-space-size=32: a collection parses megabytes of JSON whose objects die young; a
# larger young generation lets them die there instead of being promoted and compacted. At 64
# the young generation grows under scrape load and RSS with it, with no faster cold scrape
# (docs/performance.md).
ENTRYPOINT ["node", "--disable-sigusr1", "--max-semi-space-size=32", "dist/main.js"]
# Default arguments: read the OAuth app secret from a mounted secret file; VMC_CLIENT_ID comes
# from the environment. Override the whole CMD for other setups (e.g. `--demo`).
CMD ["--auth.client-secret-file=/run/secrets/vmc_client_secret"]
