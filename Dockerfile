# syntax=docker/dockerfile:1
# Two images from one file:
#   docker build -t amime:0.1.0 .                                    the control plane
#   docker build --target proxy-init -t amime-proxy-init:0.1.0 .     the sidecar's iptables init container
# deploy/kubernetes runs the first as `amime serve --store=kubernetes …` (user 65532,
# read-only root); `amime install --init-image` points the sidecar injector at the second.
# Without arguments the control plane serves the example mesh on 0.0.0.0 (REST API
# 9080, xDS 15010) with no authentication: for trying it out (docker run -p 9080:9080
# -p 15010:15010 amime:0.1.0). test/e2e/docker-image.test.ts checks this file.

# ── build: compile TypeScript, then keep only production dependencies ─────────────
FROM node:20-bookworm-slim AS build
# better-sqlite3 builds from source when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/build-ui.mjs ./scripts/
# The console's browser bundle (dist/console/ui) is built here too: served offline at /ui.
RUN npx tsc -p tsconfig.build.json \
 && node scripts/build-ui.mjs \
 && npm prune --omit=dev --no-audit --no-fund

# ── proxy-init: App Mesh's proxyinit contract (APPMESH_* variables), built here ──
FROM debian:bookworm-slim AS proxy-init
RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables iproute2 \
 && rm -rf /var/lib/apt/lists/*
COPY deploy/proxy-init/proxy-init.sh /usr/local/bin/proxy-init
ENTRYPOINT ["/usr/local/bin/proxy-init"]

# ── runtime (the default target) ──────────────────────────────────────────────────
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# glibc's malloc maps allocations of 16 KiB and more on their own and unmaps them when
# freed (a fixed threshold also stops glibc raising it). Otherwise the pages of such
# buffers freed between long-lived per-connection allocations stay resident: @grpc/grpc-js
# copies every response into a new buffer per stream, freed at a later GC, while proxies
# connect. Measured: 42-44 -> 34 KiB of RSS per connected proxy at 10,000 proxies, for
# ~10-15 % more CPU per change sent to every proxy (each socket read's 64 KiB buffer is
# an mmap/munmap then); 8 KiB saved no more and cost more CPU.
# bench/README, 2026-12-06, session 12. Same as GLIBC_TUNABLES=glibc.malloc.mmap_threshold=16384.
# Since session 13 (one reused buffer for the SotW bodies Amime hands grpc-js) amime serve
# holds 37-40 KiB per proxy without it and 29-34 with it (two alternated runs each).
ENV MALLOC_MMAP_THRESHOLD_=16384
RUN groupadd --system --gid 65532 amime \
 && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin amime
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The example mesh a fresh data directory is seeded with, and the install manifests
# `amime install` renders (docker run amime:0.1.0 install --image … | kubectl apply -f -).
COPY examples/seed ./examples/seed
COPY deploy/install.yaml ./deploy/install.yaml
# The default --data-dir (./amime-data) for the embedded SQLite store; unused with
# --store=kubernetes, where the root file system is read-only.
RUN mkdir /app/amime-data && chown 65532:65532 /app/amime-data
USER 65532:65532
# xDS, REST API + /healthz /readyz /metrics, admission webhooks
EXPOSE 15010 9080 9443
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve", "--api-listen=0.0.0.0:9080", "--xds-listen=0.0.0.0:15010", "--insecure-xds"]
