# SessionNode container image: a Native AOT build with the SDK, run on the runtime-deps image (no .NET runtime).
#   docker build -t sessionnode .
#   docker run -p 22021:22021 -p 22020:22020 -v sessionnode-data:/data sessionnode
# Options after the image name replace the default command, e.g. `... sessionnode run --log-level debug`
# (keep --data-dir /data --bind-ip 0.0.0.0), or set SESSIONNODE__Section__Key environment variables.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Native AOT links with clang; zlib for the runtime's compression support.
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore first, from the project files only, so the layer is reused while only code changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/SessionNode.Core/SessionNode.Core.csproj src/SessionNode.Core/
COPY src/SessionNode.Crypto/SessionNode.Crypto.csproj src/SessionNode.Crypto/
COPY src/SessionNode.Protocol/SessionNode.Protocol.csproj src/SessionNode.Protocol/
COPY src/SessionNode.Storage/SessionNode.Storage.csproj src/SessionNode.Storage/
COPY src/SessionNode.Swarm/SessionNode.Swarm.csproj src/SessionNode.Swarm/
COPY src/SessionNode.Onion/SessionNode.Onion.csproj src/SessionNode.Onion/
COPY src/SessionNode.Rpc/SessionNode.Rpc.csproj src/SessionNode.Rpc/
COPY src/SessionNode.Client/SessionNode.Client.csproj src/SessionNode.Client/
COPY src/SessionNode.Daemon/SessionNode.Daemon.csproj src/SessionNode.Daemon/
# The publish is Native AOT for the build machine's runtime identifier (see the Daemon's README), so the
# restore names that identifier and fetches the AOT compiler too.
RUN dotnet restore --use-current-runtime -p:PublishAot=true src/SessionNode.Daemon/SessionNode.Daemon.csproj
COPY src/ src/
# The separate debug symbols (sessionnode.dbg) stay out of the image.
RUN dotnet publish src/SessionNode.Daemon/SessionNode.Daemon.csproj -c Release --use-current-runtime --no-restore -o /app \
    && rm -f /app/*.dbg /app/*.pdb

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The image's non-root user (uid 1654) owns the data volume.
RUN mkdir /data && chown app:app /data && chmod 0700 /data
USER app
VOLUME ["/data"]
# Bound glibc malloc arenas (RocksDB allocates from many threads; see benchmarks/README.md).
ENV MALLOC_ARENA_MAX=2
# 1 MiB+ blocks (RocksDB memtable arenas) are mmapped and returned to the OS when freed.
ENV MALLOC_MMAP_THRESHOLD_=1048576
# 22021: client HTTPS; 22020: peer port.
EXPOSE 22021 22020
ENTRYPOINT ["/app/sessionnode"]
CMD ["run", "--data-dir", "/data", "--bind-ip", "0.0.0.0"]
