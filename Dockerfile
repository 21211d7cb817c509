# The sweep worker image (also carries the whole `sgn` CLI).
#
#   docker build -t sgn-sweeps .
#   docker run --rm -e DATABASE_URL=... -e TEMPORAL_ADDRESS=... sgn-sweeps            # a worker
#   docker run --rm sgn-sweeps node --import tsx cli/sgn.ts certify examples/games/lq64.json
#
# docker-compose.yml runs it beside PostgreSQL and Temporal.
FROM node:20-bookworm-slim

ENV CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false

WORKDIR /app
RUN chown node:node /app
USER node

# Dependencies first (a layer cached until the lockfile changes). Dev dependencies are
# needed at run time: tsx runs the TypeScript sources and the worker applies migrations
# with the Prisma CLI on start. --ignore-scripts: the project's postinstall (generating
# the Prisma client) needs sources not copied yet; it runs explicitly below, and no
# dependency needs an install script.
# npm bug (npm/cli#9846, see .ci/run): `npm ci` can reject this very lockfile as "out of
# sync" when an optional, platform-specific dependency was left out of it. Only in that
# case fall back to `npm install --no-save`, which installs the pinned versions.
COPY --chown=node:node package.json package-lock.json ./
RUN set -eu; \
    if ! npm ci --ignore-scripts --no-audit --no-fund 2>/tmp/npm-ci.err; then \
      cat /tmp/npm-ci.err >&2; \
      grep -q 'can only install packages when your package.json and package-lock.json' /tmp/npm-ci.err; \
      echo 'warning: npm ci rejected the lockfile (npm/cli#9846); falling back to npm install --no-save' >&2; \
      npm install --no-save --ignore-scripts --no-audit --no-fund; \
    fi; \
    rm -f /tmp/npm-ci.err; \
    npm cache clean --force

# Sources (see .dockerignore), then the Prisma client (generated/prisma, needs no database).
COPY --chown=node:node . .
RUN npx tsx scripts/ensure-prisma-client.ts
# The workflow bundle, prebuilt into the image: workers then start without running webpack.
RUN npx tsx scripts/bundle-workflows.ts

# A sweep worker: applies pending migrations (creating the database if needed), then polls
# its task queue (the database's own, or SGN_TASK_QUEUE) until SIGTERM/SIGINT, when it drains running
# batches and exits.
# node itself, not `npm run`: the signal reaches the worker directly. --single-threaded-gc: see
# workers/node-flags.ts.
STOPSIGNAL SIGTERM
CMD ["node", "--single-threaded-gc", "--import", "tsx", "cli/sgn.ts", "worker", "--concurrency", "2"]
