# syntax=docker/dockerfile:1
# The Amime control-plane image: `docker build -t amime:0.1.0 .`
# deploy/kubernetes runs it as `amime serve --store=kubernetes …` (user 65532, read-only root).

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
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ── runtime ───────────────────────────────────────────────────────────────────────
FROM node:20-bookworm-slim
ENV NODE_ENV=production
RUN groupadd --system --gid 65532 amime \
 && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin amime
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The default --data-dir (./amime-data) for the embedded SQLite store; unused with
# --store=kubernetes, where the root file system is read-only.
RUN mkdir /app/amime-data && chown 65532:65532 /app/amime-data
USER 65532:65532
# xDS, REST API + /healthz /readyz /metrics, admission webhooks
EXPOSE 15010 9080 9443
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]
