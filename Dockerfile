# syntax=docker/dockerfile:1
# The server image: docs/deploy.md. Build: docker build -t fhir-facade .

# --- build: every dependency, TypeScript compiled to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY mappings ./mappings
COPY migrations ./migrations
RUN npm run build

# --- runtime: production dependencies, the compiled server and the files it reads ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/app/data \
    LOG_FORMAT=json
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Read at run time: StructureDefinitions, CodeSystems and SearchParameters (found beside
# package.json), the panel → Junction lab test map, the seed schemas and the migrations.
COPY fhir-profiles ./fhir-profiles
COPY junction-panels.json ./
COPY mappings ./mappings
COPY migrations ./migrations
# Embedded PGlite keeps its files here when DATABASE_URL is unset (mount a volume to keep them).
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
# Readiness, not liveness: 503 while the database is unreachable, migrations are pending or
# the process drains after SIGTERM. Slim images have no curl; node has fetch.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself, not npm start: SIGTERM reaches the server's drain, and nothing is rebuilt at start.
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
