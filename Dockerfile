# Hermod on Node 20, in two stages: the first compiles src/ to dist/ (and better-sqlite3's
# native addon when no prebuilt one matches), the second runs `node dist/main.js` with the
# runtime dependencies only: no tsx, no TypeScript, no compiler toolchain.
# Build: docker build -t hermod . ; run: see docker-compose.yml and deploy/kubernetes/.
# Not verified by a build here: the machine Hermod is developed on has no Docker daemon
# (test/deploy/deploy.test.ts checks this file's shape, and the built dist/ is run by hand).

FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The SMPP library is a workspace package (packages/smpp, @hermod/smpp) the gateway depends on:
# npm ci links it into node_modules/@hermod/smpp, and the build compiles it from src/ too.
COPY packages/smpp/package.json ./packages/smpp/
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/
COPY packages/smpp/tsconfig.build.json packages/smpp/build.mjs ./packages/smpp/
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HERMOD_DATA_DIR=/var/lib/hermod
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# node_modules/@hermod/smpp is a link to this: the library's package.json and its build.
COPY --from=build /app/packages/smpp/package.json ./packages/smpp/
COPY --from=build /app/packages/smpp/dist ./packages/smpp/dist
RUN mkdir -p /var/lib/hermod && chown node:node /var/lib/hermod
VOLUME /var/lib/hermod
# Customer SMPP, Jasmin-compatible HTTP, REST/admin/metrics.
EXPOSE 2775 1401 8080
# The image's own user (uid 1000), never root.
USER node
# /healthz on the API port: the process is alive and answering (/readyz, which also wants
# the connectors bound, is Kubernetes' readiness probe). An API port set in the file instead
# of HERMOD_API_PORT, or a server.host other than 0.0.0.0/127.0.0.1, needs its own check.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HERMOD_API_PORT ?? 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["start"]
