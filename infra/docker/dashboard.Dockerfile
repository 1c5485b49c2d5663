# syntax=docker/dockerfile:1
# The built Vue dashboard behind nginx on 8080; nginx also proxies /api to the functions and
# /events to the SSE bridge so the browser talks to one origin.
# Build from the repository root: docker build -f infra/docker/dashboard.Dockerfile .

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run dashboard:build

FROM nginx:1.27-alpine
COPY infra/nginx/dashboard.conf /etc/nginx/conf.d/default.conf
COPY --from=build /src/dashboard/dist /usr/share/nginx/html
EXPOSE 8080
