# Hermod on Node 20. Build: docker build -t hermod . ; run: see docker-compose.yml.
FROM node:20-bookworm-slim
WORKDIR /app
# better-sqlite3 builds its native addon when no prebuilt one matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./
ENV HERMOD_DATA_DIR=/var/lib/hermod
RUN mkdir -p /var/lib/hermod && chown node:node /var/lib/hermod
VOLUME /var/lib/hermod
# Customer SMPP, Jasmin-compatible HTTP, REST/admin/metrics.
EXPOSE 2775 1401 8080
USER node
ENTRYPOINT ["node", "bin/hermod.js"]
CMD ["start"]
