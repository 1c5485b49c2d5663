# The SSE bridge: the same `node dist/bridge/src/main.js` that `npm run bridge` runs.
# Build from the repository root: docker build -f infra/docker/sse-bridge.Dockerfile .
# NODE_IMAGE/NODE_RUNTIME_IMAGE let a machine without registry access build on local/node:22.
ARG NODE_IMAGE=node:22-bookworm
ARG NODE_RUNTIME_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM ${NODE_RUNTIME_IMAGE}
ENV NODE_ENV=production \
    PORT=5001
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY infra/migrations ./infra/migrations
COPY functions/src/relay/sql ./functions/src/relay/sql
# cAdvisor reads this through the container label io.cadvisor.metric.prometheus-sse-bridge.
COPY infra/cadvisor/sse-bridge.json /var/cadvisor/sse-bridge.json
LABEL io.cadvisor.metric.prometheus-sse-bridge="/var/cadvisor/sse-bridge.json"
USER node
EXPOSE 5001
CMD ["node", "dist/bridge/src/main.js"]
