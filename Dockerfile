# flowgate production image: build with dev dependencies, run with production ones only.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY bin ./bin
COPY schema ./schema
COPY policies ./policies
COPY app.yml ./
USER node
EXPOSE 3000
# Settings: APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET, REDIS_URL (required in the image:
# no local redis-server inside it), FLOWGATE_ROLE=all|web|worker, PORT, LOG_LEVEL.
# The V8 flags are npm start's: a smaller young generation and old-generation growth of 1.5x keep a busy
# worker's memory near a bare Probot app's at no measurable CPU cost (npm run bench).
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "dist/src/app/main.js"]
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
