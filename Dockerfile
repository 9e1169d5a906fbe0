# The bot as one container: node dist/main.js on port 3978, conversation state and tickets in /data.
#   docker build -t alimail-helpdesk .
#   docker run -p 3978:3978 -v helpdesk-data:/data --env-file .env alimail-helpdesk
# Settings are the environment variables of README.md (Configuration); MicrosoftAppId and
# MicrosoftAppPassword are secrets: pass them at run time, never bake them into the image.

# Build: compile TypeScript, then drop the dev dependencies. better-sqlite3 is a native module: npm
# fetches a prebuilt binary where one exists for this Node and platform, and compiles it otherwise
# (python3, make, g++).
FROM node:20-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: the same base image (the native module was built against its Node and glibc), no compilers.
FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3978 \
    DATA_DIR=/data \
    STORAGE=sqlite
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# What the server reads at start-up from beside dist/: the trees and the knowledge (src/core.ts), and the
# web chat page's files (src/channels/webchat/routes.ts).
COPY dialogs ./dialogs
COPY knowledge ./knowledge
COPY public ./public
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3978
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3978) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# main.ts stops on SIGTERM (docker stop): requests under way finish, then the database is closed.
CMD ["node", "dist/main.js"]
