# The built Vue dashboard behind nginx on 8080; nginx also proxies /api to the functions and
# /events to the SSE bridges so the browser talks to one origin. HTTPS when a certificate is
# mounted at /etc/nginx/tls (infra/nginx/start.sh).
# Build from the repository root: docker build -f infra/docker/dashboard.Dockerfile .
ARG NODE_IMAGE=node:22-bookworm
ARG NGINX_IMAGE=nginx:1.27-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run dashboard:build

FROM ${NGINX_IMAGE}
COPY infra/nginx/dashboard.conf /etc/nginx/conf.d/default.conf
COPY infra/nginx/start.sh /etc/nginx/petzi/start.sh
COPY --from=build /src/dashboard/dist /usr/share/nginx/html
EXPOSE 8080
CMD ["/bin/sh", "/etc/nginx/petzi/start.sh"]
