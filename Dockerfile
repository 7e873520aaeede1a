# The vswitch-lab image that `vswitch-lab export k8s` refers to (docs/attachments.md, "On
# Kubernetes"): the CLI run by tsx (no build step), the web UI built once. Build from the
# repository root:  docker build -t vswitch-lab:0.1.0 .
FROM node:20-bookworm-slim AS web
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build:web

FROM node:20-bookworm-slim
WORKDIR /opt/vswitch-lab
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY topologies ./topologies
COPY --from=web /src/web/dist ./web/dist
RUN ln -s /opt/vswitch-lab/bin/vswitch-lab.js /usr/local/bin/vswitch-lab
# the API and UI; each partition's VXLAN port is published by the manifests
EXPOSE 8080
USER node
ENTRYPOINT ["vswitch-lab"]
CMD ["serve", "--host", "0.0.0.0"]
