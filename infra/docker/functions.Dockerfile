# The functions app on the Azure Functions Node.js image: the same compiled files `npm run host`
# and `func start` load (package.json "main"), run by the real Functions host on port 80.
# Build from the repository root: docker build -f infra/docker/functions.Dockerfile .
# The image names are build arguments so that a machine without registry access can build on
# local stand-ins (test/containers/docker-compose.test.yml, `npm run images`).
ARG NODE_IMAGE=node:22-bookworm
ARG FUNCTIONS_IMAGE=mcr.microsoft.com/azure-functions/node:4-node22

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

# The project's own host (`npm run host`) on plain Node, same files, same port: what the
# containers test runs where the Azure Functions image cannot be pulled (build target local-host).
FROM ${NODE_IMAGE} AS local-host
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=80
WORKDIR /home/site/wwwroot
COPY host.json package.json package-lock.json ./
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY infra/migrations ./infra/migrations
COPY functions/src/relay/sql ./functions/src/relay/sql
COPY infra/cadvisor/functions.json /var/cadvisor/functions.json
LABEL io.cadvisor.metric.prometheus-functions="/var/cadvisor/functions.json"
EXPOSE 80
CMD ["node", "dist/host/src/main.js"]

FROM ${FUNCTIONS_IMAGE}
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true
WORKDIR /home/site/wwwroot
COPY host.json package.json package-lock.json ./
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Read at run time: the compiled migrate.js walks up to infra/migrations and to the relay's SQL
# functions, which it applies after the migrations.
COPY infra/migrations ./infra/migrations
COPY functions/src/relay/sql ./functions/src/relay/sql
# cAdvisor reads this through the container label io.cadvisor.metric.prometheus-functions.
COPY infra/cadvisor/functions.json /var/cadvisor/functions.json
LABEL io.cadvisor.metric.prometheus-functions="/var/cadvisor/functions.json"
# The host checks the function keys itself (authLevel function/admin): file key storage, written
# from PETZI_API_KEY / PETZI_ADMIN_KEY at every start by functions-keys.sh (docs/containers.md).
ENV AzureWebJobsSecretStorageType=files \
    FUNCTIONS_SECRETS_PATH=/etc/secrets
COPY infra/docker/functions-keys.sh infra/docker/require-env.sh /usr/local/lib/petzi/
EXPOSE 80
# A new ENTRYPOINT clears the base image's CMD, so the host's start command is repeated here
# (mcr.microsoft.com/azure-functions/node:4-node22 runs this binary).
ENTRYPOINT ["/bin/sh", "/usr/local/lib/petzi/functions-keys.sh"]
CMD ["/azure-functions-host/Microsoft.Azure.WebJobs.Script.WebHost"]
