# Parley's container image: production dependencies only, run as the unprivileged `node` user
# under tini, which passes SIGTERM on so Parley drains (finishes in-flight requests) and exits 0.
#   docker build -t parley .
#   docker run -p 3000:3000 -v parley-data:/data parley             (embedded database in /data)
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://… parley     (PostgreSQL)
# See docs/deployment.md. `.ci/run` lints this file and replays its steps outside Docker.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY client ./client
COPY db ./db
COPY server ./server
# The embedded database (PGlite) lives here when DATABASE_URL is unset; mount a volume to keep it.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# /readyz answers 503 while the database is unreachable or the instance is draining.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# Node itself, not npm, so the signal reaches Parley; it drains for up to 20 s (stop with a longer timeout).
CMD ["node", "--import", "tsx", "server/main.ts"]
