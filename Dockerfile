# mock-bedrock: a local mock of the Amazon Bedrock batch inference API.
#
#   docker build -t mock-bedrock .
#   docker run --rm -p 4599:4599 mock-bedrock
#   docker run --rm -p 4599:4599 -v "$PWD/fixtures:/fixtures:ro" mock-bedrock --clock-rate 60
#   docker run --rm -p 4599:4599 -v "$PWD/s3:/s3" -e MOCK_BEDROCK_S3_DIR=/s3 mock-bedrock   # jobs read and write s3:// in ./s3
#
# Every flag is also an environment variable (MOCK_BEDROCK_PORT, MOCK_BEDROCK_CLOCK_RATE, ...).

# Build: the official Swift image on Debian bookworm, pinned to the toolchain the project uses. The S3 client
# needs only the headers of libcurl4-openssl-dev and libxml2-dev (it loads the libraries when it is used).
FROM swift:6.3.1-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmicrohttpd-dev libpcre2-dev libcurl4-openssl-dev libxml2-dev pkg-config \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Resolve the dependencies in a layer of their own, so that a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
# Package.swift names the test targets: their folders must exist (the tests do not run here).
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product mock-bedrock \
    && install -D -s "$(swift build -c release --show-bin-path)/mock-bedrock" /staging/usr/local/bin/mock-bedrock

# Run: Debian slim with libmicrohttpd, PCRE2, libcurl and libxml2, as a user without privileges. The binary
# does not link libcurl and libxml2: the S3 client loads them (dlopen) when --s3-endpoint is used.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmicrohttpd12 libpcre2-8-0 libcurl4 libxml2 ca-certificates \
    && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mockbedrock
COPY --from=build /staging/ /
# The bundled jobs; mount a directory of your own over /fixtures.
COPY fixtures /fixtures
ENV MOCK_BEDROCK_HOST=0.0.0.0 \
    MOCK_BEDROCK_PORT=4599 \
    MOCK_BEDROCK_FIXTURES=/fixtures
USER 10001
EXPOSE 4599
# The slim image has no curl: the binary checks itself (GET /_mock/health on MOCK_BEDROCK_PORT).
HEALTHCHECK --interval=5s --timeout=3s --start-period=2s --retries=3 CMD ["mock-bedrock", "health"]
# mock-bedrock is PID 1: it waits for SIGTERM/SIGINT itself and exits 0.
ENTRYPOINT ["mock-bedrock"]
CMD ["serve", "--host", "0.0.0.0"]
