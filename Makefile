# The README's two commands: `make run` and `make test`.
PRESET ?= release
JOBS ?= 2
# ccache keys on paths relative to the checkout, so every clone shares one cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: setup build build-server package test-package run cluster test test-asan test-tsan check-thread-safety fuzz-smoke \
	bench check-format format clean

setup:
	@bash scripts/setup.sh

build: setup
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

# What `make run` starts: the server and the CLI.
build-server: setup
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS) --target gaia_server gaia

run: build-server
	@./build/$(PRESET)/src/app/gaia_server $(ARGS)

# The Debian package of the release build (packaging/): build/release/gaia_<version>_<arch>.deb.
package: build-server
	@cd build/$(PRESET) && cpack -G DEB >/dev/null && ls gaia_*.deb

# Installs that package on this machine, starts its server as the unit would, runs a command
# through it and purges it again (packaging/test_package.sh; root or sudo).
test-package: package
	@bash packaging/test_package.sh build/$(PRESET)

# Three nodes on PostgreSQL and Redis behind HAProxy, on loopback (scripts/cluster.sh).
cluster: build-server
	@bash scripts/cluster.sh build/$(PRESET)

test: setup
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)
	@ctest --preset dev -j $(JOBS)

test-asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS) --target unit_tests
	@ctest --preset asan -j $(JOBS) -L unit

test-tsan: setup
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan -j $(JOBS) --target unit_tests
	@ctest --preset tsan -j $(JOBS) -L unit

# The libraries of src/ built by clang with -Wthread-safety -Werror: every GUARDED_BY, REQUIRES
# and lock in src/ checked (core/mutex.h). Not the tests and benches, to keep CI fast.
check-thread-safety: setup
	@cmake --preset clang-tsa >/dev/null
	@cmake --build --preset clang-tsa -j $(JOBS) --target gaia_server gaia

# A short run of every fuzz target (fuzz/run.sh; the documented run is 600 s a target).
fuzz-smoke: setup
	@bash fuzz/run.sh 20

bench: PRESET = release
bench: build
	@./build/release/bench/limiter_bench

# The dashboard's files against Prettier (pinned in tests/e2e/package.json, web/.prettierrc),
# and the tracked C++ files against .clang-format (Debian's clang-format 14).
PRETTIER := tests/e2e/node_modules/.bin/prettier
CXX_SOURCES = git ls-files -z -- 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' \
	'bench/*.cc' 'bench/*.h' 'fuzz/*.cc' 'fuzz/*.h'
check-format: setup
	@$(PRETTIER) --check web
	@$(CXX_SOURCES) | xargs -0 clang-format --dry-run --Werror

# Formats the dashboard's files in place.
format: setup
	@$(PRETTIER) --write --log-level warn web

clean:
	rm -rf build
