# syntax=docker/dockerfile:1
# The functions app on the Azure Functions Node.js image: the same compiled files `npm run host`
# and `func start` load (package.json "main"), run by the real Functions host on port 80.
# Build from the repository root: docker build -f infra/docker/functions.Dockerfile .

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-bookworm AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM mcr.microsoft.com/azure-functions/node:4-node20
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true
WORKDIR /home/site/wwwroot
COPY host.json package.json package-lock.json ./
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Migrations are read at run time: the compiled migrate.js walks up to infra/migrations.
COPY infra/migrations ./infra/migrations
# cAdvisor reads this through the container label io.cadvisor.metric.prometheus-functions.
COPY infra/cadvisor/functions.json /var/cadvisor/functions.json
LABEL io.cadvisor.metric.prometheus-functions="/var/cadvisor/functions.json"
EXPOSE 80
