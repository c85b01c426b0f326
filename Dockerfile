# srs-proxy on Debian 12: build with ./configure && make, run the binary on a slim runtime image.
#   docker build -t srs-proxy .
#   docker run --rm -p 11935:11935 -p 18080:18080 -p 11985:11985 -p 12025:12025 \
#       -p 18000:18000/udp -p 20080:20080/udp srs-proxy
# Configure with -e PROXY_...=... (see conf/proxy.env); logs go to stdout for `docker logs`.
FROM debian:12 AS build
WORKDIR /src
COPY . .
# configure installs the Debian build packages it needs (as root, with apt-get).
RUN ./configure --prefix=/usr/local/srs-proxy && make -j"$(nproc)" all && make install \
    && rm -rf /var/lib/apt/lists/*

FROM debian:12
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 libsrtp2-1 libcjson1 libhiredis0.14 \
       libsrt1.5-openssl libgoogle-perftools4 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/srs-proxy /usr/local/srs-proxy
WORKDIR /usr/local/srs-proxy
# RTMP, HTTP stream, HTTP API (WHIP/WHEP), system API (origins register here), WebRTC, SRT.
EXPOSE 11935/tcp 18080/tcp 11985/tcp 12025/tcp 18000/udp 20080/udp
USER nobody
# SIGQUIT is the graceful quit (docker stop waits PROXY_GRACE_QUIT_TIMEOUT for live connections).
STOPSIGNAL SIGQUIT
CMD ["/usr/local/srs-proxy/bin/srs-proxy"]
