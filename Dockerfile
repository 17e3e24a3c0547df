# runner-scaler container image: the AWS Lambda function (template.yaml, `sam build`) and the
# standalone server are the same image.
#
#   Lambda:      nothing to pass. Lambda sets AWS_LAMBDA_RUNTIME_API and starts
#                /var/runtime/bootstrap (runner-scaler-lambda) with no arguments: the runtime loop.
#   Server:      docker run -p 8080:8080 --env-file runner-scaler.env IMAGE serve
#                (RUNNER_SCALER_HOST=0.0.0.0 below: inside a container the server must bind all
#                addresses to be reachable through -p; outside one it defaults to 127.0.0.1).
#   Local Lambda: docker run -p 9000:8080 --entrypoint /usr/local/bin/aws-lambda-rie IMAGE \
#                  /var/runtime/bootstrap   (the emulator ships in the Lambda base image; or
#                use `sam local invoke`).
#
# Why these two base images: the binary links the system's libcurl, libssl/libcrypto and
# libstdc++ dynamically (Package.swift's CCurl/COpenSSL system libraries), so it must be built
# against the same C library ABI it runs on. The Lambda base is Amazon Linux 2023
# (glibc 2.34, OpenSSL 3, libcurl.so.4, GCC 11 libstdc++). There is no official Swift image for
# AL2023; the official one whose ABI matches it is Red Hat UBI 9 (also glibc 2.34, OpenSSL 3
# with libssl.so.3/libcrypto.so.3 and OPENSSL_3.0.0 symbol versions, libcurl.so.4, GCC 11).
# A Debian bookworm builder (glibc 2.36) can emit references to glibc symbols that AL2023 lacks,
# and the amazonlinux2 Swift image links OpenSSL 1.x; neither is used. The code only calls
# OpenSSL 3.0 and long-stable libcurl APIs, so the newer library versions of UBI 9 at build
# time still resolve against AL2023's at run time; the smoke test at the end of this file runs
# the binary in the final image, so a missing library or symbol version fails the build, not
# the first webhook.
#
# The Swift standard library and Foundation are linked statically (--static-swift-stdlib),
# so the final image needs no Swift runtime. Swift tools 6.2+ (Package.swift) are required.

# ---------------------------------------------------------------------------------------------
FROM swift:6.3.1-rhel-ubi9 AS builder

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# The Swift image has libcurl-devel; the COpenSSL module needs the OpenSSL headers and
# pkg-config (Package.swift: pkgConfig "openssl" / "libcurl").
# DL3041 (pin package versions) is ignored for this one instruction on purpose: openssl-devel
# must be exactly the version of the openssl-libs already in the pinned builder image, which
# dnf guarantees through the package's own dependency; a hard-coded version here would break
# with every rebuild of the base image. Reproducibility comes from pinning the image tag.
# hadolint ignore=DL3041
RUN dnf install -y --setopt=install_weak_deps=False openssl-devel pkgconf-pkg-config \
    && dnf clean all \
    && rm -rf /var/cache/dnf

WORKDIR /build

# Dependencies first, so `swift package resolve` stays cached until Package.swift changes.
# Package.resolved is deliberately not used (.gitignore and .dockerignore both exclude it):
# versions resolve from Package.swift's `from:` requirements against the real upstreams.
COPY Package.swift ./
RUN swift package resolve

# Tests/ is copied although nothing in it is compiled: SwiftPM validates every target's
# directory when it loads the package, test targets included.
COPY Sources ./Sources
COPY Tests ./Tests
# Two executables: the Lambda bootstrap (runner-scaler-lambda: the runtime loop alone, linked
# position-dependent, so a cold start maps less) and the full CLI next to it, which the
# bootstrap execs for any arguments (`serve`, `replay`, `--help`, ...).
RUN swift build -c release --static-swift-stdlib --product runner-scaler-lambda \
    && swift build -c release --static-swift-stdlib --product runner-scaler \
    && bin="$(swift build -c release --static-swift-stdlib --show-bin-path)" \
    && install -D -m 0755 "$bin/runner-scaler-lambda" /out/bootstrap \
    && install -D -m 0755 "$bin/runner-scaler" /out/runner-scaler

# ---------------------------------------------------------------------------------------------
FROM public.ecr.aws/lambda/provided:al2023.2026.02.27.21

# Run-time libraries of the binary. Most are already in the base image; naming them keeps the
# image correct if a later base drops one. libcurl-minimal is AL2023's libcurl.so.4 (HTTP(S)
# only, which is all we use); ca-certificates lets TLS verify api.github.com and the AWS APIs.
# dnf here is microdnf. DL3041 (pin package versions) is ignored for this one instruction on
# purpose: AL2023's repositories are locked to the release of the pinned base image
# (deterministic upgrades), so the image tag already fixes these versions.
# hadolint ignore=DL3041
RUN dnf install -y libcurl-minimal openssl-libs libstdc++ libgcc ca-certificates \
    && dnf clean all \
    && rm -rf /var/cache/dnf

# Lambda's convention for custom runtimes (provided.*): the runtime is
# ${LAMBDA_RUNTIME_DIR}/bootstrap, i.e. /var/runtime/bootstrap. It keeps the 0755 mode set in
# the builder (world-executable: Lambda runs the image as an unprivileged user of its choosing).
# No COPY --chmod: that needs BuildKit, and `sam build` drives the classic builder.
COPY --from=builder /out/bootstrap /out/runner-scaler /var/runtime/

# Smoke test in the final image: fails the build if a shared library or symbol version either
# binary needs is missing here (`--help` goes through the bootstrap to the full CLI; the
# bootstrap without AWS_LAMBDA_RUNTIME_API does the same).
RUN /var/runtime/bootstrap --help > /dev/null \
    && /var/runtime/runner-scaler check-config --help > /dev/null

# Not root for `serve`. Lambda runs the function as an unprivileged user of its own either way,
# which is why the binary is world-executable. Numeric: the base image has no useradd, and
# nothing in the image needs a passwd entry.
USER 1000:1000

# `serve` binds all addresses in a container (publishing with -p is the explicit exposure);
# Lambda ignores this.
ENV RUNNER_SCALER_HOST=0.0.0.0
EXPOSE 8080

# No CMD: with no arguments the bootstrap runs the Lambda loop (AWS_LAMBDA_RUNTIME_API set);
# `docker run IMAGE serve ...` passes the subcommand, which the bootstrap hands to
# /var/runtime/runner-scaler.
ENTRYPOINT ["/var/runtime/bootstrap"]
