# surfacemap server and agent image (one image, two commands: see docker-compose.yml).
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap-dev python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY . .
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund
RUN mkdir -p /data /spool && chown node:node /data /spool
USER node
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["start", "--host", "0.0.0.0"]
