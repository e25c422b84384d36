# Renewal Action Plans service (HTTP API + AI task executor + schedules). One image; run as many containers as you
# like against one PostgreSQL (DATABASE_URL): they coordinate only through the database. See docs/runbook.md.

# Build: compile the TypeScript to JavaScript (npm run build → dist/, with the run-time files beside it).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY dev/org-emulator/package.json dev/org-emulator/
# No install scripts: the local preview (postinstall) is not part of the image.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY config config
COPY service service
COPY processors processors
COPY dev dev
COPY scripts scripts
COPY force-app/main/default/objects force-app/main/default/objects
RUN npm run build

# Run: the production dependencies and the build output only; node runs JavaScript, no TypeScript loader.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY package.json package-lock.json ./
COPY dev/org-emulator/package.json dev/org-emulator/
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Node itself is PID 1 and handles SIGTERM: the executor stops claiming, lets running tasks finish, releases the rest.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/scripts/start.js"]
