# kakehashi as a container: `docker build -t kakehashi .` then see compose.yaml, or
#   docker run -p 8080:8080 -v kakehashi-data:/data -e SLACK_SIGNING_SECRET=… -e SLACK_BOT_TOKEN=… kakehashi
# The image runs `kakehashi serve` as an unprivileged user, with its SQLite database in the
# /data volume; set KAKEHASHI_DB=postgres://… to use PostgreSQL instead.

# --- build: the release binary (prompts, migrations and the chart font are compiled in) ---
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin kakehashi \
 && strip target/release/kakehashi

# --- run: Debian slim, CA certificates, one binary, no shell tools needed ---
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home kakehashi \
 && mkdir -p /data \
 && chown kakehashi:kakehashi /data
COPY --from=build /src/target/release/kakehashi /usr/local/bin/kakehashi
USER 10001:10001
WORKDIR /data
ENV KAKEHASHI_DB=sqlite:///data/kakehashi.db \
    KAKEHASHI_BIND=0.0.0.0:8080 \
    KAKEHASHI_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
# liveness (/livez): whether the process answers. Not readiness (/readyz), which fails while the
# database or a platform connection is down: an orchestrator that restarts unhealthy containers
# must not restart a healthy process in a loop during a database outage
HEALTHCHECK --interval=30s --timeout=6s --start-period=30s --retries=3 CMD ["kakehashi", "healthcheck"]
# SIGTERM (docker stop) lets requests in flight finish and replies already acknowledged go out
STOPSIGNAL SIGTERM
ENTRYPOINT ["kakehashi"]
CMD ["serve"]
