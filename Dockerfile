# syntax=docker/dockerfile:1
# One image, every role: `docker run <image> api|worker|outbox` (serve.ts), as `npm run serve -- <role>`.
# Kept in step with `npm run test:cluster` (stack/cluster/roles.ts): the same entry point, roles and
# environment. There is no Docker engine on the machine this was written on: the image is not built
# in CI; the cluster test runs the same processes without containers.

# --- build: every dependency, then the workflow bundle (npm run build -> dist/workflow-bundle.js)
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies only, the prebuilt bundle, a non-root user
FROM node:20.19-bookworm-slim AS runtime
# HOST=0.0.0.0 needs access control on (the API refuses to start otherwise); the payload key ring
# is a volume every api and worker shares (compose.yaml: `keys`).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    INDSATSFLOW_AUTH=required \
    INDSATSFLOW_KEYRING=/keys \
    WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --chown=root:root . .
RUN rm -rf test bench .ci .data && mkdir -p /keys && chown node:node /keys && chmod 700 /keys
USER node
# API: 3000 (/metrics, /health/live, /health/ready); worker: 9090 probes, 9464 the SDK's metrics.
# Traces: set OTEL_EXPORTER_OTLP_ENDPOINT (an OTLP/HTTP collector, e.g. http://otel-collector:4318)
# on the api and worker roles; unset, tracing is off and costs nothing.
EXPOSE 3000 9090 9464
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "--import", "tsx", "serve.ts"]
CMD ["api"]
